// What a stop points at, put on the panels once the run stands at the stop: frames outlined on the map
// (the lab's own highlight), a callout on a number in a panel, a slot in the virtqueue inspector,
// lines in the driver view, a point on a plot. Labels are filled from the stop's measures.

import { availIdx } from '../../core/ring-layout.ts';
import { fillPlaceholders, type ReachedStop } from '../../lessons/engine.ts';
import type { Highlight, Side } from '../../lessons/lesson.ts';
import { framesIn, queuesOf, simulationOf, traceOf } from '../../sim/view.ts';
import type { AppServices } from '../context.tsx';
import { readAvailEntry } from '../inspector/rings.ts';
import { type LessonMarks, lessonStore, NO_MARKS } from './state.ts';

export const CALLOUT_ATTR = 'data-callout';

/** A highlight's label with its placeholders filled, or `fallback`. */
export function labelOf(h: Highlight, stop: ReachedStop, fallback = ''): string {
  return h.label ? fillPlaceholders(h.label, stop.measures) : fallback;
}

/** Removes every number callout from the page. */
export function clearCallouts(root: ParentNode = document): void {
  for (const el of root.querySelectorAll(`[${CALLOUT_ATTR}]`)) el.removeAttribute(CALLOUT_ATTR);
}

/**
 * The element showing `measure` in `panel` (the panel's `data-panel`, else anywhere on the page), on
 * `side`'s half in a compare view.
 */
export function measureElement(panel: string, measure: string, side?: Side): HTMLElement | null {
  // The compare view's numbers table: one row per measure, a cell per run.
  const compared = side
    ? document.querySelector<HTMLElement>(`[data-testid="compare.${side}.${measure}"]`)
    : null;
  if (compared) return compared;
  const scope = side ? `[data-side="${side}"] ` : '';
  return (
    document.querySelector<HTMLElement>(
      `${scope}[data-panel="${panel}"] [data-measure="${measure}"]${NOT_PROSE}`,
    ) ?? document.querySelector<HTMLElement>(`${scope}[data-measure="${measure}"]${NOT_PROSE}`)
  );
}

/**
 * Measures no panel shows as such, and the number a callout on them sits on: a change of host RSS is
 * called out on host RSS, actual in MiB on actual.
 */
export const SHOWN_AS: Readonly<Record<string, string>> = {
  rssChangeMiB: 'hostRssMiB',
  rssDropMiB: 'hostRssMiB',
  hostRssPeakMiB: 'hostRssMiB',
  actualMiB: 'actual',
  numPagesMiB: 'numPages',
  gapPages: 'actual',
  balloonPages: 'actual',
  targetMiB: 'numPages',
};

/** The lesson pane's own numbers carry their measure too; a callout goes on the panels', not on them. */
const NOT_PROSE = ':not(.lesson-num)';

/** Where a panel shows a measure, by the element's test id (where no element carries the measure). */
const SHOWN_AT: Readonly<Record<string, string>> = {
  hostRssMiB: 'host.rss',
  numPages: 'host.num_pages',
  actual: 'host.actual',
  memTotalMiB: 'guest.MemTotal',
  memFreeMiB: 'guest.MemFree',
  memAvailableMiB: 'guest.MemAvailable',
  balloonPages: 'guest.balloon',
  statFreeMiB: 'stats.stat-free-memory',
  statTotalMiB: 'stats.stat-total-memory',
  statAvailableMiB: 'stats.stat-available-memory',
  statCachesMiB: 'stats.stat-disk-caches',
  statMinorFaults: 'stats.stat-minor-faults',
  needsReset: 'host.status',
  deviceErrors: 'host.needs-reset',
  errorMessage: 'host.needs-reset',
};

/** Puts the stop's callouts on their numbers; returns how many found their number. */
export function placeCallouts(highlights: readonly Highlight[], stop: ReachedStop): number {
  clearCallouts();
  let placed = 0;
  for (const h of highlights) {
    if (h.on !== 'number') continue;
    const shownAs = SHOWN_AS[h.measure];
    const el =
      measureElement(h.panel, h.measure, h.side) ??
      (shownAs ? measureElement(h.panel, shownAs, h.side) : null) ??
      shownAt(h.measure) ??
      (shownAs ? shownAt(shownAs) : null);
    if (!el) continue;
    el.setAttribute(CALLOUT_ATTR, labelOf(h, stop, h.measure));
    revealInColumn(el);
    placed++;
  }
  return placed;
}

/** Room for a callout's label above its number, in px. */
const LABEL_ROOM = 28;

/**
 * Scrolls the boxes that hold `el` (each ancestor that scrolls, the innermost first; never the page) so
 * the element and a label above it are in view: on one screen the columns and panels scroll inside
 * themselves, and a callout or mark out of sight shows nothing. On a phone the page scrolls and the
 * student reads down to it. Says whether `el` is now in sight in every one of those boxes.
 */
