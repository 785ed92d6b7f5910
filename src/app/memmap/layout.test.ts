import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyDirty,
  cellToPfn,
  dirtyRowRanges,
  halveRanges,
  levelHeight,
  levelWidth,
  mapLayout,
  nextPow2,
  pfnCol,
  pfnRow,
} from './layout.ts';

/** Ranges as [first, end) pairs. */
function ranges(out: Int32Array, n: number): [number, number][] {
  return Array.from({ length: n }, (_, k) => [out[2 * k], out[2 * k + 1]]);
}

describe('map layout', () => {
  it('lays 16 GiB out as 2048 × 2048 cells with 12 levels, 4 GiB as 1024 × 1024', () => {
    expect(mapLayout(4194304)).toEqual({
      frames: 4194304,
      cols: 2048,
      rows: 2048,
      texRows: 2048,
      levels: 12,
    });
    expect(mapLayout(1048576)).toEqual({
      frames: 1048576,
      cols: 1024,
      rows: 1024,
      texRows: 1024,
      levels: 11,
    });
    expect(mapLayout(16384)).toMatchObject({ cols: 128, rows: 128 });
  });

  it('rounds odd sizes up: 3 GiB is 1024 columns, 768 rows in a 1024-row texture', () => {
    expect(mapLayout(786432)).toEqual({ frames: 786432, cols: 1024, rows: 768, texRows: 1024, levels: 11 });
    expect(mapLayout(1)).toEqual({ frames: 1, cols: 1, rows: 1, texRows: 1, levels: 1 });
    expect(mapLayout(1000)).toMatchObject({ cols: 32, rows: 32 });
    expect(() => mapLayout(0)).toThrow(/frames/);
  });

  it('never needs a texture wider or taller than WebGL2 guarantees (2048)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4194304 }), (n) => {
        const l = mapLayout(n);
        return l.cols <= 2048 && l.texRows <= 2048 && l.cols * l.rows >= n && (l.rows - 1) * l.cols < n;
      }),
    );
  });

  it('maps a frame to its cell and back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4194304 }), fc.nat(), (n, k) => {
        const l = mapLayout(n);
        const pfn = k % n;
        return cellToPfn(l, pfnCol(l, pfn), pfnRow(l, pfn)) === pfn;
      }),
    );
    const l = mapLayout(4194304);
    expect([pfnCol(l, 4096), pfnRow(l, 4096)]).toEqual([0, 2]);
    expect(cellToPfn(l, 2047, 2047)).toBe(4194303);
  });

  it('has no frame outside the grid or past the last frame', () => {
    const l = mapLayout(1000); // 32 × 32, the last row holds 8
    expect(cellToPfn(l, 7, 31)).toBe(999);
    expect(cellToPfn(l, 8, 31)).toBe(-1);
    expect(cellToPfn(l, -1, 0)).toBe(-1);
    expect(cellToPfn(l, 32, 0)).toBe(-1);
    expect(cellToPfn(l, 0, -1)).toBe(-1);
  });

  it('halves each mip level down to 1 × 1', () => {
    const l = mapLayout(786432);
    expect([levelWidth(l, 0), levelHeight(l, 0)]).toEqual([1024, 1024]);
    expect([levelWidth(l, 3), levelHeight(l, 3)]).toEqual([128, 128]);
    expect([levelWidth(l, 10), levelHeight(l, 10)]).toEqual([1, 1]);
    expect(nextPow2(1025)).toBe(2048);
  });
});

describe('dirty rows', () => {
  const shift = 10;
  const out = new Int32Array(4200);

  it('finds nothing when nothing changed', () => {
    const dirty = new Uint8Array(4096);
    expect(anyDirty(dirty)).toBe(false);
    expect(dirtyRowRanges(dirty, shift, mapLayout(4194304), out)).toBe(0);
  });

  it('turns a 1024-frame chunk into the row that holds it, and merges chunks of one row', () => {
    const l = mapLayout(4194304); // 2048 frames a row: two chunks a row
    const dirty = new Uint8Array(4096);
    dirty[5] = 1; // frames 5120..6143: row 2
    expect(anyDirty(dirty)).toBe(true);
    expect(ranges(out, dirtyRowRanges(dirty, shift, l, out))).toEqual([[2, 3]]);
    dirty[4] = 1; // same row
    dirty[6] = 1; // row 3: adjacent, one range
    dirty[100] = 1; // row 50
    expect(ranges(out, dirtyRowRanges(dirty, shift, l, out))).toEqual([
      [2, 4],
      [50, 51],
    ]);
  });

  it('spreads a chunk over several rows when rows are shorter than a chunk', () => {
    const l = mapLayout(16384); // 128 frames a row: a chunk is 8 rows
    const dirty = new Uint8Array(16);
    dirty[1] = 1;
    dirty[3] = 1;
    expect(ranges(out, dirtyRowRanges(dirty, shift, l, out))).toEqual([
      [8, 16],
      [24, 32],
    ]);
  });

  it('clips the last chunk to the frames that exist', () => {
    const l = mapLayout(786432 + 100); // a partial row at the end
    const dirty = new Uint8Array(Math.ceil(l.frames / 1024));
    dirty[dirty.length - 1] = 1;
    const n = dirtyRowRanges(dirty, shift, l, out);
    expect(ranges(out, n)).toEqual([[l.rows - 1, l.rows]]);
  });

  it('covers exactly the rows of the changed frames (random changes)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300000 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (frames, changes) => {
          const l = mapLayout(frames);
          const dirty = new Uint8Array(Math.ceil(frames / 1024));
          for (const c of changes) dirty[(c % frames) >> shift] = 1;
          const rows = new Set<number>();
          for (let c = 0; c < dirty.length; c++) {
            if (!dirty[c]) continue;
            for (let f = c * 1024; f < Math.min(frames, (c + 1) * 1024); f++)
              rows.add(Math.floor(f / l.cols));
          }
          const got = new Set<number>();
          const buf = new Int32Array(2 * (l.rows + 1));
          const n = dirtyRowRanges(dirty, shift, l, buf);
          let last = -1;
          for (const [a, b] of ranges(buf, n)) {
            expect(a).toBeGreaterThan(last); // sorted, disjoint, not touching
            last = b;
            for (let r = a; r < b; r++) got.add(r);
          }
          expect(got).toEqual(rows);
        },
      ),
    );
  });

  it('halves ranges for the next mip level and merges those that meet', () => {
    const src = new Int32Array([0, 1, 3, 4, 5, 6, 9, 12]);
    const dst = new Int32Array(8);
    // [0,1) [3,4) [5,6) become [0,1) [1,2) [2,3): they meet, one range; [9,12) becomes [4,6).
    expect(ranges(dst, halveRanges(src, 4, dst))).toEqual([
      [0, 3],
      [4, 6],
    ]);
    // In place, as StateMips uses it.
    const inPlace = new Int32Array([0, 2, 2, 4, 10, 11]);
    expect(ranges(inPlace, halveRanges(inPlace, 3, inPlace))).toEqual([
      [0, 2],
      [5, 6],
    ]);
  });
});
