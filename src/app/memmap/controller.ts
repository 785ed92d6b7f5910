// The memory map without React: it owns the state canvas, the camera and the keyboard cursor, and
// draws once a frame when the frame loop calls it (frame-loop.ts). Three parts do the rest: input.ts
// turns pointer and keys into intents it carries out (loaded as its own chunk once the map exists, so
// the first picture does not wait for it; data-ready says both are there), overlay.ts draws captions, labels and the
// highlight, facts.ts writes the tooltip, the inspector line and the live region. MemoryMap.tsx only
// creates it and passes props along.
import { asPfn, type Pfn } from '../../core/units.ts';
import {
  type Camera,
  cameraOn,
  clampCamera,
  emptyGrid,
  ensureVisible,
  fitCamera,
  gridAt,
  layoutPanes,
  type Pane,
  panBy,
  paneAt,
  pfnAt,
  revealCells,
  type Size,
  type ViewMode,
  zoomAt,
} from './camera.ts';
import { MapFacts } from './facts.ts';
import type { FrameConsumer } from './frame-loop.ts';
import { createGlRenderer } from './gl-renderer.ts';
import type { Highlight } from './highlight.ts';
import type { KeyIntent, MapActions, MapInput } from './input.ts';
import type { Describe } from './inspect.ts';
import { type MapLayout, mapLayout, pfnCol, pfnRow } from './layout.ts';
import { MapOverlay } from './overlay.ts';
import type { Theme } from './palette.ts';
import type { MapRenderer, MapScene, MapSource, RendererKind } from './renderer.ts';

export type RendererChoice = 'auto' | RendererKind;

export interface MapControllerOptions {
  /** The focusable region: it takes the input and is measured for the canvas size. */
  region: HTMLElement;
  /** An empty element inside the region that the controller fills with its two canvases. */
  stage: HTMLElement;
  tooltip: HTMLElement;
  /** A visible line that describes the hovered or focused cell. */
  inspector: HTMLElement;
  /** A polite live region for screen readers: the cursor's cell, after each move. */
  live: HTMLElement;
  renderer: RendererChoice;
  theme: Theme;
  mode: ViewMode;
  describe?: Describe;
  onSelect?: (pfn: Pfn) => void;
}

/** A performance mark at each map's first drawn frame (the first one is the page's first map frame). */
export const FIRST_FRAME_MARK = 'balloonlab:first-map-frame';
/** The keys input.ts may take (keyIntent): held until it has loaded. */
export const MAP_KEYS = /^(Arrow|Page)|^(Home|End|Enter|Escape|[-+=0_ ])$/;
const ANIMATION_MS = 180;

interface Animation {
  from: Camera;
  to: Camera;
  start: number;
}

export class MapController implements FrameConsumer, MapActions {
  renderer: MapRenderer;
  private readonly o: MapControllerOptions;
  private canvas: HTMLCanvasElement;
  private readonly overlay: MapOverlay;
  private readonly facts: MapFacts;
  /** Pointer, wheel and keys: loaded once the map has drawn (it is not on the critical path). */
  private input: MapInput | null = null;
  private readonly scene: MapScene;
  private layout: MapLayout = mapLayout(1);
  private frames: Uint8Array | null = null;
  private host: Uint8Array | null = null;
  private size: Size = { width: 0, height: 0 };
  private measured = { width: 0, height: 0, deviceWidth: 0, deviceHeight: 0 };
  private fitted = true;
  private sizeChanged = true;
  private sceneChanged = true;
  private animation: Animation | null = null;
  private focused = false;
  private selected = false;
  private cursor = 0;
  private hover = -1;
  private readonly resizeObserver: ResizeObserver;
  private dprQuery: MediaQueryList | null = null;
  private readonly reducedMotion: MediaQueryList | null;
  private disposed = false;
  private ready = false;
  /** The highlight changed: show it (pan or zoom out) once the map has a size. */
  private revealPending = false;

