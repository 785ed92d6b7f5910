// The memory map's overlay canvas, over the state canvas: each pane's caption, the address labels
// down its left edge, and the highlighted frames outlined. It is drawn when the camera, the theme or
// the highlight changes, never per frame and never into the state textures.
import { labelEvery } from './camera.ts';
import {
  boundsOf,
  type CellRect,
  type Highlight,
  highlightOf,
  highlightRects,
  NO_HIGHLIGHT,
} from './highlight.ts';
import { shortOffset } from './inspect.ts';
import type { MapLayout } from './layout.ts';
import { CHROME } from './palette.ts';
import type { MapScene } from './renderer.ts';

const CAPTIONS = { guest: "Guest's view: frame states", host: "Host's view: backing" } as const;
/** A highlighted run is outlined at least this many CSS pixels tall and wide, whatever the zoom. */
const HIGHLIGHT_MIN_PX = 6;

export class MapOverlay {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  /** Something it shows changed: draw() at the next frame. */
  changed = true;
  private pfns: ArrayLike<number> = [];
  private current: Highlight = NO_HIGHLIGHT;
  private cells: CellRect[] = [];

  constructor(private readonly region: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'memmap-overlay';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.ctx = this.canvas.getContext('2d')!;
    region.dataset.highlight = '0';
  }

  /** The frames to outline (clipped by apply() to the map's RAM). */
  setHighlight(pfns: ArrayLike<number>): void {
    this.pfns = pfns;
  }

  /**
   * Clips the highlight to a map of `layout` (no map yet, `known` false: nothing is highlighted until
   * the first frame tells the size) and works out the cells to outline.
   */
  apply(layout: MapLayout, known: boolean): void {
    this.current = known ? highlightOf(this.pfns, layout.frames) : NO_HIGHLIGHT;
    this.cells = highlightRects(layout, this.current.runs);
    this.region.dataset.highlight = String(this.current.frames);
    this.changed = true;
  }

  get highlight(): Highlight {
    return this.current;
  }

  /** The cells that bound every highlighted frame, or null. */
  highlightBounds(): CellRect | null {
    return boundsOf(this.cells);
  }

  draw(scene: MapScene, layout: MapLayout): void {
    this.changed = false;
    const ctx = this.ctx;
    const { dpr, camera: cam, panes, theme } = scene;
    const { cols, rows } = layout;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const every = labelEvery(scene.grid, cam.scale);
    const labelColour = CHROME[theme].label;
    for (const p of panes) {
      ctx.fillStyle = labelColour;
      ctx.font = '600 14px Inter, system-ui, sans-serif';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      ctx.fillText(CAPTIONS[p.view], p.x, p.captionY + 17, p.width);
      if (every === 0) continue;
      ctx.font = '12px "JetBrains Mono", ui-monospace, monospace';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = labelColour;
      const first = Math.max(0, Math.ceil(cam.y / every) * every);
      for (let r = first; r <= rows; r += every) {
        const y = p.y + (r - cam.y) * cam.scale;
        if (y > p.y + p.height + 0.5) break;
        ctx.fillRect(p.x - 5, Math.round(y) - 0.5, 4, 1);
        ctx.fillText(shortOffset(r * cols), p.x - 8, Math.min(p.y + p.height - 6, Math.max(p.y + 6, y)));
      }
    }
    if (this.cells.length > 0) this.drawHighlight(scene);
  }

  /**
   * The highlighted runs, outlined in the ink colour on a halo of the background, in every pane: at
   * least HIGHLIGHT_MIN_PX across, so a run stays visible when a cell is smaller than a pixel.
   */
  private drawHighlight(scene: MapScene): void {
    const ctx = this.ctx;
    const { camera: cam, panes, theme } = scene;
    const chrome = CHROME[theme];
    const pad = 2;
    for (const p of panes) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(p.x - 4, p.y - 4, p.width + 8, p.height + 8);
      ctx.clip();
      for (const [colour, width] of [
        [chrome.cursorInner, 5],
        [chrome.cursorOuter, 2],
      ] as const) {
        ctx.strokeStyle = colour;
        ctx.lineWidth = width;
        for (const r of this.cells) {
          let x0 = p.x + (r.col0 - cam.x) * cam.scale;
          let x1 = p.x + (r.col1 - cam.x) * cam.scale;
          let y0 = p.y + (r.row0 - cam.y) * cam.scale;
          let y1 = p.y + (r.row1 - cam.y) * cam.scale;
          if (x1 - x0 < HIGHLIGHT_MIN_PX) [x0, x1] = grow(x0, x1, HIGHLIGHT_MIN_PX);
          if (y1 - y0 < HIGHLIGHT_MIN_PX) [y0, y1] = grow(y0, y1, HIGHLIGHT_MIN_PX);
          if (x1 < p.x || y1 < p.y || x0 > p.x + p.width || y0 > p.y + p.height) continue;
          ctx.strokeRect(
            Math.round(x0) - pad + 0.5,
            Math.round(y0) - pad + 0.5,
            Math.round(x1 - x0) + 2 * pad - 1,
            Math.round(y1 - y0) + 2 * pad - 1,
          );
        }
      }
      ctx.restore();
    }
  }
}

/** [a, b] grown about its middle to `size`. */
function grow(a: number, b: number, size: number): [number, number] {
  const mid = (a + b) / 2;
  return [mid - size / 2, mid + size / 2];
}
