// The detail area: one tab per detail panel (WAI-ARIA tabs: arrows, Home and End move between them and
// open the panel). A lesson stop that names detail panels selects the first; naming two shows both,
// one above the other. Every panel stays mounted while hidden, so what it shows stays current.
import { type KeyboardEvent, lazy, type ReactNode, Suspense, useEffect, useRef, useState } from 'react';
import type { Panel } from '../../lessons/lesson.ts';
import type { Playable } from '../../sim/view.ts';
import { useApp, useRunner } from '../context.tsx';
import { useFolded } from './Fold.tsx';

// Off the critical path: each panel loads after the first paint.
const GuestPanel = lazy(() => import('./GuestPanel.tsx').then((m) => ({ default: m.GuestPanel })));
const RingsPanel = lazy(() => import('./RingsPanel.tsx').then((m) => ({ default: m.RingsPanel })));
const DriverPanel = lazy(() => import('./RingsPanel.tsx').then((m) => ({ default: m.DriverPanel })));
const PlotsPanel = lazy(() => import('./StatsPanel.tsx').then((m) => ({ default: m.PlotsPanel })));
const StatsPanel = lazy(() => import('./StatsPanel.tsx').then((m) => ({ default: m.StatsPanel })));
const TracePanel = lazy(() => import('./TracePanel.tsx').then((m) => ({ default: m.TracePanel })));

export type DetailPanel = Extract<Panel, 'guest' | 'rings' | 'driver' | 'plots' | 'stats' | 'trace'>;

export const DETAIL_TABS: readonly { id: DetailPanel; label: string; body: () => ReactNode }[] = [
  { id: 'guest', label: 'Guest', body: () => <GuestPanel /> },
  { id: 'rings', label: 'Rings', body: () => <RingsPanel /> },
  { id: 'driver', label: 'Driver', body: () => <DriverPanel /> },
  { id: 'plots', label: 'Plots', body: () => <PlotsPanel /> },
  { id: 'stats', label: 'Stats', body: () => <StatsPanel /> },
  { id: 'trace', label: 'Trace', body: () => <TracePanel /> },
];
const IDS = DETAIL_TABS.map((t) => t.id) as readonly Panel[];
const isDetail = (p: Panel): p is DetailPanel => IDS.includes(p);

const isTrace = (p: Playable | null) => p?.kind === 'trace';

/** Which tabs show: the selected one, and a second one a lesson stop named with it. */
export function shownTabs(tab: DetailPanel, pair: DetailPanel | null): DetailPanel[] {
  return pair && pair !== tab ? [tab, pair] : [tab];
}

export function DetailTabs() {
  const focus = useApp((s) => s.focus);
  const trace = useRunner(isTrace);
  const [tab, setTab] = useState<DetailPanel>('guest');
  const [pair, setPair] = useState<DetailPanel | null>(null);
  const [folded, open] = useFolded(IDS);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // A stop that names the guest with other detail panels means the guest's numbers (always above
    // the tabs, unfolded by the same name): its tab does not take the place of the others.
    const all = focus?.filter(isDetail) ?? [];
    const named = all.length > 1 ? all.filter((p) => p !== 'guest') : all;
    if (named.length) setTab(named[0]);
    setPair(named[1] ?? null);
  }, [focus]);
  // A replayed QEMU trace opens on what the trace says.
  useEffect(() => {
    if (trace) setTab('trace');
  }, [trace]);
  const choose = (id: DetailPanel, moveFocus = false) => {
    setTab(id);
    setPair(null);
    open();
    if (moveFocus) list.current?.querySelector<HTMLElement>(`[data-tab="${id}"]`)?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const at = DETAIL_TABS.findIndex((t) => t.id === tab);
    const n = DETAIL_TABS.length;
    const to =
      e.key === 'ArrowRight'
        ? (at + 1) % n
        : e.key === 'ArrowLeft'
          ? (at + n - 1) % n
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? n - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    e.stopPropagation();
    choose(DETAIL_TABS[to].id, true);
  };
  const shown = folded ? [] : shownTabs(tab, pair);
  return (
    <section className="details" aria-label="Details" data-shown={shown.length} data-tab={tab}>
      <div className="tabs" role="tablist" aria-label="Detail panels" ref={list} onKeyDown={onKey}>
        {DETAIL_TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            data-tab={t.id}
            data-testid={`tab.${t.id}`}
            aria-selected={t.id === tab}
            aria-controls={`tabpanel-${t.id}`}
            tabIndex={t.id === tab ? 0 : -1}
            onClick={() => choose(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {DETAIL_TABS.map((t) => (
        <div
          key={t.id}
          role="tabpanel"
          id={`tabpanel-${t.id}`}
          aria-labelledby={`tab-${t.id}`}
          className="tabpanel"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the WAI-ARIA tabs pattern: a tab panel that scrolls (the plots hold nothing focusable) is reachable by keyboard
          tabIndex={0}
          data-panel={t.id}
          hidden={!shown.includes(t.id)}
        >
          <Suspense fallback={<p className="muted">Loading…</p>}>{t.body()}</Suspense>
        </div>
      ))}
    </section>
  );
}