function revealInColumn(el: Element): boolean {
  let seen = true;
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const { overflowY } = getComputedStyle(a);
    if (overflowY !== 'auto' && overflowY !== 'scroll') continue;
    if (a.scrollHeight <= a.clientHeight + 1) continue; // scrolls sideways only, or has room
    const box = a.getBoundingClientRect();
    // What sticks at the top of the box (the lesson, above the host's panel) covers what scrolls.
    const sticky = a.querySelector(':scope > .lesson-slot');
    const top = sticky && !sticky.contains(el) ? sticky.getBoundingClientRect().bottom : box.top;
    const r = el.getBoundingClientRect();
    if (r.bottom > box.bottom) a.scrollTop += r.bottom - box.bottom + 8;
    else if (r.top - LABEL_ROOM < top) a.scrollTop -= top - r.top + LABEL_ROOM;
    const after = el.getBoundingClientRect();
    if (after.bottom <= top || after.top >= box.bottom) seen = false;
  }
  return seen;
}

/** Outlines, marks and callouts of stop `i` of the open lesson, now that the run stands at it. */
export function applyHighlights(svc: AppServices, i: number): void {
  const open = lessonStore.getState().open;
  if (!open) return;
  const stop = open.stops[i];
  const highlights = open.lesson.stops[i].highlights;
  const marks: LessonMarks = { ...NO_MARKS };
  const pfns: number[] = [];
  const compare = lessonStore.getState().compare;
  for (const h of highlights) {
    switch (h.on) {
      case 'map': {
        if (compare) {
          // A compare lesson outlines on its runs' maps: the one the highlight names, or both.
          const sides = h.side ? [h.side] : (['left', 'right'] as const);
          const out = { ...marks.compareMap };
          for (const side of sides) {
            const sim = simulationOf(compare.runner.side(side).playable);
            if (!sim) continue;
            out[side] = 'pfns' in h ? range(h.pfns[0], h.pfns[1]) : framesIn(sim, h.frames, h.workload);
          }
          marks.compareMap = out;
          break;
        }
        const sim = simulationOf(svc.runner.playable);
        const trace = traceOf(svc.runner.playable);
        if ('pfns' in h) pfns.push(...range(h.pfns[0], h.pfns[1]));
        else if (sim) pfns.push(...framesIn(sim, h.frames, h.workload));
        // A replayed trace has the balloon's frames only (lesson.ts refuses the other sets there).
        else if (trace && h.frames === 'balloon') pfns.push(...trace.balloonFrames());
        else break;
        marks.map = labelOf(h, stop, marks.map ?? '');
        break;
      }
      case 'driver':
        marks.driver = h;
        break;
      case 'ring':
        marks.ring = h;
        if (h.part === 'descriptor') selectDescriptor(svc, h);
        break;
      case 'plot':
        marks.plot = { series: h.series, us: stop.us, label: h.label ? labelOf(h, stop) : undefined };
        break;
      case 'number':
        break;
    }
  }
  if (pfns.length) svc.store.getState().setHighlight(pfns);
  lessonStore.getState().setMarks(marks);
  placeCallouts(highlights, stop);
  requestAnimationFrame(() => revealMarks());
}

/** Marks already scrolled to: each once, so a student who scrolls away is not pulled back. */
let revealed = new WeakSet<Element>();

/**
 * Scrolls each shown panel to the first mark the stop drew in it (a ring slot far down its table, a
 * plot below another); the panels draw their marks a frame after the stop is reached, or later when
 * a tab's code arrives, so LessonPane calls this again while the page changes.
 */
export function revealMarks(tries = 10): void {
  let pending = false;
  for (const panel of document.querySelectorAll('.tabpanel:not([hidden])')) {
    const mark = panel.querySelector('[data-lesson-mark]');
    if (!mark || revealed.has(mark)) continue;
    // A panel still laying out (its tab just opened) may not scroll yet: try again next frame.
    if (revealInColumn(mark)) revealed.add(mark);
    else pending = true;
  }
  if (pending && tries > 0) requestAnimationFrame(() => revealMarks(tries - 1));
}

/** A new stop: its marks are scrolled to anew. */
export function forgetRevealedMarks(): void {
  revealed = new WeakSet();
}

/**
 * A stop that points at a descriptor selects it in the inspector (which shows its buffer and outlines
 * the PFNs it carries): "last" is the head of the buffer the driver offered last.
 */
function selectDescriptor(svc: AppServices, h: Extract<Highlight, { on: 'ring' }>): void {
  const sim = simulationOf(svc.runner.playable);
  const q = sim ? queuesOf(sim).find((x) => x.name === h.queue) : undefined;
  if (!sim || !q) return;
  const size = q.ring.size;
  const desc =
    h.slot === 'last'
      ? readAvailEntry(sim.core, q.ring, (sim.core.readU16(availIdx(q.ring.avail)) - 1 + 65536) % size)
      : h.slot % size;
  svc.store.getState().selectDescriptor({ queue: q.index, desc });
}

function range(first: number, last: number): number[] {
  const out: number[] = [];
  for (let p = first; p <= last; p++) out.push(p);
  return out;
}

function shownAt(measure: string): HTMLElement | null {
  const id = SHOWN_AT[measure];
  return id ? document.querySelector<HTMLElement>(`[data-testid="${id}"]`) : null;
}
