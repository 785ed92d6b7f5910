// The memory map without React: it owns the canvases, the camera, pointer and keyboard input, the
// address labels, the tooltip and the descriptions, and draws once a frame when the frame loop calls
// it (frame-loop.ts). MemoryMap.tsx only creates it and passes props along.
//
// Input: wheel or pinch zooms at the pointer, drag pans, a click or tap selects a cell. On the focused
// map, arrows move the cursor (Shift: 16 at a time), PageUp/PageDown a screenful, Home/End to the row's
// ends (with Ctrl: to the first or last frame), + and − zoom, 0 fits, Enter selects.
import { asPfn, type Pfn } from '../../core/units.ts';
import {
  type Camera,
  cameraOn,
  clampCamera,
  emptyGrid,
  ensureVisible,
  fitCamera,
  gridAt,
  labelEvery,
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
import { createCanvasRenderer } from './canvas-renderer.ts';
import type { FrameConsumer } from './frame-loop.ts';
import { createGlRenderer } from './gl-renderer.ts';
import {
  boundsOf,
  type CellRect,
  type Highlight,
  highlightOf,
  highlightRects,
  NO_HIGHLIGHT,
} from './highlight.ts';
import { type Describe, frameFacts, hexPfn, sentence, shortOffset } from './inspect.ts';
import { type MapLayout, mapLayout, pfnCol, pfnRow } from './layout.ts';
import { CHROME, type Theme } from './palette.ts';
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
const CAPTIONS = { guest: "Guest's view: frame states", host: "Host's view: backing" } as const;
const ZOOM_STEP = 2;
const DRAG_THRESHOLD = 4;
const ANIMATION_MS = 180;
const ANNOUNCE_DELAY_MS = 120;
/** A highlighted run is outlined at least this many CSS pixels tall and wide, whatever the zoom. */
const HIGHLIGHT_MIN_PX = 6;

interface Animation {
  from: Camera;
  to: Camera;
  start: number;
}

export class MapController implements FrameConsumer {
  readonly renderer: MapRenderer;
  private readonly o: MapControllerOptions;
  private canvas: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private readonly overlayCtx: CanvasRenderingContext2D;
  private readonly scene: MapScene;
  private layout: MapLayout = mapLayout(1);
  private frames: Uint8Array | null = null;
  private host: Uint8Array | null = null;
  private size: Size = { width: 0, height: 0 };
  private measured = { width: 0, height: 0, deviceWidth: 0, deviceHeight: 0 };
  private fitted = true;
  private sizeChanged = true;
  private sceneChanged = true;
  private overlayChanged = true;
  private animation: Animation | null = null;
  private focused = false;
  private selected = false;
  private cursor = 0;
  private hover = -1;
  private shown = { pfn: -2, guest: -1, host: -1 };
  private pointers = new Map<number, { x: number; y: number }>();
  private drag = { active: false, moved: false, startX: 0, startY: 0, lastX: 0, lastY: 0, pinch: 0 };
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly resizeObserver: ResizeObserver;
  private dprQuery: MediaQueryList | null = null;
  private readonly reducedMotion: MediaQueryList | null;
  private readonly tooltipFields: TooltipFields;
  private disposed = false;
  private ready = false;
  private highlightPfns: ArrayLike<number> = [];
  private highlight: Highlight = NO_HIGHLIGHT;
  private highlightCells: CellRect[] = [];
  /** The highlight changed: show it (pan or zoom out) once the map has a size. */
  private revealPending = false;

  constructor(options: MapControllerOptions) {
    this.o = { ...options };
    const { region, stage } = options;
    this.canvas = document.createElement('canvas');
    this.overlay = document.createElement('canvas');
    this.canvas.className = 'memmap-canvas';
    this.overlay.className = 'memmap-overlay';
    for (const c of [this.canvas, this.overlay]) c.setAttribute('aria-hidden', 'true');
    stage.append(this.canvas, this.overlay);
    this.renderer = this.createRenderer(options.renderer);
    this.overlayCtx = this.overlay.getContext('2d')!;
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
    region.dataset.highlight = '0';
    this.tooltipFields = buildTooltip(options.tooltip);
    options.tooltip.hidden = true;

    this.resizeObserver = new ResizeObserver(this.onResize);
    try {
      this.resizeObserver.observe(region, { box: 'device-pixel-content-box' });
    } catch {
      this.resizeObserver.observe(region);
    }
    this.watchDpr();
    this.reducedMotion =
      typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;

    region.addEventListener('wheel', this.onWheel, { passive: false });
    region.addEventListener('pointerdown', this.onPointerDown);
    region.addEventListener('pointermove', this.onPointerMove);
    region.addEventListener('pointerup', this.onPointerUp);
    region.addEventListener('pointercancel', this.onPointerUp);
    region.addEventListener('pointerleave', this.onPointerLeave);
    region.addEventListener('keydown', this.onKeyDown);
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
    const c2d = createCanvasRenderer(this.canvas);
    if (!c2d) throw new Error('memory map: this browser has neither WebGL2 nor Canvas2D');
    return c2d;
  }

  // ── Props ─────────────────────────────────────────────────────────────────────────────────────────

  setTheme(theme: Theme): void {
    if (theme === this.scene.theme) return;
    this.scene.theme = theme;
    this.sceneChanged = true;
    this.overlayChanged = true;
  }

  setMode(mode: ViewMode): void {
    if (mode === this.o.mode) return;
    this.o.mode = mode;
    this.sizeChanged = true;
  }

  setDescribe(describe: Describe | undefined): void {
    this.o.describe = describe;
    this.shown.pfn = -2;
  }

  setOnSelect(onSelect: ((pfn: Pfn) => void) | undefined): void {
    this.o.onSelect = onSelect;
  }

  /**
   * Outlines these frames (PFNs past the end of RAM are left out), and brings them into view when
   * they are not; an empty list clears the highlight.
   */
  setHighlight(pfns: ArrayLike<number>): void {
    this.highlightPfns = pfns;
    this.applyHighlight();
    this.revealPending = this.highlight.frames > 0;
  }

  /** The frames highlighted now, as runs, with what was left out. */
  get highlighted(): Highlight {
    return this.highlight;
  }

  private applyHighlight(): void {
    // Before the first frame the map's size is not known: the frames are clipped once it is.
    this.highlight = this.frames ? highlightOf(this.highlightPfns, this.layout.frames) : NO_HIGHLIGHT;
    this.highlightCells = highlightRects(this.layout, this.highlight.runs);
    this.o.region.dataset.highlight = String(this.highlight.frames);
    this.overlayChanged = true;
  }

  /** The data changed in a way the dirty bytes do not show: upload everything next frame. */
  invalidate(): void {
    this.renderer.invalidate();
    this.sceneChanged = true;
    this.shown.pfn = -2;
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
      if (this.overlayChanged) this.drawOverlay();
      if (!this.ready) {
        // For tests and for whoever waits on the first picture; the mark times it from navigation.
        this.o.region.dataset.ready = 'true';
        this.ready = true;
        performance.mark(FIRST_FRAME_MARK);
      }
    }
    this.showFacts(source.frames, source.host);
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
    this.shown.pfn = -2;
    this.applyHighlight();
  }

  private applySize(): void {
    this.sizeChanged = false;
    const m = this.measured;
    if (m.width === 0 || m.height === 0) return;
    for (const c of [this.canvas, this.overlay]) {
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
    this.overlayChanged = true;
  }

  private redrawOverlay(): void {
    this.overlayChanged = true;
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
    const bounds = boundsOf(this.highlightCells);
    if (!bounds) return;
    const to = revealCells(this.targetCamera(), bounds, this.layout, this.pane());
    if (!to) return;
    this.fitted = false;
    this.animateTo(to);
  }

  /** Zooms so that the highlighted frames fill the view (as far as MAX_SCALE allows). */
  zoomToHighlight(): void {
    const bounds = boundsOf(this.highlightCells);
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

  // ── Pointer ───────────────────────────────────────────────────────────────────────────────────────

  /** A pointer event's position in CSS pixels from the region's top-left corner. */
  private local(e: PointerEvent | WheelEvent): { x: number; y: number } {
    const r = this.o.region.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  /** The frame at region point (x, y), or -1. */
  private pfnAtPoint(x: number, y: number): number {
    const k = paneAt(this.scene.panes, x, y);
    if (k < 0) return -1;
    const p = this.scene.panes[k];
    return pfnAt(this.scene.camera, x - p.x, y - p.y, this.layout);
  }

  private onWheel = (e: WheelEvent): void => {
    if (this.size.width === 0) return;
    const { x, y } = this.local(e);
    const k = paneAt(this.scene.panes, x, y);
    if (k < 0) return;
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const factor = Math.exp(-e.deltaY * unit * 0.002);
    const p = this.scene.panes[k];
    this.animation = null;
    this.fitted = false;
    zoomAt(this.scene.camera, factor, x - p.x, y - p.y, this.layout, this.pane());
    this.cameraMoved();
  };

  private onPointerDown = (e: PointerEvent): void => {
    if (e.button !== 0) return;
    const pt = this.local(e);
    this.pointers.set(e.pointerId, pt);
    this.o.region.setPointerCapture?.(e.pointerId);
    const d = this.drag;
    if (this.pointers.size === 1) {
      d.active = true;
      d.moved = false;
      d.startX = d.lastX = pt.x;
      d.startY = d.lastY = pt.y;
    } else if (this.pointers.size === 2) {
      d.moved = true;
      d.pinch = this.pinchDistance();
    }
  };

  private pinchDistance(): number {
    const [a, b] = [...this.pointers.values()];
    return Math.hypot(a.x - b.x, a.y - b.y);
  }

  private onPointerMove = (e: PointerEvent): void => {
    const pt = this.local(e);
    const d = this.drag;
    if (this.pointers.has(e.pointerId)) this.pointers.set(e.pointerId, pt);
    if (this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      const dist = Math.hypot(a.x - b.x, a.y - b.y);
      const k = paneAt(this.scene.panes, (a.x + b.x) / 2, (a.y + b.y) / 2);
      if (d.pinch > 0 && k >= 0) {
        const p = this.scene.panes[k];
        this.fitted = false;
        zoomAt(
          this.scene.camera,
          dist / d.pinch,
          (a.x + b.x) / 2 - p.x,
          (a.y + b.y) / 2 - p.y,
          this.layout,
          p,
        );
        this.cameraMoved();
      }
      d.pinch = dist;
      return;
    }
    if (d.active) {
      if (!d.moved && Math.hypot(pt.x - d.startX, pt.y - d.startY) >= DRAG_THRESHOLD) {
        d.moved = true;
        this.o.region.classList.add('is-dragging');
      }
      if (d.moved) {
        this.animation = null;
        this.fitted = false;
        panBy(this.scene.camera, pt.x - d.lastX, pt.y - d.lastY, this.layout, this.pane());
        this.cameraMoved();
      }
      d.lastX = pt.x;
      d.lastY = pt.y;
    }
    if (e.pointerType !== 'touch') this.setHover(this.pfnAtPoint(pt.x, pt.y), pt.x, pt.y);
  };

  private onPointerUp = (e: PointerEvent): void => {
    const d = this.drag;
    const wasTap = d.active && !d.moved && this.pointers.size === 1;
    this.pointers.delete(e.pointerId);
    if (this.pointers.size === 0) {
      d.active = false;
      this.o.region.classList.remove('is-dragging');
    }
    if (wasTap && e.type === 'pointerup') {
      const pt = this.local(e);
      const pfn = this.pfnAtPoint(pt.x, pt.y);
      if (pfn >= 0) {
        this.moveCursor(pfn, false);
        this.select();
      }
    }
  };

  private onPointerLeave = (): void => {
    this.setHover(-1, 0, 0);
  };

  private setHover(pfn: number, x: number, y: number): void {
    const tip = this.o.tooltip;
    if (pfn !== this.hover) {
      this.hover = pfn;
      this.sceneChanged = true;
      if (pfn >= 0) this.o.region.dataset.hover = String(pfn);
      else delete this.o.region.dataset.hover;
    }
    if (pfn < 0) {
      tip.hidden = true;
      return;
    }
    // Beside the pointer, flipped to stay inside the region.
    const flipX = x > this.size.width - 260;
    const flipY = y > this.size.height - 130;
    tip.style.left = `${flipX ? x - 14 : x + 14}px`;
    tip.style.top = `${flipY ? y - 14 : y + 14}px`;
    tip.style.transform = `translate(${flipX ? '-100%' : '0'}, ${flipY ? '-100%' : '0'})`;
  }

  // ── Keyboard ──────────────────────────────────────────────────────────────────────────────────────

  private onKeyDown = (e: KeyboardEvent): void => {
    if (e.altKey || this.scene.panes.length === 0) return;
    const { cols, frames } = this.layout;
    const step = e.shiftKey ? 16 : 1;
    const pageRows = Math.max(1, Math.floor(this.pane().height / this.scene.camera.scale) - 1);
    const c = this.cursor;
    let to = Number.NaN;
    switch (e.key) {
      case 'ArrowLeft':
        to = c - step;
        break;
      case 'ArrowRight':
        to = c + step;
        break;
      case 'ArrowUp':
        to = c - step * cols;
        break;
      case 'ArrowDown':
        to = c + step * cols;
        break;
      case 'PageUp':
        to = c - pageRows * cols;
        break;
      case 'PageDown':
        to = c + pageRows * cols;
        break;
      case 'Home':
        to = e.ctrlKey || e.metaKey ? 0 : c - (c % cols);
        break;
      case 'End':
        to = e.ctrlKey || e.metaKey ? frames - 1 : Math.min(frames - 1, c - (c % cols) + cols - 1);
        break;
      case '+':
      case '=':
        this.zoomBy(ZOOM_STEP);
        break;
      case '-':
      case '_':
        this.zoomBy(1 / ZOOM_STEP);
        break;
      case '0':
        this.fit();
        break;
      case 'Enter':
      case ' ':
        this.select();
        break;
      case 'Escape':
        this.setHover(-1, 0, 0);
        break;
      default:
        return;
    }
    // Handled: the page must not scroll too.
    e.preventDefault();
    if (!Number.isNaN(to)) this.moveCursor(Math.min(frames - 1, Math.max(0, to)), true);
  };

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

  /** The cursor's description, once the keys stop for a moment (holding an arrow would flood it). */
  private announceSoon(): void {
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => {
      if (!this.frames || !this.host || this.disposed) return;
      this.o.live.textContent = sentence(frameFacts(this.cursor, this.frames, this.host, this.o.describe));
    }, ANNOUNCE_DELAY_MS);
  }

  // ── Facts: tooltip and inspector ──────────────────────────────────────────────────────────────────

  /** Rewrites the tooltip and the inspector when the inspected frame or its states change. */
  private showFacts(frames: Uint8Array, host: Uint8Array): void {
    const pfn = this.hover >= 0 ? this.hover : this.focused || this.selected ? this.cursor : -1;
    const shown = this.shown;
    if (pfn === shown.pfn && (pfn < 0 || (frames[pfn] === shown.guest && host[pfn] === shown.host))) return;
    shown.pfn = pfn;
    const { inspector, tooltip } = this.o;
    if (pfn < 0 || pfn >= frames.length) {
      inspector.textContent = 'Point at a cell, or focus the map and use the arrow keys, to inspect a frame.';
      delete inspector.dataset.pfn;
      tooltip.hidden = true;
      return;
    }
    shown.guest = frames[pfn];
    shown.host = host[pfn];
    const f = frameFacts(pfn, frames, host, this.o.describe);
    const t = this.tooltipFields;
    t.pfn.textContent = `${f.pfn.toLocaleString('en')} (${hexPfn(f.pfn)})`;
    t.gpa.textContent = f.gpa;
    t.guest.textContent = f.state;
    t.owner.textContent = f.owner ?? '—';
    t.host.textContent = f.host;
    tooltip.dataset.guest = f.stateKey;
    tooltip.dataset.host = f.hostKey;
    tooltip.hidden = this.hover < 0;
    inspector.textContent = sentence(f);
    inspector.dataset.pfn = String(pfn);
  }

  // ── Overlay: captions, borders, address labels ───────────────────────────────────────────────────

  private drawOverlay(): void {
    this.overlayChanged = false;
    const ctx = this.overlayCtx;
    const { dpr, camera: cam, panes, theme } = this.scene;
    const { cols, rows } = this.layout;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const every = labelEvery(this.scene.grid, cam.scale);
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
    if (this.highlightCells.length > 0) this.drawHighlight(ctx);
  }

  /**
   * The highlighted runs, outlined in the ink colour on a halo of the background, in every pane: at
   * least HIGHLIGHT_MIN_PX across, so a run stays visible when a cell is smaller than a pixel.
   */
  private drawHighlight(ctx: CanvasRenderingContext2D): void {
    const { camera: cam, panes, theme } = this.scene;
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
        for (const r of this.highlightCells) {
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

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.announceTimer);
    const r = this.o.region;
    r.removeEventListener('wheel', this.onWheel);
    r.removeEventListener('pointerdown', this.onPointerDown);
    r.removeEventListener('pointermove', this.onPointerMove);
    r.removeEventListener('pointerup', this.onPointerUp);
    r.removeEventListener('pointercancel', this.onPointerUp);
    r.removeEventListener('pointerleave', this.onPointerLeave);
    r.removeEventListener('keydown', this.onKeyDown);
    r.removeEventListener('focus', this.onFocus);
    r.removeEventListener('blur', this.onBlur);
    this.resizeObserver.disconnect();
    this.dprQuery?.removeEventListener('change', this.onDprChange);
    this.renderer.dispose();
    this.canvas.remove();
    this.overlay.remove();
    delete r.dataset.ready;
  }
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** [a, b] grown about its middle to `size`. */
function grow(a: number, b: number, size: number): [number, number] {
  const mid = (a + b) / 2;
  return [mid - size / 2, mid + size / 2];
}

type TooltipFields = Record<'pfn' | 'gpa' | 'guest' | 'owner' | 'host', HTMLElement>;

function buildTooltip(tooltip: HTMLElement): TooltipFields {
  const dl = document.createElement('dl');
  const field = (label: string) => {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dl.append(dt, dd);
    return dd;
  };
  const fields = {
    pfn: field('PFN'),
    gpa: field('GPA'),
    guest: field('Guest'),
    owner: field('Owner'),
    host: field('Host'),
  };
  tooltip.replaceChildren(dl);
  return fields;
}
