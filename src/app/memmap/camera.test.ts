import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Camera,
  clampCamera,
  ensureVisible,
  fitCamera,
  fitScale,
  gridAt,
  labelEvery,
  layoutPanes,
  MAX_SCALE,
  minScale,
  mipLevel,
  panBy,
  paneAt,
  pfnAt,
  zoomAt,
} from './camera.ts';
import { mapLayout } from './layout.ts';

const big = mapLayout(4194304); // 2048 × 2048
const pane = { width: 600, height: 400 };

describe('camera', () => {
  it('fits the whole map and centres it', () => {
    const cam = fitCamera(big, pane);
    expect(cam.scale).toBeCloseTo(400 / 2048);
    // Centred: as much empty space left of the map as right of it.
    expect(-cam.x * cam.scale).toBeCloseTo(pane.width - (2048 - cam.x) * cam.scale);
    expect(cam.y).toBeCloseTo(0);
    expect(pfnAt(cam, 300, 0.1, big)).toBe(1024); // top middle: row 0, column 1024
    expect(pfnAt(cam, 300, 1, big)).toBe(5 * 2048 + 1024); // a CSS pixel is 5.12 rows here
    expect(pfnAt(cam, 300, 399.9, big)).toBe(2047 * 2048 + 1024);
    expect(pfnAt(cam, 5, 200, big)).toBe(-1); // left of the map
  });

  it('hit-tests a pointer to the frame whose cell it is in', () => {
    const cam: Camera = { scale: 10, x: 100, y: 50 };
    // Screen (0,0) is map (100, 50); a cell is 10 px.
    expect(pfnAt(cam, 0, 0, big)).toBe(50 * 2048 + 100);
    expect(pfnAt(cam, 9.99, 9.99, big)).toBe(50 * 2048 + 100);
    expect(pfnAt(cam, 10, 0, big)).toBe(50 * 2048 + 101);
    expect(pfnAt(cam, 25, 31, big)).toBe(53 * 2048 + 102);
    const small = mapLayout(1000); // 32 columns; the last row has 8 frames
    expect(pfnAt({ scale: 1, x: 0, y: 0 }, 7.5, 31.5, small)).toBe(999);
    expect(pfnAt({ scale: 1, x: 0, y: 0 }, 8.5, 31.5, small)).toBe(-1);
  });

  it('zooms about the pointer: the map point under it stays under it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.25, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 600, noNaN: true }),
        fc.double({ min: 0, max: 400, noNaN: true }),
        (factor, sx, sy) => {
          const cam = zoomAt(fitCamera(big, pane), 8, 300, 200, big, pane); // start zoomed in, mid-map
          const before = { x: cam.x + sx / cam.scale, y: cam.y + sy / cam.scale };
          zoomAt(cam, factor, sx, sy, big, pane);
          const clamped = cam.scale === MAX_SCALE || cam.scale === minScale(big, pane);
          const after = { x: cam.x + sx / cam.scale, y: cam.y + sy / cam.scale };
          // Exact unless a limit (scale or pan) had to step in.
          if (!clamped && clampCamera({ ...cam }, big, pane).x === cam.x) {
            expect(after.x).toBeCloseTo(before.x, 6);
            expect(after.y).toBeCloseTo(before.y, 6);
          }
        },
      ),
    );
  });

  it('keeps the scale between half the fit and MAX_SCALE', () => {
    const cam = fitCamera(big, pane);
    zoomAt(cam, 1e-6, 0, 0, big, pane);
    expect(cam.scale).toBeCloseTo(fitScale(big, pane) / 2);
    zoomAt(cam, 1e9, 0, 0, big, pane);
    expect(cam.scale).toBe(MAX_SCALE);
  });

  it('pans with the drag and never loses the map', () => {
    const cam = zoomAt(fitCamera(big, pane), 64, 300, 200, big, pane);
    const x = cam.x;
    panBy(cam, 50, 0, big, pane); // drag right: the view moves left
    expect(cam.x).toBeCloseTo(x - 50 / cam.scale);
    panBy(cam, 1e9, 1e9, big, pane);
    // At most half a pane beyond the map's top-left corner.
    expect(cam.x).toBeCloseTo(-pane.width / cam.scale / 2);
    expect(cam.y).toBeCloseTo(-pane.height / cam.scale / 2);
    panBy(cam, -1e9, -1e9, big, pane);
    expect(cam.x).toBeCloseTo(2048 - pane.width / cam.scale / 2);
  });

  it('pans just enough to bring a cell into view', () => {
    const cam: Camera = { scale: 10, x: 0, y: 0 };
    ensureVisible(cam, 5, 5, pane, 0);
    expect(cam).toEqual({ scale: 10, x: 0, y: 0 });
    ensureVisible(cam, 100, 5, pane, 0); // 60 cells fit across: cell 100 ends the view
    expect(cam.x).toBe(101 - 60);
    ensureVisible(cam, 100, 100, pane, 20);
    expect(cam.y).toBe(101 + 2 - 40);
    ensureVisible(cam, 0, 0, pane, 20);
    expect([cam.x, cam.y]).toEqual([-2, -2]);
  });

  it('samples the mip level whose texels are at least a pixel wide', () => {
    expect(mipLevel(0.01, 12)).toBe(0);
    expect(mipLevel(1, 12)).toBe(0);
    expect(mipLevel(1.01, 12)).toBe(1);
    expect(mipLevel(2, 12)).toBe(1);
    expect(mipLevel(5.2, 12)).toBe(3);
    expect(mipLevel(1e6, 12)).toBe(11);
  });
});

