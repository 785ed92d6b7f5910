// The contract between the map's owner and its renderers (WebGL2, or Canvas2D where WebGL2 is missing).
//
// Who clears the dirty bytes: not a renderer. Several consumers may read the same changes (both panes,
// a minimap, a counter), so the owner hands each of them the dirty bytes, and clears them once all
// have read them (frame-loop.ts does exactly that). A renderer only reads `source.dirty`.
import type { Camera, Grid, Pane } from './camera.ts';
import { type MapLayout, pfnCol, pfnRow } from './layout.ts';
import { type MapView, PATTERN_PERIOD, type Theme } from './palette.ts';

/** What a renderer draws from: views of the core's tables, read during render() only. */
export interface MapSource {
  /** One FRAME_* byte per guest frame (core.frames). */
  frames: Uint8Array;
  /** One HOST_* byte per guest frame (core.host). */
  host: Uint8Array;
  /** One byte per 2^chunkShift frames, non-zero where a frame changed since the owner last cleared. */
  dirty: Uint8Array;
  chunkShift: number;
}

/** What to draw: the owner keeps one of these and changes it in place. */
export interface MapScene {
  theme: Theme;
  /** Device pixels per CSS pixel. */
  dpr: number;
  panes: Pane[];
  camera: Camera;
  grid: Grid;
  /** The keyboard cursor's frame, or -1. */
  cursor: number;
  /** The frame under the pointer, or -1. */
  hover: number;
}

export type RendererKind = 'webgl2' | 'canvas2d';

export interface MapRenderer {
  readonly kind: RendererKind;
  /**
   * Uploads the rows that changed (per source.dirty; everything the first time, after invalidate() and
   * when the tables are new), then draws the scene if anything changed or `sceneChanged`. The canvas
   * must already have its device-pixel size. Returns whether it drew.
   */
  render(source: MapSource, scene: MapScene, sceneChanged: boolean): boolean;
  /** The next render uploads everything: the data changed in a way the dirty bytes do not show. */
  invalidate(): void;
  /** Frees the GPU or CPU resources; the renderer is unusable afterwards. */
  dispose(): void;
}

/** A rectangle in device pixels of a pane: x0, y0, x1, y1. */
export type Rect = [number, number, number, number];

/** Nothing: a rectangle far outside any pane. */
export const NO_RECT: Readonly<Rect> = [-1e6, -1e6, -1e6, -1e6];

/**
 * A frame's cell in pane device pixels, grown around its centre to at least minCssPx, so the cursor
 * stays visible when a cell is smaller than a pixel.
 */
export function cellRect(
  layout: MapLayout,
  pfn: number,
  cam: Camera,
  dpr: number,
  minCssPx: number,
  out: Rect,
): Rect {
  if (pfn < 0 || pfn >= layout.frames) {
    out[0] = out[1] = out[2] = out[3] = NO_RECT[0];
    return out;
  }
  const s = cam.scale * dpr;
  const x0 = (pfnCol(layout, pfn) - cam.x) * s;
  const y0 = (pfnRow(layout, pfn) - cam.y) * s;
  const half = Math.max(s, minCssPx * dpr) / 2;
  const cx = x0 + s / 2;
  const cy = y0 + s / 2;
  out[0] = cx - half;
  out[1] = cy - half;
  out[2] = cx + half;
  out[3] = cy + half;
  return out;
}

/**
 * The offset (device pixels, ≥ 0) that anchors the patterns to the map: pattern pixel
 * ⌊(p + offset) / dpr⌋ of pane pixel p is the same map point at any pan.
 */
export function patternOffset(origin: number, scale: number, dpr: number): number {
  const period = PATTERN_PERIOD * dpr;
  const v = (origin * scale * dpr) % period;
  return v < 0 ? v + period : v;
}

/** Pane rectangle in device pixels: x, y (from the top) and size, rounded the same way everywhere. */
export function paneDevice(p: Pane, dpr: number, out: Rect): Rect {
  out[0] = Math.round(p.x * dpr);
  out[1] = Math.round(p.y * dpr);
  out[2] = Math.round((p.x + p.width) * dpr) - out[0];
  out[3] = Math.round((p.y + p.height) * dpr) - out[1];
  return out;
}

/** Whether any pane of the scene shows `view`. */
export function shows(scene: MapScene, view: MapView): boolean {
  for (let k = 0; k < scene.panes.length; k++) if (scene.panes[k].view === view) return true;
  return false;
}
