import { describe, expect, it } from 'vitest';
import { runEnd } from './units.ts';

/** Every run of `values` as [first index, end], by runEnd. */
const runs = (values: number[]) => {
  const out: [number, number][] = [];
  for (let i = 0; i < values.length; i = runEnd(values, i, values.length))
    out.push([i, runEnd(values, i, values.length)]);
  return out;
};

describe('runEnd', () => {
  it('follows a run up or down by one, and starts a new one when the step changes', () => {
    expect(runs([5, 6, 7, 12, 11, 10, 9, 40, 41, 40, 2, 2])).toEqual([
      [0, 3],
      [3, 7],
      [7, 9],
      [9, 10],
      [10, 11],
      [11, 12],
    ]);
  });

  it('stops at n, and a value alone or at the end is a run of one', () => {
    expect(runEnd([1, 2, 3, 4], 0, 2)).toBe(2);
    expect(runEnd([1, 2, 3], 2, 3)).toBe(3);
    expect(runEnd([7], 0, 1)).toBe(1);
  });

  it('does not wrap around 32 bits', () => {
    expect(runs([...Uint32Array.of(0xffff_fffe, 0xffff_ffff, 0, 1)])).toEqual([
      [0, 2],
      [2, 4],
    ]);
  });
});
