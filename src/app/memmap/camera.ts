// Zoom and pan, in plain numbers: the pure half of the map's interaction, shared by both renderers
// and by hit-testing. Map coordinates are in cells (x = column, y = row; cell (c, r) covers
// [c, c + 1) × [r, r + 1)); screen coordinates are CSS pixels from a pane's top-left corner.
//
//   screen = (map − camera.{x, y}) · camera.scale        map = camera.{x, y} + screen / camera.scale
import { cellToPfn, GiB_FRAMES, type MapLayout } from './layout.ts';
import type { MapView } from './palette.ts';

export interface Camera {
  /** CSS pixels per cell. */
  scale: number;
  /** The map point at the pane's top-left corner, in cells. */
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

/** The most a cell is magnified: enough to see a cell's pattern and its neighbours. */
export const MAX_SCALE = 64;

/** The scale at which the whole map fits the pane, with a little air. */
export function fitScale(layout: MapLayout, pane: Size): number {
  const s = Math.min(pane.width / layout.cols, pane.height / layout.rows);
  return s > 0 && Number.isFinite(s) ? s : 1;
}

/** The camera that shows the whole map, centred. */
export function fitCamera(layout: MapLayout, pane: Size, out: Camera = { scale: 1, x: 0, y: 0 }): Camera {
  const scale = fitScale(layout, pane);
  out.scale = scale;
  out.x = (layout.cols - pane.width / scale) / 2;
  out.y = (layout.rows - pane.height / scale) / 2;
  return out;
}

export function minScale(layout: MapLayout, pane: Size): number {
  return Math.min(fitScale(layout, pane) / 2, MAX_SCALE);
}

/**
 * Keeps the camera sensible: the scale between half the fit and MAX_SCALE, and the map never panned
 * out of sight (at least half the pane's worth of map, or half the map, stays in view).
 */
export function clampCamera(cam: Camera, layout: MapLayout, pane: Size): Camera {
  cam.scale = Math.min(MAX_SCALE, Math.max(minScale(layout, pane), cam.scale));
  const w = pane.width / cam.scale;
  const h = pane.height / cam.scale;
  const mx = Math.min(w, layout.cols) / 2;
  const my = Math.min(h, layout.rows) / 2;
  cam.x = Math.min(layout.cols - mx, Math.max(mx - w, cam.x));
  cam.y = Math.min(layout.rows - my, Math.max(my - h, cam.y));
  return cam;
}

/** Zooms by `factor` keeping the map point under screen point (sx, sy) where it is. */
export function zoomAt(
  cam: Camera,
  factor: number,
  sx: number,
  sy: number,
  layout: MapLayout,
  pane: Size,
): Camera {
  const mx = cam.x + sx / cam.scale;
  const my = cam.y + sy / cam.scale;
  cam.scale *= factor;
  clampCamera(cam, layout, pane);
  cam.x = mx - sx / cam.scale;
  cam.y = my - sy / cam.scale;
  return clampCamera(cam, layout, pane);
}

/** Moves the view by (dx, dy) CSS pixels: dragging right shows what lies left. */
export function panBy(cam: Camera, dx: number, dy: number, layout: MapLayout, pane: Size): Camera {
  cam.x -= dx / cam.scale;
  cam.y -= dy / cam.scale;
  return clampCamera(cam, layout, pane);
}

/** The frame under screen point (sx, sy) of a pane, or -1. */
export function pfnAt(cam: Camera, sx: number, sy: number, layout: MapLayout): number {
  const col = Math.floor(cam.x + sx / cam.scale);
  const row = Math.floor(cam.y + sy / cam.scale);
  return cellToPfn(layout, col, row);
}

/** Pans (never zooms) so that cell (col, row) lies inside the pane with `margin` CSS pixels around it. */
export function ensureVisible(cam: Camera, col: number, row: number, pane: Size, margin = 16): Camera {
  const m = margin / cam.scale;
  const w = pane.width / cam.scale;
  const h = pane.height / cam.scale;
  if (col - m < cam.x) cam.x = col - m;
  else if (col + 1 + m > cam.x + w) cam.x = col + 1 + m - w;
  if (row - m < cam.y) cam.y = row - m;
  else if (row + 1 + m > cam.y + h) cam.y = row + 1 + m - h;
  return cam;
}

/** A rectangle of map cells: columns [col0, col1), rows [row0, row1). */
export interface Cells {
  col0: number;
  col1: number;
  row0: number;
  row1: number;
}

/** The camera that centres the cells at `scale` (clamped like any camera). */
function centredOn(cells: Cells, scale: number, layout: MapLayout, pane: Size): Camera {
  const to = { scale, x: 0, y: 0 };
  clampCamera(to, layout, pane);
  to.x = (cells.col0 + cells.col1) / 2 - pane.width / 2 / to.scale;
  to.y = (cells.row0 + cells.row1) / 2 - pane.height / 2 / to.scale;
  return clampCamera(to, layout, pane);
}

/** The camera that makes the cells fill the pane (with `margin` CSS pixels around), centred. */
export function cameraOn(cells: Cells, layout: MapLayout, pane: Size, margin = 24): Camera {
  const scale = Math.min(
    (pane.width - 2 * margin) / (cells.col1 - cells.col0),
    (pane.height - 2 * margin) / (cells.row1 - cells.row0),
  );
  return centredOn(cells, scale, layout, pane);
}

/**
 * A camera that shows the cells, or null when they are in view already: a pan that centres them
 * when they fit at this zoom (with `margin` CSS pixels around), else zoomed out just enough.
 */
export function revealCells(
  cam: Camera,
  cells: Cells,
  layout: MapLayout,
  pane: Size,
  margin = 24,
): Camera | null {
  const w = pane.width / cam.scale;
  const h = pane.height / cam.scale;
  const { col0, col1, row0, row1 } = cells;
  if (col0 >= cam.x && col1 <= cam.x + w && row0 >= cam.y && row1 <= cam.y + h) return null;
  const fits =
    (col1 - col0) * cam.scale + 2 * margin <= pane.width &&
    (row1 - row0) * cam.scale + 2 * margin <= pane.height;
  return fits ? centredOn(cells, cam.scale, layout, pane) : cameraOn(cells, layout, pane, margin);
}

/**
 * The mip level to sample at a zoom: the smallest whose texels (2^k cells wide) are at least one
 * device pixel wide, so that every cell reaches some pixel (see mip.ts).
 */
export function mipLevel(cellsPerDevicePx: number, levels: number): number {
  if (cellsPerDevicePx <= 1) return 0;
  return Math.min(levels - 1, Math.ceil(Math.log2(cellsPerDevicePx) - 1e-9));
}

// ── Grid ────────────────────────────────────────────────────────────────────────────────────────────

/** Grid lines at a zoom, in cells; 0 turns a kind off. */
export interface Grid {
  /** GiB boundaries: a line every majorRows rows. */
  majorRows: number;
  /** A finer binary unit (MiB…): a line every minorRows rows, and every minorCols cells in a row. */
  minorRows: number;
  minorCols: number;
  /** The finer unit's size in frames (0: none). */
  minorFrames: number;
  /** Whether cells have a gap between them (zoomed in far enough to tell them apart). */
  gaps: boolean;
}

/** Finer units, coarse to fine, in frames: 256 MiB, 64 MiB, 16 MiB, 4 MiB, 1 MiB, 256 KiB, 64 KiB. */
export const MINOR_UNITS = [65536, 16384, 4096, 1024, 256, 64, 16] as const;

const MAJOR_MIN_PX = 6;
const MINOR_MIN_PX = 12;
const SUBROW_MIN_PX = 96;
const GAP_MIN_PX = 6;

/** Which lines to draw at `scale` CSS pixels per cell. */
export function gridAt(layout: MapLayout, scale: number, out: Grid = emptyGrid()): Grid {
  const { cols } = layout;
  const gibRows = GiB_FRAMES / cols;
  out.majorRows = gibRows * scale >= MAJOR_MIN_PX ? gibRows : 0;
  out.minorRows = 0;
  out.minorCols = 0;
  out.minorFrames = 0;
  for (const unit of MINOR_UNITS) {
    const fits =
      unit >= cols
        ? (unit / cols) * scale >= MINOR_MIN_PX
        : scale >= MINOR_MIN_PX && unit * scale >= SUBROW_MIN_PX;
    if (!fits) continue;
    out.minorFrames = unit;
    out.minorRows = unit >= cols ? unit / cols : 1;
    out.minorCols = unit >= cols ? 0 : unit;
  }
  out.gaps = scale >= GAP_MIN_PX;
  return out;
}

export function emptyGrid(): Grid {
  return { majorRows: 0, minorRows: 0, minorCols: 0, minorFrames: 0, gaps: false };
}

/**
 * Rows to label at the pane's left edge: every `every` rows, where `every` is a multiple of the finest
 * drawn horizontal line that leaves at least minPx between labels. 0: no labels.
 */
export function labelEvery(grid: Grid, scale: number, minPx = 22): number {
  const base = grid.minorRows || grid.majorRows;
  if (base === 0) return 0;
  let every = base;
  while (every * scale < minPx) every *= 2;
  return every;
}

// ── Panes ───────────────────────────────────────────────────────────────────────────────────────────

export type ViewMode = MapView | 'split';

export interface Pane {
  view: MapView;
  /** The pane's cells area, in CSS pixels from the canvas's top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Where the pane's caption goes (above the cells). */
  captionY: number;
}

export interface PaneMetrics {
  /** Left of the cells, for the address labels. */
  gutter: number;
  /** Above the cells, for the caption. */
  caption: number;
  /** Between two panes. */
  gap: number;
  /**
   * Below this canvas width, split panes stack instead of standing side by side: at it, each pane is
   * still over 200 px wide (the lab's centre column is about 560 px at 1280 px).
   */
  sideBySideMin: number;
}

export function paneMetrics(width: number): PaneMetrics {
  const narrow = width < 520;
  return { gutter: narrow ? 58 : 76, caption: 26, gap: 16, sideBySideMin: 440 };
}

/**
 * The panes of a view mode on a canvas of `size` CSS pixels: one, or the guest's and the host's side by
 * side (stacked on a narrow canvas). Both panes of a split have the same size, so one camera serves both
 * and a frame sits at the same place in each.
 */
export function layoutPanes(mode: ViewMode, size: Size, out: Pane[] = []): Pane[] {
  const views: MapView[] = mode === 'split' ? ['guest', 'host'] : [mode];
  const whole = paneMetrics(size.width);
  const sideBySide = views.length === 1 || size.width >= whole.sideBySideMin;
  const n = views.length;
  const slotW = sideBySide ? (size.width - whole.gap * (n - 1)) / n : size.width;
  // The address gutter as narrow as the pane is.
  const m = paneMetrics(slotW);
  const slotH = sideBySide ? size.height : (size.height - m.gap * (n - 1)) / n;
  out.length = n;
  for (let k = 0; k < n; k++) {
    const sx = sideBySide ? k * (slotW + m.gap) : 0;
    const sy = sideBySide ? 0 : k * (slotH + m.gap);
    const pane = out[k] ?? { view: views[k], x: 0, y: 0, width: 0, height: 0, captionY: 0 };
    pane.view = views[k];
    pane.x = Math.round(sx + m.gutter);
    pane.y = Math.round(sy + m.caption);
    pane.width = Math.max(1, Math.floor(slotW - m.gutter));
    pane.height = Math.max(1, Math.floor(slotH - m.caption));
    pane.captionY = sy;
    out[k] = pane;
  }
  return out;
}

/** The pane under canvas point (cx, cy), or -1. */
export function paneAt(panes: readonly Pane[], cx: number, cy: number): number {
  for (let k = 0; k < panes.length; k++) {
    const p = panes[k];
    if (cx >= p.x && cx < p.x + p.width && cy >= p.y && cy < p.y + p.height) return k;
  }
  return -1;
}
