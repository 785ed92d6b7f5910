import { describe, expect, it } from 'vitest';
import { cameraOn, fitCamera, MAX_SCALE, revealCells } from './camera.ts';
import { boundsOf, describeHighlight, highlightOf, highlightRects } from './highlight.ts';
import { mapLayout } from './layout.ts';

describe('highlightOf', () => {
  it('sorts, merges into runs and drops repeats', () => {
    const h = highlightOf([0x9a02, 0x9a00, 0x9a01, 0x9a01, 7, 0x9a03, 9], 65536);
    expect(h.runs).toEqual([
      { start: 7, count: 1 },
      { start: 9, count: 1 },
      { start: 0x9a00, count: 4 },
    ]);
    expect(h).toMatchObject({ frames: 6, outside: 0, first: 7, last: 0x9a03 });
  });

  it('leaves out PFNs past the end of RAM, and counts them', () => {
    const h = highlightOf([65534, 65535, 65536, 65536 + 0x1000, -1, 1.5], 65536);
    expect(h.runs).toEqual([{ start: 65534, count: 2 }]);
    expect(h.outside).toBe(4);
    expect(h.last).toBe(65535);
    expect(highlightOf([70000], 65536)).toMatchObject({ runs: [], frames: 0, outside: 1, first: -1 });
  });

  it('takes a 256-PFN batch in one pass', () => {
    const batch = Uint32Array.from({ length: 256 }, (_, k) => 0x9aff - k); // a deflate: newest first
    expect(highlightOf(batch, 65536).runs).toEqual([{ start: 0x9a00, count: 256 }]);
  });
});

describe('highlightRects', () => {
  const layout = mapLayout(65536); // 256 × 256 cells

  it('is one rectangle for a run inside a row', () => {
    expect(highlightRects(layout, [{ start: 0x9a00, count: 256 }])).toEqual([
      { col0: 0, col1: 256, row0: 0x9a, row1: 0x9b },
    ]);
    expect(highlightRects(layout, [{ start: 260, count: 3 }])).toEqual([
      { col0: 4, col1: 7, row0: 1, row1: 2 },
    ]);
  });

  it('splits a run into its first row, the whole rows between, and its last row', () => {
    expect(highlightRects(layout, [{ start: 250, count: 256 * 3 }])).toEqual([
      { col0: 250, col1: 256, row0: 0, row1: 1 },
      { col0: 0, col1: 256, row0: 1, row1: 3 },
      { col0: 0, col1: 250, row0: 3, row1: 4 },
    ]);
    expect(highlightRects(layout, [{ start: 250, count: 6 + 256 }])).toEqual([
      { col0: 250, col1: 256, row0: 0, row1: 1 },
      { col0: 0, col1: 256, row0: 1, row1: 2 },
    ]);
    expect(highlightRects(layout, [{ start: 512, count: 300 }])).toEqual([
      { col0: 0, col1: 256, row0: 2, row1: 3 },
      { col0: 0, col1: 44, row0: 3, row1: 4 },
    ]);
  });

  it('covers exactly the run’s frames, for any start and length', () => {
    const small = mapLayout(1000); // 32 columns, a partial last row
    for (const start of [0, 1, 31, 32, 45, 990]) {
      for (const count of [1, 2, 31, 32, 33, 64, 65, 100]) {
        if (start + count > 1000) continue;
        const covered = new Set<number>();
        for (const r of highlightRects(small, [{ start, count }])) {
          for (let row = r.row0; row < r.row1; row++)
            for (let col = r.col0; col < r.col1; col++) covered.add(row * small.cols + col);
        }
        expect([...covered].sort((a, b) => a - b)).toEqual(
          Array.from({ length: count }, (_, k) => start + k),
        );
      }
    }
  });

  it('has bounds around all of it', () => {
    const rects = highlightRects(layout, [
      { start: 3, count: 1 },
      { start: 256 * 10 + 200, count: 100 },
    ]);
    expect(boundsOf(rects)).toEqual({ col0: 0, col1: 256, row0: 0, row1: 12 });
    expect(boundsOf([])).toBeNull();
  });
});

describe('describeHighlight', () => {
  it('says how many, from where to where, and what is not on the map', () => {
    const batch = Array.from({ length: 256 }, (_, k) => 0x9a00 + k);
    expect(describeHighlight(highlightOf(batch, 65536))).toBe('256 PFNs highlighted, 0x9a00 – 0x9aff');
    expect(describeHighlight(highlightOf([5], 65536))).toBe('1 PFN highlighted, 0x5');
    expect(describeHighlight(highlightOf([1, 3, 0x11000], 65536))).toBe(
      '2 PFNs highlighted, 0x1 – 0x3 in 2 runs; 1 past the end of RAM, not on the map',
    );
    expect(describeHighlight(highlightOf([], 65536))).toBe('No PFNs highlighted');
  });
});

describe('revealCells', () => {
  const layout = mapLayout(4194304); // 2048 × 2048 cells
  const pane = { width: 600, height: 600 };

  it('leaves the camera alone when the cells are in view', () => {
    const cam = fitCamera(layout, pane);
    expect(revealCells(cam, { col0: 0, col1: 256, row0: 2000, row1: 2001 }, layout, pane)).toBeNull();
  });

  it('pans to cells out of view, keeping the zoom when they fit', () => {
    const cam = { scale: 8, x: 0, y: 0 };
    const to = revealCells(cam, { col0: 1000, col1: 1010, row0: 1500, row1: 1501 }, layout, pane)!;
    expect(to.scale).toBe(8);
    expect(to.x + 300 / 8).toBeCloseTo(1005);
    expect(to.y + 300 / 8).toBeCloseTo(1500.5);
  });

  it('zooms out when they do not fit at this zoom, never further than the map allows', () => {
    const cam = { scale: 32, x: 0, y: 0 };
    const to = revealCells(cam, { col0: 0, col1: 2048, row0: 1000, row1: 1001 }, layout, pane)!;
    expect(to.scale).toBeLessThanOrEqual((600 - 48) / 2048);
    expect(to.scale).toBeGreaterThan(0);
    // the run's first and last cells are on screen
    expect(to.x).toBeLessThanOrEqual(0);
    expect(to.x + 600 / to.scale).toBeGreaterThanOrEqual(2048);
  });
});

describe('cameraOn', () => {
  const layout = mapLayout(4194304);
  const pane = { width: 600, height: 400 };

  it('makes the cells fill the view, centred', () => {
    const to = cameraOn({ col0: 100, col1: 356, row0: 40, row1: 42 }, layout, pane);
    expect(to.scale).toBeCloseTo((600 - 48) / 256);
    expect(to.x + 300 / to.scale).toBeCloseTo(228);
    expect(to.y + 200 / to.scale).toBeCloseTo(41);
  });

  it('stops at the closest zoom the map has', () => {
    expect(cameraOn({ col0: 5, col1: 6, row0: 5, row1: 6 }, layout, pane).scale).toBe(MAX_SCALE);
  });
});
