// One table for either ring of a split virtqueue: its header fields (flags, idx, the event index the
// other side reads), then its slots, paged to PAGE_ROWS rows around the slot where things happen.
// The available and the used ring differ only in what a slot holds, so each is a short description.
import { type ReactNode, useState } from 'react';
import { useStore } from 'zustand';
import { lessonStore } from '../lesson/state.ts';
import { hex } from './format.ts';
import { Pager, Scroller, Th } from './parts.tsx';
import {
  availSlotMark,
  PHASES,
  type QueueDetail,
  type Ring,
  readAvailEntry,
  readUsedEntry,
  rowWindow,
  type SlotMark,
  slotOf,
  usedSlotMark,
} from './rings.ts';
import type { RingMemory } from './types.ts';

interface HeaderItem {
  spec: string;
  plain: string;
  value: number | string;
}

/** What sets one ring apart from the other. */
interface RingKind {
  /** 'avail' or 'used': the table's class and test id. */
  id: 'avail' | 'used';
  /** "Available ring", "Used ring". */
  title: string;
  /** The slot the reader wants to see first. */
  focus(detail: QueueDetail, size: number): number;
  header(detail: QueueDetail): HeaderItem[];
  /** The words after the title: direction, count, address. */
  note(detail: QueueDetail, ring: Ring): string;
  /** Columns between "idx" and "state": their headers, and a slot's cells. */
  columns: { spec: string; plain: string }[];
  cells(core: RingMemory, ring: Ring, slot: number): (number | string)[];
  mark(detail: QueueDetail, size: number, slot: number): SlotMark | null;
}

export const AVAIL_RING: RingKind = {
  id: 'avail',
  title: 'Available ring',
  focus: (d, size) => slotOf(d.state.lastAvail - d.state.inuse, size),
  header: (d) => [
    {
      spec: 'flags',
      plain: d.availFlags & 1 ? 'NO_INTERRUPT: the driver asks not to be interrupted' : 'interrupts wanted',
      value: d.availFlags,
    },
    { spec: 'idx', plain: 'where the driver puts the next head', value: d.availIdx },
    {
      spec: 'used_event',
      plain: d.state.eventIdx ? 'interrupt me when used.idx passes this' : 'unused without EVENT_IDX',
      value: d.usedEvent,
    },
  ],
  note: (d, ring) => `driver → device; ${d.waiting} available, not yet popped; at ${hex(ring.avail)}`,
  columns: [{ spec: 'head', plain: 'descriptor' }],
  cells: (core, ring, slot) => [readAvailEntry(core, ring, slot)],
  mark: availSlotMark,
};

export const USED_RING: RingKind = {
  id: 'used',
  title: 'Used ring',
  focus: (d, size) => slotOf(d.state.lastUsed, size),
  header: (d) => [
    {
      spec: 'flags',
      plain: d.usedFlags & 1 ? 'NO_NOTIFY: the device asks not to be kicked' : 'kicks wanted',
      value: d.usedFlags,
    },
    { spec: 'idx', plain: 'where the device puts the next return', value: d.usedIdx },
    {
      spec: 'avail_event',
      plain: d.state.eventIdx ? 'kick me when avail.idx passes this' : 'unused without EVENT_IDX',
      value: d.availEvent,
    },
  ],
  note: (d, ring) => `device → driver; ${d.uncollected} not yet collected; at ${hex(ring.used)}`,
  columns: [
    { spec: 'id', plain: 'head returned' },
    { spec: 'len', plain: 'bytes written' },
  ],
  cells: (core, ring, slot) => {
    const e = readUsedEntry(core, ring, slot);
    return [e.id, e.len];
  },
  mark: usedSlotMark,
};

function RingHeader({ items }: { items: HeaderItem[] }) {
  return (
    <dl className="vqi-ring-header">
      {items.map((it) => (
        <div key={it.spec}>
          <dt>
            <span className="vqi-spec">{it.spec}</span> <span className="vqi-plain">{it.plain}</span>
          </dt>
          <dd className="vqi-num">{it.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function RingTable({
  kind,
  core,
  ring,
  name,
  detail,
}: {
  kind: RingKind;
  core: RingMemory;
  ring: Ring;
  name: string;
  detail: QueueDetail;
}) {
  const [start, setStart] = useState<number | null>(null);
  // A lesson's stop may point at one slot of this ring ("last": the slot written last).
  const lessonMark = useStore(lessonStore, (s) => s.marks.ring);
  const lastSlot = slotOf((kind.id === 'avail' ? detail.availIdx : detail.usedIdx) - 1, ring.size);
  const marked =
    lessonMark && lessonMark.queue === name && lessonMark.part === kind.id
      ? lessonMark.slot === 'last'
        ? lastSlot
        : lessonMark.slot % ring.size
      : null;
  const focus = marked ?? kind.focus(detail, ring.size);
  const win = rowWindow(ring.size, focus, start);
  const rows: ReactNode[] = [];
  for (let slot = win.start; slot < win.end; slot++) {
    const mark = kind.mark(detail, ring.size, slot);
    rows.push(
      <tr
        key={slot}
        data-row-index={slot}
        data-phase={mark?.phase}
        data-lesson-mark={slot === marked ? 'true' : undefined}
      >
        <th scope="row" className="vqi-num vqi-right">
          {slot}
        </th>
        <td className="vqi-num vqi-right">{mark ? mark.idx : ''}</td>
        {kind.cells(core, ring, slot).map((v, k) => (
          <td key={kind.columns[k].spec} className="vqi-num vqi-right">
            {v}
          </td>
        ))}
        <td title={mark ? PHASES[mark.phase].long : undefined}>{mark ? PHASES[mark.phase].label : ''}</td>
      </tr>,
    );
  }
  return (
    <div className="vqi-block">
      <RingHeader items={kind.header(detail)} />
      <Scroller focus={focus} following={start === null}>
        <table className={`vqi-table vqi-${kind.id}`} data-testid={`vqi.${name}.${kind.id}`}>
          <caption>
            {kind.title} of the {name} queue <span className="vqi-muted">({kind.note(detail, ring)})</span>
          </caption>
          <thead>
            <tr>
              <Th spec="ring[i]" plain="slot i" className="vqi-right" />
              <Th spec="idx" plain="free-running" className="vqi-right" />
              {kind.columns.map((c) => (
                <Th key={c.spec} spec={c.spec} plain={c.plain} className="vqi-right" />
              ))}
              <Th spec="state" />
            </tr>
          </thead>
          <tbody>{rows}</tbody>
        </table>
      </Scroller>
      <Pager
        label={`${name} ${kind.title.toLowerCase()}`}
        size={ring.size}
        start={win.start}
        end={win.end}
        following={start === null}
        onPage={setStart}
      />
    </div>
  );
}