  constructor(options: MapControllerOptions) {
    this.o = { ...options };
    const { region, stage } = options;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'memmap-canvas';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.overlay = new MapOverlay(region);
    stage.append(this.canvas, this.overlay.canvas);
    this.renderer = this.createRenderer(options.renderer);
    this.scene = {
      theme: options.theme,
      dpr: 1,
      panes: [],
      camera: { scale: 1, x: 0, y: 0 },
      grid: emptyGrid(),
      cursor: -1,
      hover: -1,
    };
    region.dataset.renderer = this.renderer.kind;
    region.dataset.cursor = '0';
    this.facts = new MapFacts(options, options.describe);

    this.resizeObserver = new ResizeObserver(this.onResize);
    try {
      this.resizeObserver.observe(region, { box: 'device-pixel-content-box' });
    } catch {
      this.resizeObserver.observe(region);
    }
    this.watchDpr();
    this.reducedMotion =
      typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;

    // Keys the map would take, pressed before input.ts has loaded, wait for it: none is lost, and
    // none reaches the page's own keys (an arrow would step the simulation) meanwhile.
    const early: KeyboardEvent[] = [];
    const hold = (e: KeyboardEvent) => {
      if (e.altKey || !MAP_KEYS.test(e.key)) return;
      e.preventDefault();
      e.stopPropagation();
      early.push(e);
    };
    region.addEventListener('keydown', hold);
    import('./input.ts').then(({ MapInput }) => {
      region.removeEventListener('keydown', hold);
      if (this.disposed) return;
      this.input = new MapInput(region, this, () =>
        this.scene.panes.length === 0
          ? null
          : {
              cursor: this.cursor,
              cols: this.layout.cols,
              frames: this.layout.frames,
              pageRows: Math.max(1, Math.floor(this.pane().height / this.scene.camera.scale) - 1),
            },
      );
      for (const e of early) region.dispatchEvent(new KeyboardEvent('keydown', e));
      this.markReady();
    });
    region.addEventListener('focus', this.onFocus);
    region.addEventListener('blur', this.onBlur);
    // Captions and labels are drawn on a canvas, which does not wait for web fonts: draw them again
    // once the fonts are there.
    Promise.all([document.fonts?.load('600 14px Inter'), document.fonts?.load('12px "JetBrains Mono"')]).then(
      () => this.redrawOverlay(),
      () => undefined,
    );
  }

  private createRenderer(choice: RendererChoice): MapRenderer {
    if (choice !== 'canvas2d') {
      try {
        const gl = createGlRenderer(this.canvas);
        if (gl) return gl;
      } catch (err) {
        // The canvas now holds a WebGL context: the fallback needs a fresh one.
        console.warn('memory map: WebGL2 failed, drawing with Canvas2D instead:', err);
        const fresh = document.createElement('canvas');
        fresh.className = this.canvas.className;
        fresh.setAttribute('aria-hidden', 'true');
        this.canvas.replaceWith(fresh);
        this.canvas = fresh;
      }
      if (choice === 'webgl2') console.warn('memory map: no WebGL2 here, drawing with Canvas2D instead');
    }
    // The Canvas2D renderer is a fallback few browsers need: it loads only then, off the critical path.
    // Until it is there, the map draws nothing and is not "ready".
    const waiting: MapRenderer & { pending: true } = {
      kind: 'canvas2d',
      pending: true,
      render: () => false,
      invalidate: () => undefined,
      dispose: () => undefined,
    };
    import('./canvas-renderer.ts').then(({ createCanvasRenderer }) => {
      const c2d = createCanvasRenderer(this.canvas);
      if (!c2d) throw new Error('memory map: this browser has neither WebGL2 nor Canvas2D');
      if (this.disposed) {
        c2d.dispose();
        return;
      }
      this.renderer = c2d;
      this.sceneChanged = true;
    });
    return waiting;
  }

  // ── Props ─────────────────────────────────────────────────────────────────────────────────────────

  setTheme(theme: Theme): void {
    if (theme === this.scene.theme) return;
    this.scene.theme = theme;
    this.sceneChanged = true;
    this.overlay.changed = true;
  }

  setMode(mode: ViewMode): void {
    if (mode === this.o.mode) return;
    this.o.mode = mode;
    this.sizeChanged = true;
  }

  setDescribe(describe: Describe | undefined): void {
    this.o.describe = describe;
    this.facts.setDescribe(describe);
  }

  setOnSelect(onSelect: ((pfn: Pfn) => void) | undefined): void {
    this.o.onSelect = onSelect;
  }