describe('grid', () => {
  it('draws GiB lines at the fit zoom of 16 GiB and nothing finer', () => {
    const g = gridAt(big, 400 / 2048);
    expect(g).toEqual({ majorRows: 128, minorRows: 0, minorCols: 0, minorFrames: 0, gaps: false });
    expect(labelEvery(g, 400 / 2048)).toBe(128);
  });

  it('adds finer binary units as it zooms in: 256 MiB, then row-sized units, then MiB across rows', () => {
    expect(gridAt(big, 1)).toMatchObject({ majorRows: 128, minorFrames: 65536, minorRows: 32 });
    expect(gridAt(big, 2)).toMatchObject({ minorFrames: 16384, minorRows: 8 });
    expect(gridAt(big, 8)).toMatchObject({ minorFrames: 4096, minorRows: 2, minorCols: 0, gaps: true });
    expect(gridAt(big, 12)).toMatchObject({ minorFrames: 16, minorRows: 1, minorCols: 16 });
    expect(gridAt(big, 1).gaps).toBe(false);
  });

  it('labels fewer rows than lines when lines crowd', () => {
    const g = gridAt(big, 0.5);
    expect(g.minorRows).toBe(32); // 256 MiB lines, 16 px apart
    expect(labelEvery(g, 0.5)).toBe(64); // labels at least 22 px apart: every other line
    expect(labelEvery({ majorRows: 0, minorRows: 0, minorCols: 0, minorFrames: 0, gaps: false }, 1)).toBe(0);
  });
});

describe('panes', () => {
  it('puts one pane in the whole canvas, less the caption and the address gutter', () => {
    const [p] = layoutPanes('guest', { width: 1000, height: 600 });
    expect(p).toEqual({ view: 'guest', x: 76, y: 26, width: 924, height: 574, captionY: 0 });
  });

  it('sets the two views side by side on a wide canvas and stacks them on a narrow one', () => {
    const wide = layoutPanes('split', { width: 1232, height: 600 });
    expect(wide.map((p) => p.view)).toEqual(['guest', 'host']);
    expect(wide[1].x).toBeGreaterThan(wide[0].x + wide[0].width);
    expect(wide[0].y).toBe(wide[1].y);
    expect([wide[0].width, wide[0].height]).toEqual([wide[1].width, wide[1].height]);
    const narrow = layoutPanes('split', { width: 360, height: 500 });
    expect(narrow[0].x).toBe(narrow[1].x);
    expect(narrow[1].y).toBeGreaterThan(narrow[0].y + narrow[0].height);
    expect([narrow[0].width, narrow[0].height]).toEqual([narrow[1].width, narrow[1].height]);
  });

  it('finds the pane under a point', () => {
    const panes = layoutPanes('split', { width: 1232, height: 600 });
    expect(paneAt(panes, panes[0].x + 1, panes[0].y + 1)).toBe(0);
    expect(paneAt(panes, panes[1].x + 1, panes[1].y + 1)).toBe(1);
    expect(paneAt(panes, 2, 2)).toBe(-1);
  });
});
