// The virtqueue inspector: what the driver and the device have put in guest memory, queue by queue.
// At full speed ('summary') it reads only each queue's indices; stepping ('step') it shows the
// descriptor table and both rings, paged to PAGE_ROWS rows, and what a selected descriptor carried.
import './inspector.css';
import { type KeyboardEvent, type ReactNode, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { Gpa } from '../../core/units.ts';
import { STATS_Q } from '../../sim/view.ts';
import { lessonStore } from '../lesson/state.ts';
import { PfnBatchView } from './PfnBatchView.tsx';
import { Th, WrapTip } from './parts.tsx';
import { QueuePanel } from './QueuePanel.tsx';
import { bufferContents, PHASES, readIndices } from './rings.ts';
import type { InspectorMode, InspectorQueue, InspectorSelection, RingMemory } from './types.ts';

export interface VirtqueueInspectorProps {
  core: RingMemory;
  queues: InspectorQueue[];
  /** The driver's pfns[] array and num_pfns, when the driver is known. */
  pfns?: { gpa: Gpa; count: number };
  /** Bumped by the caller whenever guest memory may have changed: the inspector re-reads on a new value. */
  version: number;
  mode: InspectorMode;
  /**
   * The PFNs (4 KiB frame numbers) the selected descriptor's buffer carries, for the memory map to
   * highlight; [] when the selection is cleared or the view goes to 'summary'. PFNs past the end of RAM
   * are passed as they are: check them against the core's ramFrames.
   */
  onSelectPfns?: (pfns: number[]) => void;
  /**
   * The selected descriptor, when the caller keeps it (and hears of changes through
   * onSelectionChange); without it the inspector keeps its own.
   */
  selection?: InspectorSelection | null;
  onSelectionChange?: (selection: InspectorSelection | null) => void;
  /** Takes the reader to where the PFNs handed to onSelectPfns are shown (the memory map). */
  onShowPfns?: () => void;
}

export function VirtqueueInspector({
  core,
  queues,
  pfns,
  version,
  mode,
  onSelectPfns,
  selection: kept,
  onSelectionChange,
  onShowPfns,
}: VirtqueueInspectorProps) {
  const [tab, setTab] = useState(0);
  const [own, setOwn] = useState<InspectorSelection | null>(null);
  // A lesson's stop that points into a queue opens that queue's tab.
  const pointedQueue = useStore(lessonStore, (s) => s.marks.ring?.queue);
  useEffect(() => {
    const q = queues.find((x) => x.name === pointedQueue);
    if (q) setTab(q.index);
  }, [pointedQueue, queues]);
  const selection = kept === undefined ? own : kept;
  const setSelection = (s: InspectorSelection | null) => {
    if (kept === undefined) setOwn(s);
    onSelectionChange?.(s);
  };
  const current = queues.find((q) => q.index === tab) ?? queues[0];
  const sel =
    mode === 'step' &&
    selection &&
    current &&
    selection.queue === current.index &&
    selection.desc < current.ring.size
      ? selection
      : null;
  const stats = current?.index === STATS_Q;
  const ring = current?.ring;

  // biome-ignore lint/correctness/useExhaustiveDependencies: version is how the caller says guest memory changed
  const contents = useMemo(() => {
    if (!sel || !ring || !core.queueState(sel.queue)) return null;
    return bufferContents(core, ring, sel.desc, { asStats: stats });
  }, [core, ring?.size, ring?.desc, sel?.queue, sel?.desc, stats, version]);

  const sent = useRef('');
  useEffect(() => {
    if (!onSelectPfns) return;
    const list = contents && !stats ? contents.pfns : [];
    const key = list.join(',');
    if (key === sent.current) return;
    sent.current = key;
    onSelectPfns(list);
  }, [contents, stats, onSelectPfns]);

  return (
    <section className="vqi" aria-label="Virtqueue inspector" data-testid="vqi" data-mode={mode}>
      {mode === 'summary' ? (
        <SummaryTable core={core} queues={queues} version={version} />
      ) : !current ? (
        <p className="vqi-muted">No virtqueues yet: the driver has not set them up.</p>
      ) : (
        <>
          <Legend />
          <QueueTabs
            queues={queues}
            current={current.index}
            onChange={(q) => setTab(q)}
            panel={
              <QueuePanel
                key={current.index}
                core={core}
                queue={current}
                version={version}
                selected={sel?.desc ?? null}
                onSelect={(desc) => setSelection(desc === null ? null : { queue: current.index, desc })}
                contents={contents}
                stats={stats}
                onShowPfns={onShowPfns}
              />
            }
          />
        </>
      )}
      {pfns ? <PfnBatchView core={core} pfns={pfns} version={version} mode={mode} /> : null}
    </section>
  );
}

function Legend() {
  return (
    <ul className="vqi-legend vqi-phase-legend" aria-label="What the row colours mean">
      {(['free', 'available', 'device', 'used'] as const).map((p) => (
        <li key={p}>
          <span className="vqi-swatch" data-phase={p} /> {PHASES[p].long}
        </li>
      ))}
      <li>
        <span className="vqi-swatch" data-chain="true" /> a descriptor of the buffer in focus (outlined)
      </li>
    </ul>
  );
}

/** Tabs with the WAI-ARIA keyboard pattern: arrows move between queues, the panel follows. */
function QueueTabs({
  queues,
  current,
  onChange,
  panel,
}: {
  queues: InspectorQueue[];
  current: number;
  onChange: (q: number) => void;
  panel: ReactNode;
}) {
  const id = useId();
  const list = useRef<HTMLDivElement>(null);
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = queues.findIndex((q) => q.index === current);
    let to = -1;
    if (e.key === 'ArrowRight') to = (at + 1) % queues.length;
    else if (e.key === 'ArrowLeft') to = (at - 1 + queues.length) % queues.length;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = queues.length - 1;
    else return;
    e.preventDefault();
    onChange(queues[to].index);
    list.current?.querySelectorAll<HTMLButtonElement>('[role=tab]')[to]?.focus();
  };
  return (
    <div className="vqi-tabs">
      <div role="tablist" aria-label="Virtqueues" ref={list} onKeyDown={onKey} className="vqi-tablist">
        {queues.map((q) => (
          <button
            key={q.index}
            type="button"
            role="tab"
            id={`${id}-tab-${q.index}`}
            aria-selected={q.index === current}
            aria-controls={`${id}-panel`}
            tabIndex={q.index === current ? 0 : -1}
            onClick={() => onChange(q.index)}
            data-testid={`vqi.tab.${q.name}`}
          >
            {q.name} <span className="vqi-muted vqi-num">#{q.index}</span>
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${current}`} className="vqi-panel">
        {panel}
      </div>
    </div>
  );
}

/** Full speed: one row of indices per queue, nothing read but the ring headers and the bookkeeping. */
function SummaryTable({
  core,
  queues,
  version,
}: {
  core: RingMemory;
  queues: InspectorQueue[];
  version: number;
}) {
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is how the caller says guest memory changed
  const rows = useMemo(
    () =>
      queues.map((q) => {
        const state = core.queueState(q.index);
        return { q, ind: state ? readIndices(core, q.ring, state) : null };
      }),
    [core, queues, version],
  );
  const size = queues[0]?.ring.size ?? 0;
  return (
    <table className="vqi-table vqi-summary" data-testid="vqi.summary">
      <caption>
        Virtqueue indices <span className="vqi-muted">(summary while running at full speed)</span>{' '}
        {size ? <WrapTip size={size} /> : null}
      </caption>
      <thead>
        <tr>
          <th scope="col">queue</th>
          <Th className="vqi-right" spec="avail.idx" plain="offered" />
          <Th className="vqi-right" spec="last_avail_idx" plain="taken by device" />
          <Th className="vqi-right" spec="used.idx" plain="given back" />
          <Th className="vqi-right" spec="last_used_idx" plain="collected" />
          <Th className="vqi-right" spec="num_free" plain="free descriptors" />
          <Th className="vqi-right" spec="inuse" plain="held by device" />
          <Th className="vqi-right" spec="avail.idx − last_avail_idx" plain="available, not popped" />
        </tr>
      </thead>
      <tbody>
        {rows.map(({ q, ind }) => (
          <tr key={q.index} data-testid={`vqi.summary.${q.name}`}>
            <th scope="row">
              {q.name} <span className="vqi-muted vqi-num">(QS {q.ring.size})</span>
            </th>
            {ind ? (
              <>
                <td className="vqi-num vqi-right">{ind.availIdx}</td>
                <td className="vqi-num vqi-right">{ind.state.lastAvail}</td>
                <td className="vqi-num vqi-right">{ind.usedIdx}</td>
                <td className="vqi-num vqi-right">{ind.state.lastUsed}</td>
                <td className="vqi-num vqi-right">{ind.state.numFree}</td>
                <td className="vqi-num vqi-right">{ind.state.inuse}</td>
                <td className="vqi-num vqi-right" data-bad={ind.waitingBogus || undefined}>
                  {ind.waiting}
                </td>
              </>
            ) : (
              <td colSpan={7} className="vqi-muted">
                not set up
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
