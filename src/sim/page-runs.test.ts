import { describe, expect, it } from 'vitest';
import { PAGE_RUNS_MAX, PageRuns } from './page-runs.ts';

function runsOf(pages: number[]): PageRuns {
  const r = new PageRuns();
  for (const p of pages) r.add(p);
  return r;
}

describe('PageRuns', () => {
  it('gathers consecutive pages into runs up or down, and keeps their order', () => {
    const pages = [10, 11, 12, 7, 6, 5, 40, 3, 4, 9, 9];
    const r = runsOf(pages);
    expect(r.toArray()).toEqual(pages);
    expect(r.pages).toBe(pages.length);
    expect([...r.first.subarray(0, r.runs)]).toEqual([10, 7, 40, 3, 9, 9]);
    expect([...r.count.subarray(0, r.runs)]).toEqual([3, 3, 1, 2, 1, 1]);
    expect([...r.step.subarray(0, r.runs)]).toEqual([1, -1, 1, 1, 1, 1]);
    expect([r.low(1), r.high(1), r.low(0), r.high(0)]).toEqual([5, 7, 10, 12]);
  });

  it('reverses a batch: the same pages, last first', () => {
    const pages = [10, 11, 12, 7, 6, 5, 40];
    const back = new PageRuns();
    runsOf(pages).reverseInto(back);
    expect(back.toArray()).toEqual([...pages].reverse());
    expect(back.runs).toBe(3);
  });

  it('holds at most one batch of runs, and says so', () => {
    const r = new PageRuns();
    for (let i = 0; i < PAGE_RUNS_MAX; i++) r.add(i * 2);
    expect(() => r.add(1000)).toThrow(/more than 256 runs/);
    r.clear();
    expect(r.toArray()).toEqual([]);
    r.push(5, 0, 1); // an empty run is no run
    expect(r.runs).toBe(0);
  });
});
