// One virtqueue in full, for the step view: its indices with the spec's names, the descriptor table,
// the available and used rings (RingTable.tsx), each paged to PAGE_ROWS rows around where things happen.

import { type KeyboardEvent, type ReactNode, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { VRING_DESC_F_NEXT } from '../../core/abi.ts';
import { lessonStore } from '../lesson/state.ts';
import { hex } from './format.ts';
import { FlagChips, Pager, Scroller, Th, WrapTip } from './parts.tsx';
import { AVAIL_RING, RingTable, USED_RING } from './RingTable.tsx';
import {
  type BufferContents,
  bufferOf,
  type Chain,
  inspectQueue,
  PHASES,
  type QueueDetail,
  type QueueIndices,
  type Ring,
  readDescriptor,
  rowWindow,
  slotOf,
} from './rings.ts';
import { SelectedBuffer } from './SelectedBuffer.tsx';
import type { InspectorQueue, RingMemory } from './types.ts';

export interface QueuePanelProps {
  core: RingMemory;
  queue: InspectorQueue;
  version: number;
  /** The selected descriptor of this queue, or null. */
  selected: number | null;
  onSelect: (desc: number | null) => void;
  /** What the selected descriptor's buffer carries. */
  contents: BufferContents | null;
  /** This is the stats queue: its buffer holds stats entries, not PFNs. */
  stats: boolean;
  /** Takes the reader to where the selected buffer's PFNs are highlighted (a button beside them). */
  onShowPfns?: () => void;
}

export function QueuePanel({
  core,
  queue,
  version,
  selected,
  onSelect,
  contents,
  stats,
  onShowPfns,
}: QueuePanelProps) {
  const { ring, name, index } = queue;
  const { size, desc, avail, used } = ring;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is how the caller says guest memory changed
  const detail = useMemo(() => {
    const state = core.queueState(index);
    return state ? inspectQueue(core, { size, desc, avail, used }, state) : null;
  }, [core, index, size, desc, avail, used, version]);
  if (!detail) {
    return (
      <p className="vqi-muted" data-testid={`vqi.${name}.absent`}>
        The {name} queue is not set up (the device has not been started, or it was reset).
      </p>
    );
  }
  return (
    <div className="vqi-queue">
      <IndicesTable detail={detail} name={name} size={ring.size} />
      <Notices detail={detail} />
      <DescriptorTable
        core={core}
        ring={ring}
        name={name}
        detail={detail}
        selected={selected}
        onSelect={onSelect}
      />
      {selected !== null && contents ? (
        <SelectedBuffer
          core={core}
          ring={ring}
          index={selected}
          contents={contents}
          stats={stats}
          onShowPfns={onShowPfns}
        />
      ) : null}
      <RingTable kind={AVAIL_RING} core={core} ring={ring} name={name} detail={detail} />
      <RingTable kind={USED_RING} core={core} ring={ring} name={name} detail={detail} />
    </div>
  );
}

// ── Indices ──────────────────────────────────────────────────────────────────────────────────────

interface IndexRow {
  spec: string;
  plain: string;
  who: string;
  value: number;
  /** Free-running: also show its ring slot. */
  freeRunning?: boolean;
  testid: string;
}

/** The rows of the indices table, in the order a buffer meets them. Shared with the summary table. */
export function indexRows(ind: QueueIndices): IndexRow[] {
  const s = ind.state;
  return [
    {
      spec: 'avail.idx',
      plain: 'buffers the driver has offered',
      who: 'ring (driver writes)',
      value: ind.availIdx,
      freeRunning: true,
      testid: 'avail-idx',
    },
    {
      spec: 'last_avail_idx',
      plain: 'offers the device has taken',
      who: 'device (QEMU)',
      value: s.lastAvail,
      freeRunning: true,
      testid: 'last-avail-idx',
    },
    {
      spec: 'used.idx',
      plain: 'buffers the device has given back',
      who: 'ring (device writes)',
      value: ind.usedIdx,
      freeRunning: true,
      testid: 'used-idx',
    },
    {
      spec: 'last_used_idx',
      plain: 'returns the driver has collected',
      who: 'driver (Linux)',
      value: s.lastUsed,
      freeRunning: true,
      testid: 'last-used-idx',
    },
    {
      spec: 'num_free',
      plain: 'descriptors free for new buffers',
      who: 'driver (Linux)',
      value: s.numFree,
      testid: 'num-free',
    },
    {
      spec: 'inuse',
      plain: 'buffers the device is holding',
      who: 'device (QEMU)',
      value: s.inuse,
      testid: 'inuse',
    },
    {
      spec: 'avail.idx − last_avail_idx',
      plain: 'available, not yet popped',
      who: 'mod 65536',
      value: ind.waiting,
      testid: 'waiting',
    },
    {
      spec: 'used.idx − last_used_idx',
      plain: 'used, not yet collected',
      who: 'mod 65536',
      value: ind.uncollected,
      testid: 'uncollected',
    },
  ];
}

function IndicesTable({ detail, name, size }: { detail: QueueDetail; name: string; size: number }) {
  const s = detail.state;
  return (
    <table className="vqi-table vqi-indices" data-testid={`vqi.${name}.indices`}>
      <caption>
        Indices of the {name} queue <span className="vqi-muted">(Queue Size {size})</span>{' '}
        <WrapTip size={size} />
      </caption>
      <thead>
        <tr>
          <Th spec="index" plain="what it counts" />
          <Th spec="kept by" />
          <Th spec="value" className="vqi-right" />
          <Th spec="slot" plain="idx mod size" className="vqi-right" />
        </tr>
      </thead>
      <tbody>
        {indexRows(detail).map((r) => (
          <tr key={r.spec} data-testid={`vqi.${name}.${r.testid}`}>
            <th scope="row">
              <span className="vqi-spec">{r.spec}</span>
              <span className="vqi-plain">{r.plain}</span>
            </th>
            <td className="vqi-muted">{r.who}</td>
            <td className="vqi-num vqi-right">{r.value}</td>
            <td className="vqi-num vqi-right">{r.freeRunning ? slotOf(r.value, size) : ''}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">
            <span className="vqi-spec">free_head</span>
            <span className="vqi-plain">the next descriptor the driver will use</span>
          </th>
          <td className="vqi-muted">driver (Linux)</td>
          <td className="vqi-num vqi-right">{s.numFree > 0 ? s.freeHead : '—'}</td>
          <td />
        </tr>
      </tbody>
    </table>
  );
}

function chainProblems(buffers: QueueDetail['buffers']): { head: number; chain: Chain }[] {
  return buffers.filter((b) => b.chain.error).map((b) => ({ head: b.head, chain: b.chain }));
}

function Notices({ detail }: { detail: QueueDetail }) {
  const s = detail.state;
  const notes: { key: string; text: string; level: 'info' | 'error' }[] = [];
  if (detail.waitingBogus) {
    notes.push({
      key: 'jump',
      level: 'error',
      text:
        `avail.idx is ${detail.waiting} ahead of last_avail_idx, more than the Queue Size: ` +
        `QEMU stops with "Guest moved used index from ${s.lastAvail} to ${detail.availIdx}".`,
    });
  }
  if (s.availShadow !== detail.availIdx) {
    notes.push({
      key: 'shadow',
      level: 'error',
      text: `The driver's own copy of avail.idx is ${s.availShadow}, but guest memory says ${detail.availIdx}.`,
    });
  }
  for (const p of chainProblems(detail.buffers)) {
    notes.push({
      key: `chain-${p.head}`,
      level: 'error',
      text: `The buffer at descriptor ${p.head} is malformed: QEMU says "${p.chain.error?.message}".`,
    });
  }
  if (!detail.consistent && !detail.waitingBogus) {
    notes.push({
      key: 'count',
      level: 'info',
      text:
        `The rings show ${detail.inUse} descriptors in use, the driver counts ${s.size - s.numFree}: ` +
        'the in-use marks below are a best reconstruction.',
    });
  }
  if (s.driverBroken) {
    notes.push({
      key: 'broken',
      level: 'error',
      text: 'The driver found a bad used entry and marked the queue broken (BAD_RING).',
    });
  }
  if (notes.length === 0) return null;
  return (
    <ul className="vqi-notices">
      {notes.map((n) => (
        <li key={n.key} data-level={n.level}>
          {n.level === 'error' ? <strong>Problem: </strong> : <strong>Note: </strong>}
          {n.text}
        </li>
      ))}
    </ul>
  );
}

// ── Descriptor table ─────────────────────────────────────────────────────────────────────────────

/** Arrow keys move between the row buttons of a table (one tab stop per table), without scrolling. */
function rovingKeys(e: KeyboardEvent<HTMLElement>, onEscape?: () => void): void {
  const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button[data-row]')];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  let to = -1;
  if (e.key === 'ArrowDown') to = Math.min(buttons.length - 1, at + 1);
  else if (e.key === 'ArrowUp') to = Math.max(0, at - 1);
  else if (e.key === 'Home') to = 0;
  else if (e.key === 'End') to = buttons.length - 1;
  else if (e.key === 'Escape' && onEscape) {
    e.preventDefault();
    onEscape();
    return;
  } else return;
  e.preventDefault();
  buttons[to]?.focus();
}

function DescriptorTable({
  core,
  ring,
  name,
  detail,
  selected,
  onSelect,
}: {
  core: RingMemory;
  ring: Ring;
  name: string;
  detail: QueueDetail;
  selected: number | null;
  onSelect: (desc: number | null) => void;
}) {
  const [start, setStart] = useState<number | null>(null);
  // A lesson's stop that points at a descriptor selected it: its row is outlined as the lesson's.
  const lessonMark = useStore(lessonStore, (s) => s.marks.ring);
  const lessonPoints = lessonMark?.part === 'descriptor' && lessonMark.queue === name;
  const focusBuffer =
    (selected !== null ? bufferOf(detail, selected) : null) ?? detail.buffers.at(-1) ?? null;
  const focus = selected ?? focusBuffer?.head ?? detail.state.freeHead;
  const win = rowWindow(ring.size, focus, start);
  const chainPos = new Map((focusBuffer?.chain.indices ?? []).map((d, k) => [d, k]));
  const chainLen = focusBuffer?.chain.indices.length ?? 0;
  const tabStop = selected !== null && selected >= win.start && selected < win.end ? selected : win.start;
  const rows: ReactNode[] = [];
  for (let i = win.start; i < win.end; i++) {
    const d = readDescriptor(core, ring.desc, i);
    const buf = bufferOf(detail, i);
    const phase = buf?.phase ?? 'free';
    const pos = chainPos.get(i);
    const isSel = i === selected;
    rows.push(
      <tr
        key={i}
        data-row-index={i}
        data-phase={phase}
        data-chain={pos !== undefined || undefined}
        data-selected={isSel || undefined}
        data-lesson-mark={(lessonPoints && isSel) || undefined}
      >
        <th scope="row" className="vqi-right">
          <button
            type="button"
            data-row={i}
            className="vqi-row-button vqi-num"
            aria-pressed={isSel}
            tabIndex={i === tabStop ? 0 : -1}
            onClick={() => onSelect(isSel ? null : i)}
          >
            {i}
          </button>
        </th>
        <td className="vqi-num">{hex(d.addr)}</td>
        <td className="vqi-num vqi-right">{d.len}</td>
        <td>
          <FlagChips flags={d.flags} />
        </td>
        <td
          className="vqi-num vqi-right"
          data-ignored={(d.flags & VRING_DESC_F_NEXT) === 0 || undefined}
          title={(d.flags & VRING_DESC_F_NEXT) === 0 ? 'without NEXT the device ignores next' : undefined}
        >
          {d.next}
        </td>
        <td>
          <span className="vqi-status">{PHASES[phase].label}</span>
          {buf ? (
            <span className="vqi-muted">
              {' '}
              head {buf.head}
              {pos !== undefined && chainLen > 1 ? `, link ${pos + 1} of ${chainLen}` : ''}
            </span>
          ) : null}
        </td>
      </tr>,
    );
  }
  return (
    <div className="vqi-block vqi-desc-block">
      <Scroller focus={focus} following={start === null}>
        <table className="vqi-table vqi-desc" data-testid={`vqi.${name}.desc`}>
          <caption>
            Descriptor table of the {name} queue{' '}
            <span className="vqi-muted">
              ({ring.size} × 16 bytes at {hex(ring.desc)}; select a descriptor to see what it carried)
            </span>
          </caption>
          <thead>
            <tr>
              <Th spec="#" plain="index" className="vqi-right" />
              <Th spec="addr" plain="guest address" />
              <Th spec="len" plain="bytes" className="vqi-right" />
              <Th spec="flags" />
              <Th spec="next" plain="chain link" className="vqi-right" />
              <Th spec="state" plain="of its buffer" />
            </tr>
          </thead>
          <tbody onKeyDown={(e) => rovingKeys(e, () => onSelect(null))}>{rows}</tbody>
        </table>
      </Scroller>
      <Pager
        label={`${name} descriptor table`}
        size={ring.size}
        start={win.start}
        end={win.end}
        following={start === null}
        onPage={setStart}
      />
    </div>
  );
}
