import { describe, expect, it } from 'vitest';
import { mergeRanges, rowsInView } from './virtual-rows.ts';

describe('rowsInView', () => {
  it('gives the rows in view and a margin either side, inside the list', () => {
    expect(rowsInView(0, 100, 10, 693, 5)).toEqual({ start: 0, end: 15 });
    expect(rowsInView(1000, 100, 10, 693, 5)).toEqual({ start: 95, end: 115 });
    expect(rowsInView(6900, 100, 10, 693, 5)).toEqual({ start: 685, end: 693 });
  });

  it('shows everything while the row height is unknown', () => {
    expect(rowsInView(0, 100, 0, 693)).toEqual({ start: 0, end: 693 });
  });

  it('renders a bounded number of rows however long the list', () => {
    const r = rowsInView(50_000, 480, 18, 100_000);
    expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(480 / 18) + 1 + 40);
  });
});

describe('mergeRanges', () => {
  it('sorts, clips and merges touching ranges', () => {
    expect(
      mergeRanges(
        [
          { start: 600, end: 640 },
          { start: -5, end: 30 },
          { start: 30, end: 40 },
          { start: 690, end: 800 },
        ],
        693,
      ),
    ).toEqual([
      { start: 0, end: 40 },
      { start: 600, end: 640 },
      { start: 690, end: 693 },
    ]);
  });
});
