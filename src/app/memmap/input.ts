// The memory map's input, turned into intents: wheel or pinch zooms at a point, drag pans, a click or
// tap selects a cell; on the focused map, arrows move the cursor (Shift: 16 at a time), PageUp and
// PageDown a screenful, Home/End to the row's ends (with Ctrl: to the first or last frame), + and −
// zoom, 0 fits, Enter or Space selects, Escape hides the tooltip. No camera here: the controller
// carries the intents out.

const ZOOM_STEP = 2;
const DRAG_THRESHOLD = 4;

/** What the controller does for the input. Points are CSS pixels from the region's top-left corner. */
export interface MapActions {
  /** Zooms by `factor` at region point (x, y); false when the point is on no pane (the page scrolls). */
  zoomAtPoint(factor: number, x: number, y: number): boolean;
  panBy(dx: number, dy: number): void;
  /** The pointer is over region point (x, y); hidden: it left the map. */
  hoverAt(x: number, y: number, hidden: boolean): void;
  /** A click or tap at region point (x, y). */
  tapAt(x: number, y: number): void;
  /** A drag started or ended (for the cursor's look). */
  dragging(on: boolean): void;
  key(intent: KeyIntent): void;
}

export type KeyIntent =
  | { kind: 'move'; to: number }
  | { kind: 'zoom'; factor: number }
  | { kind: 'fit' }
  | { kind: 'select' }
  | { kind: 'escape' };

export interface CursorGrid {
  cursor: number;
  cols: number;
  frames: number;
  /** Map rows a screenful moves. */
  pageRows: number;
}

/** What a key does on the focused map, or null if the map leaves it to the page. */
export function keyIntent(
  e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey'>,
  g: CursorGrid,
): KeyIntent | null {
  const { cols, frames, cursor: c } = g;
  const step = e.shiftKey ? 16 : 1;
  let to: number;
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
      to = c - g.pageRows * cols;
      break;
    case 'PageDown':
      to = c + g.pageRows * cols;
      break;
    case 'Home':
      to = e.ctrlKey || e.metaKey ? 0 : c - (c % cols);
      break;
    case 'End':
      to = e.ctrlKey || e.metaKey ? frames - 1 : Math.min(frames - 1, c - (c % cols) + cols - 1);
      break;
    case '+':
    case '=':
      return { kind: 'zoom', factor: ZOOM_STEP };
    case '-':
    case '_':
      return { kind: 'zoom', factor: 1 / ZOOM_STEP };
    case '0':
      return { kind: 'fit' };
    case 'Enter':
    case ' ':
      return { kind: 'select' };
    case 'Escape':
      return { kind: 'escape' };
    default:
      return null;
  }
  return { kind: 'move', to: Math.min(frames - 1, Math.max(0, to)) };
}

/** Listens on the region and turns its events into MapActions calls; dispose() stops listening. */
export class MapInput {
  private readonly pointers = new Map<number, { x: number; y: number }>();
  private readonly drag = { active: false, moved: false, startX: 0, startY: 0, lastX: 0, lastY: 0, pinch: 0 };

  constructor(
    private readonly region: HTMLElement,
    private readonly actions: MapActions,
    /** The cursor's grid now, or null while the map has no panes (keys then go to the page). */
    private readonly grid: () => CursorGrid | null,
  ) {
    region.addEventListener('wheel', this.onWheel, { passive: false });
    region.addEventListener('pointerdown', this.onPointerDown);
    region.addEventListener('pointermove', this.onPointerMove);
    region.addEventListener('pointerup', this.onPointerUp);
    region.addEventListener('pointercancel', this.onPointerUp);
    region.addEventListener('pointerleave', this.onPointerLeave);
    region.addEventListener('keydown', this.onKeyDown);
  }

  dispose(): void {
    const r = this.region;
    r.removeEventListener('wheel', this.onWheel);
    r.removeEventListener('pointerdown', this.onPointerDown);
    r.removeEventListener('pointermove', this.onPointerMove);
    r.removeEventListener('pointerup', this.onPointerUp);
    r.removeEventListener('pointercancel', this.onPointerUp);
    r.removeEventListener('pointerleave', this.onPointerLeave);
    r.removeEventListener('keydown', this.onKeyDown);
  }

  /** A pointer event's position in CSS pixels from the region's top-left corner. */
  private local(e: PointerEvent | WheelEvent): { x: number; y: number } {
    const r = this.region.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private onWheel = (e: WheelEvent): void => {
    const { x, y } = this.local(e);
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    if (this.actions.zoomAtPoint(Math.exp(-e.deltaY * unit * 0.002), x, y)) e.preventDefault();
  };

  private onPointerDown = (e: PointerEvent): void => {
    if (e.button !== 0) return;
    const pt = this.local(e);
    this.pointers.set(e.pointerId, pt);
    this.region.setPointerCapture?.(e.pointerId);
    const d = this.drag;
    if (this.pointers.size === 1) {
      d.active = true;
      d.moved = false;
      d.startX = d.lastX = pt.x;
      d.startY = d.lastY = pt.y;
    } else if (this.pointers.size === 2) {
      d.moved = true;
      const [a, b] = [...this.pointers.values()];
      d.pinch = Math.hypot(a.x - b.x, a.y - b.y);
    }
  };

  private onPointerMove = (e: PointerEvent): void => {
    const pt = this.local(e);
    const d = this.drag;
    if (this.pointers.has(e.pointerId)) this.pointers.set(e.pointerId, pt);
    if (this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      const dist = Math.hypot(a.x - b.x, a.y - b.y);
      if (d.pinch > 0) this.actions.zoomAtPoint(dist / d.pinch, (a.x + b.x) / 2, (a.y + b.y) / 2);
      d.pinch = dist;
      return;
    }
    if (d.active) {
      if (!d.moved && Math.hypot(pt.x - d.startX, pt.y - d.startY) >= DRAG_THRESHOLD) {
        d.moved = true;
        this.actions.dragging(true);
      }
      if (d.moved) this.actions.panBy(pt.x - d.lastX, pt.y - d.lastY);
      d.lastX = pt.x;
      d.lastY = pt.y;
    }
    if (e.pointerType !== 'touch') this.actions.hoverAt(pt.x, pt.y, false);
  };

  private onPointerUp = (e: PointerEvent): void => {
    const d = this.drag;
    const wasTap = d.active && !d.moved && this.pointers.size === 1;
    this.pointers.delete(e.pointerId);
    if (this.pointers.size === 0) {
      d.active = false;
      this.actions.dragging(false);
    }
    if (wasTap && e.type === 'pointerup') {
      const pt = this.local(e);
      this.actions.tapAt(pt.x, pt.y);
    }
  };

  private onPointerLeave = (): void => {
    this.actions.hoverAt(0, 0, true);
  };

  private onKeyDown = (e: KeyboardEvent): void => {
    if (e.altKey) return;
    const g = this.grid();
    if (!g) return;
    const intent = keyIntent(e, g);
    if (!intent) return;
    // Handled: the page must not scroll too.
    e.preventDefault();
    this.actions.key(intent);
  };
}