  /**
   * Outlines these frames (PFNs past the end of RAM are left out), and brings them into view when
   * they are not; an empty list clears the highlight.
   */
  setHighlight(pfns: ArrayLike<number>): void {
    this.overlay.setHighlight(pfns);
    this.applyHighlight();
    this.revealPending = this.overlay.highlight.frames > 0;
  }

  /** The frames highlighted now, as runs, with what was left out. */
  get highlighted(): Highlight {
    return this.overlay.highlight;
  }

  private applyHighlight(): void {
    // Before the first frame the map's size is not known: the frames are clipped once it is.
    this.overlay.apply(this.layout, this.frames !== null);
  }

  /** The data changed in a way the dirty bytes do not show: upload everything next frame. */
  invalidate(): void {
    this.renderer.invalidate();
    this.sceneChanged = true;
    this.facts.invalidate();
  }

  // ── The frame ─────────────────────────────────────────────────────────────────────────────────────

  frame(source: MapSource, now: number): void {
    if (this.disposed) return;
    if (source.frames !== this.frames) this.adopt(source);
    this.host = source.host;
    if (this.sizeChanged) this.applySize();
    if (this.revealPending && this.size.width > 0) this.revealHighlight();
    if (this.animation) this.stepAnimation(now);
    if (this.size.width > 0) {
      const scene = this.scene;
      scene.cursor = this.focused || this.selected ? this.cursor : -1;
      scene.hover = this.hover;
      const changed = this.sceneChanged;
      this.sceneChanged = false;
      this.renderer.render(source, scene, changed);
      if (this.overlay.changed) this.overlay.draw(scene, this.layout);
      if (!this.ready && !('pending' in this.renderer)) {
        // The mark times the first picture from navigation.
        this.ready = true;
        performance.mark(FIRST_FRAME_MARK);
        this.markReady();
      }
    }
    const inspected = this.hover >= 0 ? this.hover : this.focused || this.selected ? this.cursor : -1;
    this.facts.show(inspected, this.hover >= 0, source.frames, source.host);
  }

  /** New tables (the first frame, or core.init()): a new layout when the size changed. */
  private adopt(source: MapSource): void {
    const first = this.frames === null;
    this.frames = source.frames;
    if (first || source.frames.length !== this.layout.frames) {
      this.layout = mapLayout(Math.max(1, source.frames.length));
      this.fitted = true;
      this.cursor = Math.min(this.cursor, this.layout.frames - 1);
      this.o.region.dataset.cursor = String(this.cursor);
      this.sizeChanged = true;
    }
    this.sceneChanged = true;
    this.facts.invalidate();
    this.applyHighlight();
  }

  private applySize(): void {
    this.sizeChanged = false;
    const m = this.measured;
    if (m.width === 0 || m.height === 0) return;
    for (const c of [this.canvas, this.overlay.canvas]) {
      if (c.width !== m.deviceWidth) c.width = m.deviceWidth;
      if (c.height !== m.deviceHeight) c.height = m.deviceHeight;
    }
    this.size.width = m.width;
    this.size.height = m.height;
    this.scene.dpr = m.deviceWidth / m.width;
    layoutPanes(this.o.mode, this.size, this.scene.panes);
    if (this.fitted) fitCamera(this.layout, this.pane(), this.scene.camera);
    else clampCamera(this.scene.camera, this.layout, this.pane());
    this.cameraMoved();
  }

  private pane(): Pane {
    return this.scene.panes[0];
  }

  private cameraMoved(): void {
    gridAt(this.layout, this.scene.camera.scale, this.scene.grid);
    this.sceneChanged = true;
    this.overlay.changed = true;
  }

  private redrawOverlay(): void {
    this.overlay.changed = true;
  }

  // ── Size and pixel ratio ──────────────────────────────────────────────────────────────────────────

  private onResize = (entries: ResizeObserverEntry[]): void => {
    const e = entries[entries.length - 1];
    const width = e.contentRect.width;
    const height = e.contentRect.height;
    const box = e.devicePixelContentBoxSize?.[0];
    const dpr = window.devicePixelRatio || 1;
    this.measured.width = width;
    this.measured.height = height;
    this.measured.deviceWidth = box ? box.inlineSize : Math.round(width * dpr);
    this.measured.deviceHeight = box ? box.blockSize : Math.round(height * dpr);
    this.sizeChanged = true;
  };

