import { describe, expect, it } from 'vitest';
import { jumpWindow, layOut, type Mark, type MarkerIn, mergeRepeats } from './timeline-markers.ts';

const m = (us: number, label = `at ${us}`, kind = 'target'): MarkerIn => ({ us, kind, label });
const mark = (us: number, label = `at ${us}`): Mark => ({ us, kind: 'target', label, count: 1, lastUs: us });
const rows = (positions: number[]) =>
  layOut(
    positions.map((x) => mark(x * 1_000_000)),
    1_000_000,
  ).map((s) => (s.type === 'mark' ? s.row : `group of ${s.marks.length}`));

describe('mergeRepeats', () => {
  it('makes a run of the same marker one mark with a count and its last time', () => {
    const warn = (us: number) => m(us, 'second stats buffer', 'warning');
    const merged = mergeRepeats([m(1), warn(10), warn(34), warn(58), m(100), warn(200)]);
    expect(merged.map((x) => [x.us, x.count, x.lastUs])).toEqual([
      [1, 1, 1],
      [10, 3, 58],
      [100, 1, 100],
      [200, 1, 200],
    ]);
  });

  it('keeps markers apart that differ in kind or label', () => {
    expect(mergeRepeats([m(1, 'a'), m(2, 'b'), m(3, 'b', 'fault')])).toHaveLength(3);
  });

  it('turns 12,500 repeats into one mark (the stats storm)', () => {
    const storm = Array.from({ length: 12_500 }, (_, k) => m(1_500_000 + 24 * k, 'storm', 'warning'));
    const merged = mergeRepeats([m(0), ...storm, m(2_300_000, 'end')]);
    expect(merged).toHaveLength(3);
    expect(merged[1].count).toBe(12_500);
  });
});

describe('layOut', () => {
  it('stacks marks that would cover each other, and only those', () => {
    expect(rows([0.1, 0.5, 0.9])).toEqual([0, 0, 0]);
    expect(rows([0.3, 0.301, 0.305, 0.5])).toEqual([0, 1, 2, 0]);
    expect(rows([0.3, 0.301, 0.33])).toEqual([0, 1, 0]);
  });

  it('groups a crowd larger than the rows into one spot with the total count', () => {
    expect(rows([0.1, 0.3, 0.3, 0.301, 0.31, 0.9])).toEqual([0, 'group of 4', 0]);
    const spots = layOut([mark(300), { ...mark(301), count: 5, lastUs: 400 }, mark(302), mark(303)], 1000);
    expect(spots).toHaveLength(1);
    expect(spots[0]).toMatchObject({ type: 'group', us: 300, lastUs: 400, count: 8 });
  });

  it('draws a bounded number of spots however many marks there are', () => {
    const many = Array.from({ length: 20_000 }, (_, k) => mark(k * 50, `m${k}`));
    const spots = layOut(many, 1_000_000);
    // one cluster per gap (2 % of the timeline) at most, each a group here
    expect(spots.length).toBeLessThanOrEqual(50);
    expect(spots.reduce((n, s) => n + (s.type === 'group' ? s.count : 1), 0)).toBe(20_000);
  });
});

describe('jumpWindow', () => {
  const marks = Array.from({ length: 1000 }, (_, k) => mark(k * 1000));

  it('offers every mark when there are few', () => {
    expect(jumpWindow(marks.slice(0, 5), 0, 100)).toEqual({ marks: marks.slice(0, 5), before: 0, after: 0 });
  });

  it('offers at most `limit` marks, centred on the current time, and counts the rest', () => {
    const w = jumpWindow(marks, 500_500, 100);
    expect(w.marks).toHaveLength(100);
    expect(w.marks[0].us).toBe(451_000);
    expect(w.before + w.marks.length + w.after).toBe(1000);
  });

  it('stays inside the list at either end', () => {
    expect(jumpWindow(marks, 0, 100)).toMatchObject({ before: 0, after: 900 });
    expect(jumpWindow(marks, 5_000_000, 100)).toMatchObject({ before: 900, after: 0 });
  });
});
