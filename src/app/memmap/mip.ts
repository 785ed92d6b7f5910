// Zoomed out, one screen pixel covers many frames; sampling one of them would let a 256-frame batch
// flicker in and out of view as it moves. So the map keeps a pyramid of reduced levels, like a mipmap,
// whose texel at level k stands for a 2^k × 2^k block of cells and holds the block's state of highest
// priority (palette.ts: transient and rare states outrank the bulk of memory). The renderer samples the
// level whose texels are at least as large as a pixel, so every frame reaches at least one pixel.
//
// Level 0 is core.frames (or core.host) itself; levels 1… live here and are recomputed only for the
// rows the dirty chunks touched. After update(), rangesOf(k) names the rows of level k that changed,
// for the renderer to upload.
import { halveRanges, levelHeight, levelWidth, type MapLayout } from './layout.ts';
import { OUTSIDE } from './palette.ts';

export class StateMips {
  readonly layout: MapLayout;
  /** levels[k] for k ≥ 1; levels[0] is unused (the states themselves). */
  private readonly levels: Uint8Array[] = [];
  private readonly ranges: Int32Array[] = [];
  private readonly counts: Int32Array;

  constructor(
    layout: MapLayout,
    private readonly priority: Uint8Array,
  ) {
    this.layout = layout;
    this.counts = new Int32Array(layout.levels);
    for (let k = 0; k < layout.levels; k++) {
      this.levels.push(
        k === 0 ? new Uint8Array(0) : new Uint8Array(levelWidth(layout, k) * levelHeight(layout, k)),
      );
      this.ranges.push(new Int32Array(2 * (levelHeight(layout, k) + 1)));
    }
  }

  /** The texels of level k ≥ 1, row-major. */
  level(k: number): Uint8Array {
    return this.levels[k];
  }

  /** How many row ranges of level k changed in the last update (the ranges: rangesOf). */
  rangeCount(k: number): number {
    return this.counts[k];
  }

  rangesOf(k: number): Int32Array {
    return this.ranges[k];
  }

  /** Recomputes every level from `states` (one byte per frame); every row of every level changed. */
  rebuild(states: Uint8Array): void {
    for (let k = 1; k < this.layout.levels; k++) {
      const h = levelHeight(this.layout, k);
      this.reduceRows(states, k, 0, h);
      this.ranges[k][0] = 0;
      this.ranges[k][1] = h;
      this.counts[k] = 1;
    }
  }

  /**
   * Recomputes the rows above the changed level-0 rows: `rows` holds `count` ranges [y0, y1) as
   * dirtyRowRanges writes them.
   */
  update(states: Uint8Array, rows: Int32Array, count: number): void {
    let src = rows;
    let n = count;
    for (let k = 1; k < this.layout.levels; k++) {
      const out = this.ranges[k];
      n = halveRanges(src, n, out);
      for (let r = 0; r < n; r++) this.reduceRows(states, k, out[2 * r], out[2 * r + 1]);
      this.counts[k] = n;
      src = out;
    }
  }

  /** Level k rows [y0, y1) from level k − 1. */
  private reduceRows(states: Uint8Array, k: number, y0: number, y1: number): void {
    const { layout, priority } = this;
    const dst = this.levels[k];
    const w = levelWidth(layout, k);
    const sw = levelWidth(layout, k - 1);
    const sh = levelHeight(layout, k - 1);
    // The source: level k − 1, or at k = 1 the states, where cells past the last frame are OUTSIDE.
    const src = k === 1 ? states : this.levels[k - 1];
    const limit = k === 1 ? layout.frames : sw * sh;
    for (let y = y0; y < y1; y++) {
      const top = 2 * y;
      const a0 = top * sw;
      const b0 = top + 1 < sh ? a0 + sw : -1;
      for (let x = 0; x < w; x++) {
        const c = 2 * x;
        let best = OUTSIDE;
        let rank = 0;
        // Four children, each counted only where it exists.
        for (let q = 0; q < 4; q++) {
          const row = q < 2 ? a0 : b0;
          const col = c + (q & 1);
          if (row < 0 || col >= sw) continue;
          const i = row + col;
          if (i >= limit) continue;
          const s = src[i];
          const p = priority[s];
          if (p > rank) {
            rank = p;
            best = s;
          }
        }
        dst[y * w + x] = best;
      }
    }
  }
}
