// Which rows of a long, fixed-height list to put in the DOM: those in view (with a margin), plus any
// ranges that must always be there (the running function, so that find-in-page and a screen reader
// reach it). The rows between are stand-ins of the same height, so the pane scrolls as if all were there.

/** Rows [start, end). */
export interface RowRange {
  start: number;
  end: number;
}

/** The rows in view of a pane scrolled to `scrollTop` (px), `height` px tall, rows `rowHeight` px. */
export function rowsInView(
  scrollTop: number,
  height: number,
  rowHeight: number,
  total: number,
  overscan = 20,
): RowRange {
  if (!(rowHeight > 0) || total <= 0) return { start: 0, end: Math.max(0, total) };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, height)) / rowHeight);
  return {
    start: Math.max(0, Math.min(total, first - overscan)),
    end: Math.max(0, Math.min(total, last + overscan)),
  };
}

/** The ranges, clipped to [0, total), sorted and merged where they touch or overlap. */
export function mergeRanges(ranges: readonly RowRange[], total: number): RowRange[] {
  const clipped = ranges
    .map((r) => ({ start: Math.max(0, r.start), end: Math.min(total, r.end) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const out: RowRange[] = [];
  for (const r of clipped) {
    const last = out.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}