  /** A page zoom or a move to another screen changes the pixel ratio without resizing anything. */
  private watchDpr(): void {
    if (typeof matchMedia !== 'function') return;
    this.dprQuery?.removeEventListener('change', this.onDprChange);
    this.dprQuery = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    this.dprQuery.addEventListener('change', this.onDprChange);
  }

  private onDprChange = (): void => {
    const dpr = window.devicePixelRatio || 1;
    this.measured.deviceWidth = Math.round(this.measured.width * dpr);
    this.measured.deviceHeight = Math.round(this.measured.height * dpr);
    this.sizeChanged = true;
    this.watchDpr();
  };

  // ── Camera ────────────────────────────────────────────────────────────────────────────────────────

  /** Zooms by `factor` around the cursor when it is in view, else around the pane's centre. */
  zoomBy(factor: number): void {
    if (this.size.width === 0) return;
    const pane = this.pane();
    const cam = this.scene.camera;
    let sx = pane.width / 2;
    let sy = pane.height / 2;
    const cx = (pfnCol(this.layout, this.cursor) + 0.5 - cam.x) * cam.scale;
    const cy = (pfnRow(this.layout, this.cursor) + 0.5 - cam.y) * cam.scale;
    if ((this.focused || this.selected) && cx >= 0 && cy >= 0 && cx < pane.width && cy < pane.height) {
      sx = cx;
      sy = cy;
    }
    const to = zoomAt({ ...this.targetCamera() }, factor, sx, sy, this.layout, pane);
    if (this.focused || this.selected) {
      // Zooming in around a cell near an edge would push its ring out of view.
      ensureVisible(to, pfnCol(this.layout, this.cursor), pfnRow(this.layout, this.cursor), pane);
      clampCamera(to, this.layout, pane);
    }
    this.fitted = false;
    this.animateTo(to);
  }

  /** Pans (or zooms out) so that every highlighted frame is in view; nothing when they are. */
  private revealHighlight(): void {
    this.revealPending = false;
    const bounds = this.overlay.highlightBounds();
    if (!bounds) return;
    const to = revealCells(this.targetCamera(), bounds, this.layout, this.pane());
    if (!to) return;
    this.fitted = false;
    this.animateTo(to);
  }

  /** Zooms so that the highlighted frames fill the view (as far as MAX_SCALE allows). */
  zoomToHighlight(): void {
    const bounds = this.overlay.highlightBounds();
    if (!bounds || this.size.width === 0) return;
    this.fitted = false;
    this.animateTo(cameraOn(bounds, this.layout, this.pane()));
  }

  /** Shows the whole map again. */
  fit(): void {
    if (this.size.width === 0) return;
    this.fitted = true;
    this.animateTo(fitCamera(this.layout, this.pane()));
  }

  private targetCamera(): Camera {
    return this.animation ? this.animation.to : this.scene.camera;
  }

  private animateTo(to: Camera): void {
    const cam = this.scene.camera;
    if (this.reducedMotion?.matches) {
      this.animation = null;
      Object.assign(cam, to);
      this.cameraMoved();
      return;
    }
    this.animation = { from: { ...cam }, to, start: -1 };
  }

  private stepAnimation(now: number): void {
    const a = this.animation!;
    if (a.start < 0) a.start = now;
    const t = Math.min(1, (now - a.start) / ANIMATION_MS);
    const e = 1 - (1 - t) ** 3;
    const cam = this.scene.camera;
    // Interpolate the scale geometrically and the view's centre linearly, so a zoom neither lurches
    // nor drifts sideways.
    const pane = this.pane();
    const scale = a.from.scale * (a.to.scale / a.from.scale) ** e;
    const cx = lerp(a.from.x + pane.width / 2 / a.from.scale, a.to.x + pane.width / 2 / a.to.scale, e);
    const cy = lerp(a.from.y + pane.height / 2 / a.from.scale, a.to.y + pane.height / 2 / a.to.scale, e);
    cam.scale = scale;
    cam.x = cx - pane.width / 2 / scale;
    cam.y = cy - pane.height / 2 / scale;
    if (t >= 1) {
      Object.assign(cam, a.to);
      this.animation = null;
    }
    this.cameraMoved();
  }

