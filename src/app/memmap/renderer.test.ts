import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapLayout } from './layout.ts';
import { PATTERN_PERIOD } from './palette.ts';
import { cellRect, NO_RECT, paneDevice, patternOffset, type Rect } from './renderer.ts';

describe('renderer geometry', () => {
  const layout = mapLayout(4194304);

  it("places a frame's cell in pane device pixels", () => {
    const r: Rect = [0, 0, 0, 0];
    cellRect(layout, 2 * 2048 + 3, { scale: 10, x: 1, y: 1 }, 2, 0, r);
    expect(r).toEqual([40, 20, 60, 40]); // column 3, row 2; 20 device pixels a cell
  });

  it('grows a cell smaller than minCssPx around its centre, so the cursor stays visible', () => {
    const r: Rect = [0, 0, 0, 0];
    cellRect(layout, 0, { scale: 0.25, x: 0, y: 0 }, 1, 9, r);
    expect(r).toEqual([-4.375, -4.375, 4.625, 4.625]);
    expect(cellRect(layout, -1, { scale: 1, x: 0, y: 0 }, 1, 9, r)).toEqual([...NO_RECT]);
    expect(cellRect(layout, 4194304, { scale: 1, x: 0, y: 0 }, 1, 9, r)).toEqual([...NO_RECT]);
  });

  it('anchors patterns to the map: panning by a whole period changes nothing', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3000, max: 3000, noNaN: true }),
        fc.double({ min: 0.05, max: 64, noNaN: true }),
        fc.constantFrom(1, 1.5, 2, 3),
        (origin, scale, dpr) => {
          const off = patternOffset(origin, scale, dpr);
          expect(off).toBeGreaterThanOrEqual(0);
          expect(off).toBeLessThan(PATTERN_PERIOD * dpr + 1e-9);
          const shifted = patternOffset(origin + PATTERN_PERIOD / scale, scale, dpr);
          const period = PATTERN_PERIOD * dpr;
          const d = Math.abs(shifted - off);
          expect(Math.min(d, period - d)).toBeLessThan(1e-6 * Math.max(1, Math.abs(origin * scale)));
        },
      ),
    );
  });

  it('rounds pane edges to device pixels the same way for both edges', () => {
    const r: Rect = [0, 0, 0, 0];
    paneDevice({ view: 'guest', x: 76, y: 26, width: 500, height: 300, captionY: 0 }, 1.25, r);
    expect(r).toEqual([95, 33, 625, 375]);
  });
});
