// Highlighted frames (the PFNs a descriptor carried, say), in plain numbers: which frames, as runs;
// which map rectangles outline them; how to say it to a screen reader. The controller draws the
// rectangles on its overlay canvas, so a highlight costs nothing per frame and nothing on the GPU.
import type { Cells } from './camera.ts';
import { hexPfn } from './inspect.ts';
import type { MapLayout } from './layout.ts';

/** A run of consecutive frames. */
export interface FrameRun {
  start: number;
  count: number;
}

export interface Highlight {
  /** Sorted, merged and without repeats. */
  runs: FrameRun[];
  /** Frames highlighted. */
  frames: number;
  /** PFNs given that lie past the end of RAM (or are not frame numbers at all): not on the map. */
  outside: number;
  /** The lowest and highest frame highlighted, or -1. */
  first: number;
  last: number;
}

export const NO_HIGHLIGHT: Readonly<Highlight> = { runs: [], frames: 0, outside: 0, first: -1, last: -1 };

/** The frames of `pfns` that exist in a guest of `ramFrames` frames, as runs; the rest counted. */
export function highlightOf(pfns: ArrayLike<number>, ramFrames: number): Highlight {
  const inside: number[] = [];
  let outside = 0;
  for (let k = 0; k < pfns.length; k++) {
    const p = pfns[k];
    if (Number.isInteger(p) && p >= 0 && p < ramFrames) inside.push(p);
    else outside++;
  }
  if (inside.length === 0) return { ...NO_HIGHLIGHT, runs: [], outside };
  inside.sort((a, b) => a - b);
  const runs: FrameRun[] = [];
  let frames = 0;
  for (const p of inside) {
    const run = runs.at(-1);
    if (run && p < run.start + run.count) continue; // a repeat
    frames++;
    if (run && p === run.start + run.count) run.count++;
    else runs.push({ start: p, count: 1 });
  }
  return { runs, frames, outside, first: inside[0], last: inside[inside.length - 1] };
}

/** A rectangle of map cells: columns [col0, col1), rows [row0, row1). */
export type CellRect = Cells;

/**
 * The rectangles that cover the runs on the map: a run is its partial first row, the whole rows in
 * between as one rectangle, and its partial last row.
 */
export function highlightRects(layout: MapLayout, runs: readonly FrameRun[]): CellRect[] {
  const { cols } = layout;
  const out: CellRect[] = [];
  for (const { start, count } of runs) {
    const end = Math.min(start + count, layout.frames); // one past the last frame
    let row = Math.floor(start / cols);
    let col = start % cols;
    const lastRow = Math.floor((end - 1) / cols);
    if (col !== 0 || row === lastRow) {
      const col1 = row === lastRow ? ((end - 1) % cols) + 1 : cols;
      out.push({ col0: col, col1, row0: row, row1: row + 1 });
      row++;
      col = 0;
    }
    if (row > lastRow) continue;
    const endCol = ((end - 1) % cols) + 1;
    const fullEnd = endCol === cols ? lastRow + 1 : lastRow; // one past the last whole row
    if (fullEnd > row) out.push({ col0: 0, col1: cols, row0: row, row1: fullEnd });
    if (fullEnd === lastRow) out.push({ col0: 0, col1: endCol, row0: lastRow, row1: lastRow + 1 });
  }
  return out;
}

/** The smallest rectangle of cells around every rectangle, or null. */
export function boundsOf(rects: readonly CellRect[]): CellRect | null {
  if (rects.length === 0) return null;
  const b = { ...rects[0] };
  for (const r of rects) {
    b.col0 = Math.min(b.col0, r.col0);
    b.col1 = Math.max(b.col1, r.col1);
    b.row0 = Math.min(b.row0, r.row0);
    b.row1 = Math.max(b.row1, r.row1);
  }
  return b;
}

const number = new Intl.NumberFormat('en');

/** One sentence: "256 PFNs highlighted, 0x9a00 – 0x9aff", with the runs and what is not on the map. */
export function describeHighlight(h: Highlight): string {
  const parts: string[] = [];
  if (h.frames === 0) parts.push('No PFNs highlighted');
  else {
    const what = h.frames === 1 ? '1 PFN' : `${number.format(h.frames)} PFNs`;
    const range = h.frames === 1 ? hexPfn(h.first) : `${hexPfn(h.first)} – ${hexPfn(h.last)}`;
    const runs = h.runs.length > 1 ? ` in ${number.format(h.runs.length)} runs` : '';
    parts.push(`${what} highlighted, ${range}${runs}`);
  }
  if (h.outside > 0) {
    parts.push(`${number.format(h.outside)} past the end of RAM, not on the map`);
  }
  return parts.join('; ');
}