  /** data-ready, for tests and whoever waits on the map: drawn once, and taking input. */
  private markReady(): void {
    if (this.ready && this.input) this.o.region.dataset.ready = 'true';
  }

  // ── Input (input.ts calls these) ─────────────────────────────────────────────────────────────────

  /** The frame at region point (x, y), or -1. */
  private pfnAtPoint(x: number, y: number): number {
    const k = paneAt(this.scene.panes, x, y);
    if (k < 0) return -1;
    const p = this.scene.panes[k];
    return pfnAt(this.scene.camera, x - p.x, y - p.y, this.layout);
  }

  zoomAtPoint(factor: number, x: number, y: number): boolean {
    if (this.size.width === 0) return false;
    const k = paneAt(this.scene.panes, x, y);
    if (k < 0) return false;
    const p = this.scene.panes[k];
    this.animation = null;
    this.fitted = false;
    zoomAt(this.scene.camera, factor, x - p.x, y - p.y, this.layout, p);
    this.cameraMoved();
    return true;
  }

  panBy(dx: number, dy: number): void {
    this.animation = null;
    this.fitted = false;
    panBy(this.scene.camera, dx, dy, this.layout, this.pane());
    this.cameraMoved();
  }

  dragging(on: boolean): void {
    this.o.region.classList.toggle('is-dragging', on);
  }

  tapAt(x: number, y: number): void {
    const pfn = this.pfnAtPoint(x, y);
    if (pfn < 0) return;
    this.moveCursor(pfn, false);
    this.select();
  }

  hoverAt(x: number, y: number, hidden: boolean): void {
    const pfn = hidden ? -1 : this.pfnAtPoint(x, y);
    if (pfn !== this.hover) {
      this.hover = pfn;
      this.sceneChanged = true;
      if (pfn >= 0) this.o.region.dataset.hover = String(pfn);
      else delete this.o.region.dataset.hover;
    }
    if (pfn < 0) this.facts.hideTooltip();
    else this.facts.placeTooltip(x, y, this.size.width, this.size.height);
  }

  key(intent: KeyIntent): void {
    switch (intent.kind) {
      case 'move':
        this.moveCursor(intent.to, true);
        break;
      case 'zoom':
        this.zoomBy(intent.factor);
        break;
      case 'fit':
        this.fit();
        break;
      case 'select':
        this.select();
        break;
      case 'escape':
        this.hoverAt(0, 0, true);
        break;
    }
  }

  private moveCursor(pfn: number, follow: boolean): void {
    this.cursor = pfn;
    this.o.region.dataset.cursor = String(pfn);
    this.sceneChanged = true;
    if (follow && this.size.width > 0) {
      const cam = this.animation ? this.animation.to : this.scene.camera;
      ensureVisible(cam, pfnCol(this.layout, pfn), pfnRow(this.layout, pfn), this.pane());
      clampCamera(cam, this.layout, this.pane());
      this.fitted = false;
      this.cameraMoved();
    }
    this.announceSoon();
  }

  private select(): void {
    this.selected = true;
    this.sceneChanged = true;
    this.o.onSelect?.(asPfn(this.cursor));
  }

  private onFocus = (): void => {
    this.focused = true;
    this.sceneChanged = true;
    this.announceSoon();
  };

  private onBlur = (): void => {
    this.focused = false;
    this.sceneChanged = true;
  };

  /** The cursor's description for screen readers, once the keys stop for a moment. */
  private announceSoon(): void {
    this.facts.announceSoon(() =>
      this.frames && this.host ? { pfn: this.cursor, frames: this.frames, host: this.host } : null,
    );
  }

  dispose(): void {
    this.disposed = true;
    this.facts.dispose();
    this.input?.dispose();
    const r = this.o.region;
    r.removeEventListener('focus', this.onFocus);
    r.removeEventListener('blur', this.onBlur);
    this.resizeObserver.disconnect();
    this.dprQuery?.removeEventListener('change', this.onDprChange);
    this.renderer.dispose();
    this.canvas.remove();
    this.overlay.canvas.remove();
    delete r.dataset.ready;
  }
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}
