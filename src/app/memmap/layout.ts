// Where each guest frame sits on the map, and which rows of the map a change touched.
//
// The map is a grid of `cols` cells a row, frame f at (f % cols, f / cols): one row is a contiguous
// run of guest-physical memory, so a row of the state texture is a plain slice of core.frames and
// uploads straight from wasm memory. cols is a power of two (1 MiB and 1 GiB boundaries fall on whole
// cells) chosen so the grid is about square: 2048 × 2048 cells for 16 GiB, 1024 × 1024 for 4 GiB.
//
//   frames   0 ─────────────── cols−1      texture row 0        (level 0: one texel per frame)
//            cols ──────────── 2·cols−1    texture row 1
//            …                               …
//            (rows−1)·cols ── frames−1     the last row, maybe partial: the rest holds OUTSIDE
//                                           rows … texRows−1: OUTSIDE (the height is a power of two so
//                                           that every mip level halves exactly; see mip.ts)

export interface MapLayout {
  /** Guest frames (4 KiB each): core.ramFrames. */
  frames: number;
  /** Cells per row, a power of two; the state texture's width. */
  cols: number;
  /** Rows that hold at least one frame. */
  rows: number;
  /** The state texture's height: rows rounded up to a power of two. */
  texRows: number;
  /** Mip levels, down to 1 × 1. */
  levels: number;
}

export const FRAME_BYTES = 4096;
export const MiB_FRAMES = 256;
export const GiB_FRAMES = 262144;

export function nextPow2(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

export function mapLayout(frames: number): MapLayout {
  if (!Number.isInteger(frames) || frames < 1) throw new RangeError(`frames: must be ≥ 1, got ${frames}`);
  const cols = nextPow2(Math.ceil(Math.sqrt(frames)));
  const rows = Math.ceil(frames / cols);
  const texRows = nextPow2(rows);
  return { frames, cols, rows, texRows, levels: Math.log2(Math.max(cols, texRows)) + 1 };
}

/** The frame in cell (col, row), or -1 where there is none. */
export function cellToPfn(layout: MapLayout, col: number, row: number): number {
  if (col < 0 || row < 0 || col >= layout.cols) return -1;
  const pfn = row * layout.cols + col;
  return pfn < layout.frames ? pfn : -1;
}

export function pfnCol(layout: MapLayout, pfn: number): number {
  return pfn % layout.cols;
}

export function pfnRow(layout: MapLayout, pfn: number): number {
  return Math.floor(pfn / layout.cols);
}

/** Width and height of mip level k (level 0 is one texel per frame). */
export function levelWidth(layout: MapLayout, level: number): number {
  return Math.max(1, layout.cols >> level);
}

export function levelHeight(layout: MapLayout, level: number): number {
  return Math.max(1, layout.texRows >> level);
}

/**
 * The rows of the map that dirty chunks touch, merged into ranges: out[2k] is the first row of range k,
 * out[2k + 1] one past its last. Returns the number of ranges. `out` needs 2 · (rows + 1) entries;
 * chunk c covers frames [c << chunkShift, (c + 1) << chunkShift).
 */
export function dirtyRowRanges(
  dirty: Uint8Array,
  chunkShift: number,
  layout: MapLayout,
  out: Int32Array,
): number {
  const { cols, frames } = layout;
  const chunkFrames = 1 << chunkShift;
  let n = 0;
  let end = -1; // one past the last row of the open range
  for (let c = 0; c < dirty.length; c++) {
    if (dirty[c] === 0) continue;
    const first = c * chunkFrames;
    if (first >= frames) break;
    const last = Math.min(first + chunkFrames, frames) - 1;
    const r0 = Math.floor(first / cols);
    const r1 = Math.floor(last / cols) + 1;
    if (r0 <= end) {
      if (r1 > end) {
        end = r1;
        out[2 * n - 1] = end;
      }
    } else {
      out[2 * n] = r0;
      out[2 * n + 1] = r1;
      end = r1;
      n++;
    }
  }
  return n;
}

/** True when any chunk is dirty. */
export function anyDirty(dirty: Uint8Array): boolean {
  for (let c = 0; c < dirty.length; c++) if (dirty[c] !== 0) return true;
  return false;
}

/**
 * Row ranges of the next mip level: each range [y0, y1) of level k becomes [y0 >> 1, ⌈y1 / 2⌉) of
 * level k + 1, merged where they meet. Works in place (out may be src). Returns the number of ranges.
 */
export function halveRanges(src: Int32Array, count: number, out: Int32Array): number {
  let n = 0;
  for (let k = 0; k < count; k++) {
    const y0 = src[2 * k] >> 1;
    const y1 = (src[2 * k + 1] + 1) >> 1;
    if (n > 0 && y0 <= out[2 * n - 1]) {
      if (y1 > out[2 * n - 1]) out[2 * n - 1] = y1;
    } else {
      out[2 * n] = y0;
      out[2 * n + 1] = y1;
      n++;
    }
  }
  return n;
}
