// The map without WebGL2: each view and mip level is an ImageData with one pixel per texel, kept up to
// date row by row (a palette lookup of the rows the dirty chunks touched, put back as a dirty
// rectangle) and drawn scaled with smoothing off. Patterns go on top as one path per state, built
// from the runs of equal texels on screen and filled with a tiled CanvasPattern, so the fallback keeps
// the map readable without colour too.
import { mipLevel } from './camera.ts';
import { dirtyRowRanges, levelHeight, levelWidth, type MapLayout, mapLayout } from './layout.ts';
import { StateMips } from './mip.ts';
import {
  CHROME,
  fillLut,
  type MapView,
  OUTSIDE,
  PATTERN_PERIOD,
  parseHex,
  patternInk,
  priorityTable,
  resolvePalette,
  STATE_SLOTS,
  type Theme,
} from './palette.ts';
import {
  cellRect,
  type MapRenderer,
  type MapScene,
  type MapSource,
  paneDevice,
  type Rect,
  shows,
} from './renderer.ts';

interface LevelImage {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  image: ImageData;
  pixels: Uint32Array;
  stale: boolean;
}

interface CanvasView {
  view: MapView;
  mips: StateMips;
  levels: (LevelImage | null)[];
  /** Whether the mips are behind the tables. */
  stale: boolean;
  lut: Uint32Array;
  theme: Theme | null;
  /** Pattern of each byte value (Pattern.none past the named states). */
  patternOf: Uint8Array;
  patterns: (CanvasPattern | null)[];
  patternDpr: number;
}

interface LineStyles {
  gap: string;
  minor: string;
  major: string;
}

function lineStyles(theme: Theme): LineStyles {
  const [r, g, b] = parseHex(CHROME[theme].grid);
  return { gap: CHROME[theme].gap, minor: `rgb(${r} ${g} ${b} / 0.25)`, major: `rgb(${r} ${g} ${b} / 0.5)` };
}

export function createCanvasRenderer(canvas: HTMLCanvasElement): CanvasMapRenderer | null {
  const ctx = canvas.getContext('2d', { alpha: false });
  return ctx ? new CanvasMapRenderer(canvas, ctx) : null;
}

