// What the memory map says in words about one frame: the tooltip beside the pointer, the visible
// inspector line and the polite live region for screen readers. It rewrites them only when the
// inspected frame or its states change. No camera, no input: the controller tells it which frame.
import { type Describe, frameFacts, hexPfn, sentence } from './inspect.ts';

const ANNOUNCE_DELAY_MS = 120;
const IDLE_TEXT = 'Point at a cell, or focus the map and use the arrow keys, to inspect a frame.';

export interface FactsElements {
  tooltip: HTMLElement;
  /** A visible line that describes the hovered or focused cell. */
  inspector: HTMLElement;
  /** A polite live region: the cursor's cell, after each move. */
  live: HTMLElement;
}

type TooltipFields = Record<'pfn' | 'gpa' | 'guest' | 'owner' | 'host', HTMLElement>;

export class MapFacts {
  private readonly fields: TooltipFields;
  /** What the tooltip and inspector show now (pfn −2: nothing yet, redraw at the next frame). */
  private readonly shown = { pfn: -2, guest: -1, host: -1 };
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly el: FactsElements,
    private describe: Describe | undefined,
  ) {
    this.fields = buildTooltip(el.tooltip);
    el.tooltip.hidden = true;
  }

  setDescribe(describe: Describe | undefined): void {
    this.describe = describe;
    this.invalidate();
  }

  /** The tables or the owners changed in a way the states do not show: rewrite at the next show(). */
  invalidate(): void {
    this.shown.pfn = -2;
  }

  /**
   * Describes frame `pfn` (−1: none) in the inspector, and in the tooltip when `hovered`. Cheap when
   * nothing changed: called every frame.
   */
  show(pfn: number, hovered: boolean, frames: Uint8Array, host: Uint8Array): void {
    const shown = this.shown;
    if (pfn === shown.pfn && (pfn < 0 || (frames[pfn] === shown.guest && host[pfn] === shown.host))) return;
    shown.pfn = pfn;
    const { inspector, tooltip } = this.el;
    if (pfn < 0 || pfn >= frames.length) {
      inspector.textContent = IDLE_TEXT;
      delete inspector.dataset.pfn;
      tooltip.hidden = true;
      return;
    }
    shown.guest = frames[pfn];
    shown.host = host[pfn];
    const f = frameFacts(pfn, frames, host, this.describe);
    const t = this.fields;
    t.pfn.textContent = `${f.pfn.toLocaleString('en')} (${hexPfn(f.pfn)})`;
    t.gpa.textContent = f.gpa;
    t.guest.textContent = f.state;
    t.owner.textContent = f.owner ?? '—';
    t.host.textContent = f.host;
    tooltip.dataset.guest = f.stateKey;
    tooltip.dataset.host = f.hostKey;
    tooltip.hidden = !hovered;
    inspector.textContent = sentence(f);
    inspector.dataset.pfn = String(pfn);
  }

  /** Puts the tooltip beside region point (x, y), flipped to stay inside a region of `width`×`height`. */
  placeTooltip(x: number, y: number, width: number, height: number): void {
    const tip = this.el.tooltip;
    const flipX = x > width - 260;
    const flipY = y > height - 130;
    tip.style.left = `${flipX ? x - 14 : x + 14}px`;
    tip.style.top = `${flipY ? y - 14 : y + 14}px`;
    tip.style.transform = `translate(${flipX ? '-100%' : '0'}, ${flipY ? '-100%' : '0'})`;
  }

  hideTooltip(): void {
    this.el.tooltip.hidden = true;
  }

  /** The frame's description for screen readers, once the keys stop for a moment (holding an arrow would flood it). */
  announceSoon(read: () => { pfn: number; frames: Uint8Array; host: Uint8Array } | null): void {
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => {
      const now = this.disposed ? null : read();
      if (!now) return;
      this.el.live.textContent = sentence(frameFacts(now.pfn, now.frames, now.host, this.describe));
    }, ANNOUNCE_DELAY_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.announceTimer);
  }
}

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