export class CanvasMapRenderer implements MapRenderer {
  readonly kind = 'canvas2d';
  private layout: MapLayout | null = null;
  private views: CanvasView[] = [];
  private frames: Uint8Array | null = null;
  private host: Uint8Array | null = null;
  private rows = new Int32Array(2);
  /** Runs of equal texels on screen: x, y, length, state; reused from draw to draw. */
  private runs = new Int32Array(4096);
  private readonly rect: Rect = [0, 0, 0, 0];
  private readonly ring: Rect = [0, 0, 0, 0];
  private readonly patternMatrix = new DOMMatrix();
  private readonly lines: Record<Theme, LineStyles> = {
    light: lineStyles('light'),
    dark: lineStyles('dark'),
  };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly ctx: CanvasRenderingContext2D,
  ) {}

  invalidate(): void {
    for (const v of this.views) v.stale = true;
  }

  render(source: MapSource, scene: MapScene, sceneChanged: boolean): boolean {
    let changed = sceneChanged;
    if (source.frames !== this.frames || source.host !== this.host) {
      this.allocate(mapLayout(source.frames.length));
      this.frames = source.frames;
      this.host = source.host;
      changed = true;
    }
    const layout = this.layout!;
    if (this.rows.length < 2 * (layout.rows + 1)) this.rows = new Int32Array(2 * (layout.rows + 1));
    const n = dirtyRowRanges(source.dirty, source.chunkShift, layout, this.rows);
    for (let k = 0; k < this.views.length; k++) {
      const v = this.views[k];
      if (!shows(scene, v.view)) {
        if (n > 0) v.stale = true;
        continue;
      }
      const states = v.view === 'guest' ? source.frames : source.host;
      if (v.theme !== scene.theme) {
        v.lut = fillLut(v.view, scene.theme);
        v.theme = scene.theme;
        v.patterns.fill(null);
        for (const img of v.levels) if (img) img.stale = true;
        changed = true;
      }
      if (v.stale) {
        v.mips.rebuild(states);
        for (const img of v.levels) if (img) img.stale = true;
        v.stale = false;
        changed = true;
      } else if (n > 0) {
        v.mips.update(states, this.rows, n);
        this.repaintDirty(v, states, n);
        changed = true;
      }
    }
    if (changed) this.draw(source, scene);
    return changed;
  }

  private allocate(layout: MapLayout): void {
    this.layout = layout;
    this.views = (['guest', 'host'] as const).map((view) => ({
      view,
      mips: new StateMips(layout, priorityTable(view)),
      levels: new Array<LevelImage | null>(layout.levels).fill(null),
      stale: true,
      lut: new Uint32Array(256),
      theme: null,
      patternOf: Uint8Array.from(resolvePalette(view, 'light').pattern),
      patterns: new Array<CanvasPattern | null>(STATE_SLOTS).fill(null),
      patternDpr: 0,
    }));
  }

  /** Level k's image, created and painted in full the first time it is needed or after it went stale. */
  private levelImage(v: CanvasView, states: Uint8Array, k: number): LevelImage {
    const layout = this.layout!;
    let img = v.levels[k];
    if (!img) {
      const w = levelWidth(layout, k);
      const h = levelHeight(layout, k);
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d')!;
      const image = ctx.createImageData(w, h);
      img = { canvas, ctx, image, pixels: new Uint32Array(image.data.buffer), stale: true };
      v.levels[k] = img;
    }
    if (img.stale) {
      this.paintRows(v, states, k, img, 0, levelHeight(layout, k));
      img.ctx.putImageData(img.image, 0, 0);
      img.stale = false;
    }
    return img;
  }

  private repaintDirty(v: CanvasView, states: Uint8Array, n: number): void {
    const layout = this.layout!;
    for (let k = 0; k < layout.levels; k++) {
      const img = v.levels[k];
      if (!img || img.stale) continue;
      const ranges = k === 0 ? this.rows : v.mips.rangesOf(k);
      const count = k === 0 ? n : v.mips.rangeCount(k);
      const w = levelWidth(layout, k);
      for (let r = 0; r < count; r++) {
        const y0 = ranges[2 * r];
        const y1 = Math.min(ranges[2 * r + 1], levelHeight(layout, k));
        this.paintRows(v, states, k, img, y0, y1);
        img.ctx.putImageData(img.image, 0, 0, 0, y0, w, y1 - y0);
      }
    }
  }

  /** Palette lookup of rows [y0, y1) of level k into its pixels. */
  private paintRows(
    v: CanvasView,
    states: Uint8Array,
    k: number,
    img: LevelImage,
    y0: number,
    y1: number,
  ): void {
    const layout = this.layout!;
    const w = levelWidth(layout, k);
    const { lut } = v;
    const px = img.pixels;
    if (k === 0) {
      const outside = lut[OUTSIDE];
      for (let i = y0 * w, end = y1 * w; i < end; i++) px[i] = i < layout.frames ? lut[states[i]] : outside;
    } else {
      const texels = v.mips.level(k);
      for (let i = y0 * w, end = y1 * w; i < end; i++) px[i] = lut[texels[i]];
    }
  }

  private draw(source: MapSource, scene: MapScene): void {
    const ctx = this.ctx;
    const layout = this.layout!;
    const { camera: cam, dpr } = scene;
    const chrome = CHROME[scene.theme];
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = chrome.background;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    const s = cam.scale * dpr; // device pixels per cell
    const level = mipLevel(1 / s, layout.levels);
    const size = 2 ** level; // cells per texel
    for (let p = 0; p < scene.panes.length; p++) {
      const pane = scene.panes[p];
      const v = this.views[pane.view === 'guest' ? 0 : 1];
      const states = pane.view === 'guest' ? source.frames : source.host;
      const img = this.levelImage(v, states, level);
      const rect = paneDevice(pane, dpr, this.rect);
      const px = rect[0];
      const py = rect[1];
      const pw = rect[2];
      const ph = rect[3];
      ctx.save();
      ctx.beginPath();
      ctx.rect(px, py, pw, ph);
      ctx.clip();
      // The visible part of the map, in cells, clipped to the map.
      const x0 = Math.max(0, cam.x);
      const y0 = Math.max(0, cam.y);
      const x1 = Math.min(layout.cols, cam.x + pw / s);
      const y1 = Math.min(layout.rows, cam.y + ph / s);
      if (x1 > x0 && y1 > y0) {
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(
          img.canvas,
          x0 / size,
          y0 / size,
          (x1 - x0) / size,
          (y1 - y0) / size,
          px + (x0 - cam.x) * s,
          py + (y0 - cam.y) * s,
          (x1 - x0) * s,
          (y1 - y0) * s,
        );
        this.drawPatterns(v, scene, level, px, py, x0, y0, x1, y1);
        this.drawLines(scene, px, py, x0, y0, x1, y1);
      }
      this.drawRings(scene, px, py);
      ctx.restore();
    }
  }

  /** One path per patterned state over the runs of equal texels in view, filled with its tile. */
  private drawPatterns(
    v: CanvasView,
    scene: MapScene,
    level: number,
    px: number,
    py: number,
    x0: number,
    y0: number,
    x1: number,
    y1: number,
  ): void {
    const ctx = this.ctx;
    const layout = this.layout!;
    const { camera: cam, dpr } = scene;
    const size = 2 ** level;
    const s = cam.scale * dpr * size; // device pixels per texel
    const w = levelWidth(layout, level);
    const tx0 = Math.floor(x0 / size);
    const ty0 = Math.floor(y0 / size);
    const tx1 = Math.ceil(x1 / size);
    const ty1 = Math.ceil(y1 / size);
    const texels = level === 0 ? (v.view === 'guest' ? this.frames! : this.host!) : v.mips.level(level);
    const limit = level === 0 ? layout.frames : texels.length;
    const patternOf = v.patternOf;
    let n = 0;
    for (let ty = ty0; ty < ty1; ty++) {
      let tx = tx0;
      while (tx < tx1) {
        const i = ty * w + tx;
        const state = i < limit ? texels[i] : OUTSIDE;
        let end = tx + 1;
        while (end < tx1 && ty * w + end < limit && texels[ty * w + end] === state) end++;
        if (state < STATE_SLOTS && patternOf[state] !== 0) {
          if (4 * (n + 1) > this.runs.length) {
            const grown = new Int32Array(this.runs.length * 2);
            grown.set(this.runs);
            this.runs = grown;
          }
          this.runs[4 * n] = tx;
          this.runs[4 * n + 1] = ty;
          this.runs[4 * n + 2] = end - tx;
          this.runs[4 * n + 3] = state;
          n++;
        }
        tx = end;
      }
    }
    if (n === 0) return;
    const m = this.patternMatrix;
    // Anchor the tiles to the map, so the patterns pan with it.
    m.e = px - cam.x * cam.scale * dpr;
    m.f = py - cam.y * cam.scale * dpr;
    for (let state = 0; state < STATE_SLOTS; state++) {
      if (patternOf[state] === 0) continue;
      ctx.beginPath();
      let any = false;
      for (let r = 0; r < n; r++) {
        if (this.runs[4 * r + 3] !== state) continue;
        const rx = px + (this.runs[4 * r] * size - cam.x) * cam.scale * dpr;
        const ry = py + (this.runs[4 * r + 1] * size - cam.y) * cam.scale * dpr;
        ctx.rect(rx, ry, this.runs[4 * r + 2] * s, s);
        any = true;
      }
      if (!any) continue;
      const pattern = this.patternFor(v, scene.theme, state, dpr);
      pattern.setTransform(m);
      ctx.fillStyle = pattern;
      ctx.fill();
    }
  }

  /** The tile of a state's pattern: its ink on transparent, PATTERN_PERIOD CSS pixels square. */
  private patternFor(v: CanvasView, theme: Theme, state: number, dpr: number): CanvasPattern {
    if (v.patternDpr !== dpr) {
      v.patterns.fill(null);
      v.patternDpr = dpr;
    }
    const cached = v.patterns[state];
    if (cached) return cached;
    const unit = Math.max(1, Math.round(dpr));
    const tile = document.createElement('canvas');
    tile.width = tile.height = PATTERN_PERIOD * unit;
    const t = tile.getContext('2d')!;
    const pal = resolvePalette(v.view, theme);
    const [r, g, b] = pal.ink[state];
    t.fillStyle = `rgb(${r} ${g} ${b})`;
    for (let j = 0; j < PATTERN_PERIOD; j++) {
      for (let i = 0; i < PATTERN_PERIOD; i++) {
        if (patternInk(pal.pattern[state], i, j)) t.fillRect(i * unit, j * unit, unit, unit);
      }
    }
    const pattern = this.ctx.createPattern(tile, 'repeat')!;
    v.patterns[state] = pattern;
    return pattern;
  }

  private drawLines(
    scene: MapScene,
    px: number,
    py: number,
    x0: number,
    y0: number,
    x1: number,
    y1: number,
  ): void {
    const ctx = this.ctx;
    const { camera: cam, dpr, grid } = scene;
    const s = cam.scale * dpr;
    const line = Math.max(1, Math.round(dpr));
    // Device x of map column x: px + (x − cam.x)·s; likewise for y.
    const left = px + (x0 - cam.x) * s;
    const top = py + (y0 - cam.y) * s;
    const width = (x1 - x0) * s;
    const height = (y1 - y0) * s;
    const styles = this.lines[scene.theme];
    if (grid.gaps) {
      ctx.fillStyle = styles.gap;
      for (let x = Math.ceil(x0); x < x1; x++) ctx.fillRect(px + (x - cam.x) * s, top, line, height);
      for (let y = Math.ceil(y0); y < y1; y++) ctx.fillRect(left, py + (y - cam.y) * s, width, line);
    }
    if (grid.minorRows > 0) {
      ctx.fillStyle = styles.minor;
      const er = grid.minorRows;
      for (let y = Math.max(er, Math.ceil(y0 / er) * er); y < y1; y += er)
        ctx.fillRect(left, py + (y - cam.y) * s, width, line);
      const ec = grid.minorCols;
      if (ec > 0) {
        for (let x = Math.max(ec, Math.ceil(x0 / ec) * ec); x < x1; x += ec)
          ctx.fillRect(px + (x - cam.x) * s, top, line, height);
      }
    }
    if (grid.majorRows > 0) {
      ctx.fillStyle = styles.major;
      const er = grid.majorRows;
      for (let y = Math.max(er, Math.ceil(y0 / er) * er); y < y1; y += er)
        ctx.fillRect(left, py + (y - cam.y) * s, width, line);
    }
  }

  private drawRings(scene: MapScene, px: number, py: number): void {
    const ctx = this.ctx;
    const layout = this.layout!;
    const { camera: cam, dpr } = scene;
    const chrome = CHROME[scene.theme];
    const unit = Math.max(1, Math.round(dpr));
    if (scene.hover >= 0 && scene.hover !== scene.cursor) {
      const r = cellRect(layout, scene.hover, cam, dpr, 5, this.ring);
      ctx.strokeStyle = chrome.hover;
      ctx.lineWidth = unit;
      ctx.strokeRect(px + r[0] - unit / 2, py + r[1] - unit / 2, r[2] - r[0] + unit, r[3] - r[1] + unit);
    }
    if (scene.cursor >= 0) {
      const r = cellRect(layout, scene.cursor, cam, dpr, 9, this.ring);
      const w = r[2] - r[0];
      const h = r[3] - r[1];
      ctx.lineWidth = 1.5 * unit;
      ctx.strokeStyle = chrome.cursorInner;
      ctx.strokeRect(px + r[0] - 0.75 * unit, py + r[1] - 0.75 * unit, w + 1.5 * unit, h + 1.5 * unit);
      ctx.lineWidth = 2 * unit;
      ctx.strokeStyle = chrome.cursorOuter;
      ctx.strokeRect(px + r[0] - 2.5 * unit, py + r[1] - 2.5 * unit, w + 5 * unit, h + 5 * unit);
    }
  }

  dispose(): void {
    for (const v of this.views) {
      for (const img of v.levels) {
        if (img) img.canvas.width = img.canvas.height = 0;
      }
    }
    this.views = [];
    this.frames = null;
    this.host = null;
  }
}
