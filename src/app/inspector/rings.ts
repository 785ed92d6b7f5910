// What the virtqueue inspector reads out of guest memory, as pure functions over a RingMemory (a BalloonCore, or a copy of a real guest's rings): the
// split ring's three parts (virtio 1.x §2.7; layout in asm/virtqueue.ts), the buffers in flight and the
// phase each one is in, and the PFNs a descriptor's buffer carries. The components only draw these.
//
// Which descriptors are in use is the driver's private knowledge (Linux keeps its free list in
// desc_extra, which the core does not expose). The inspector reconstructs it from shared state: the
// buffers the driver has added and not yet collected are avail.ring[last_used_idx … avail_idx), each
// the head of a chain walked through desc.next. That holds when the device returns buffers in the order
// it took them, as QEMU's balloon does; `consistent` says whether the count agrees with num_free.
import {
  DESC_SIZE,
  PFNS_MAX,
  VRING_DESC_F_INDIRECT,
  VRING_DESC_F_NEXT,
  VRING_DESC_F_WRITE,
} from '../../core/abi.ts';
import type { QueueState } from '../../core/core.ts';
import {
  availEvent,
  availIdx,
  availSlot,
  descAt,
  descFlags,
  descLen,
  descNext,
  usedEvent,
  usedIdx,
  usedSlot,
  usedSlotLen,
} from '../../core/ring-layout.ts';
import { asGpa, type Gpa } from '../../core/units.ts';
import { QEMU_STAT_NAMES } from '../../sim/view.ts';
import type { RingMemory } from './types.ts';

export interface Ring {
  size: number;
  desc: Gpa;
  avail: Gpa;
  used: Gpa;
}

export interface Descriptor {
  index: number;
  addr: bigint;
  len: number;
  flags: number;
  next: number;
}

/** Free-running u16 indices: how far `a` is ahead of `b`, across a wrap at 65536. */
export const u16Diff = (a: number, b: number) => (a - b) & 0xffff;
/** The ring slot of a free-running index: idx mod Queue Size (a power of two). */
export const slotOf = (idx: number, size: number) => idx & (size - 1);

export function readDescriptor(core: RingMemory, table: Gpa, index: number): Descriptor {
  const p = descAt(table, index);
  return {
    index,
    addr: core.readU64(p),
    len: core.readU32(descLen(p)),
    flags: core.readU16(descFlags(p)),
    next: core.readU16(descNext(p)),
  };
}

export const DESC_FLAGS = [
  { bit: VRING_DESC_F_NEXT, name: 'NEXT', meaning: 'the buffer continues in descriptor `next`' },
  { bit: VRING_DESC_F_WRITE, name: 'WRITE', meaning: 'the device writes this buffer (else it reads it)' },
  { bit: VRING_DESC_F_INDIRECT, name: 'INDIRECT', meaning: 'addr points at a table of more descriptors' },
] as const;

/** avail.ring[slot]: the head of a buffer the driver offered. */
export const readAvailEntry = (core: RingMemory, ring: Ring, slot: number) =>
  core.readU16(availSlot(ring.avail, slot));

/** used.ring[slot]: {id, len} of a buffer the device returned. */
export function readUsedEntry(core: RingMemory, ring: Ring, slot: number): { id: number; len: number } {
  const p = usedSlot(ring.used, slot);
  return { id: core.readU32(p), len: core.readU32(usedSlotLen(p)) };
}

/** The shared indices and both sides' private ones: all the summary view needs, O(1). */
export interface QueueIndices {
  state: QueueState;
  /** The available ring's header and trailer as they are in guest memory. */
  availFlags: number;
  availIdx: number;
  usedEvent: number;
  /** The used ring's header and trailer. */
  usedFlags: number;
  usedIdx: number;
  availEvent: number;
  /** avail.idx − last_avail_idx: offered by the driver, not yet popped by the device. */
  waiting: number;
  /** More than Queue Size waiting: an impossible avail index (QEMU: "Guest moved used index"). */
  waitingBogus: boolean;
  /** used.idx − last_used_idx: returned by the device, not yet collected by the driver. */
  uncollected: number;
  /** The driver's avail idx − last_used_idx: added and not yet collected, in any phase. */
  outstanding: number;
}

export function readIndices(core: RingMemory, ring: Ring, state: QueueState): QueueIndices {
  const availIndex = core.readU16(availIdx(ring.avail));
  const usedIndex = core.readU16(usedIdx(ring.used));
  const waiting = u16Diff(availIndex, state.lastAvail);
  return {
    state,
    availFlags: core.readU16(ring.avail),
    availIdx: availIndex,
    usedEvent: core.readU16(usedEvent(ring.avail, ring.size)),
    usedFlags: core.readU16(ring.used),
    usedIdx: usedIndex,
    availEvent: core.readU16(availEvent(ring.used, ring.size)),
    waiting,
    waitingBogus: waiting > ring.size,
    uncollected: u16Diff(usedIndex, state.lastUsed),
    outstanding: u16Diff(state.availShadow, state.lastUsed),
  };
}

/** Where a buffer is: offered and not popped, popped and held by the device, or returned. */
export type Phase = 'available' | 'device' | 'used';

export const PHASES: Record<Phase | 'free', { label: string; long: string }> = {
  free: { label: 'free', long: 'free: on the driver’s free list' },
  available: { label: 'available', long: 'available, not yet popped by the device' },
  device: { label: 'held by device', long: 'popped by the device, not yet pushed back' },
  used: { label: 'used', long: 'returned by the device, not yet collected by the driver' },
};

export interface ChainError {
  kind: 'head-oob' | 'next-oob' | 'loop';
  /** The descriptor whose field is wrong (for head-oob: the head value itself). */
  at: number;
  value: number;
  /** What QEMU says when it meets it. */
  message: string;
}

export interface Chain {
  indices: number[];
  error: ChainError | null;
}

/** The descriptors of the buffer starting at `head`, following NEXT, as the device would walk them. */
export function walkChain(core: RingMemory, ring: Ring, head: number): Chain {
  const indices: number[] = [];
  if (head >= ring.size) {
    return {
      indices,
      error: { kind: 'head-oob', at: head, value: head, message: `Guest says index ${head} is available` },
    };
  }
  const seen = new Set<number>();
  let i = head;
  for (;;) {
    if (seen.has(i)) {
      return { indices, error: { kind: 'loop', at: i, value: i, message: 'Looped descriptor' } };
    }
    seen.add(i);
    indices.push(i);
    const d = readDescriptor(core, ring.desc, i);
    if ((d.flags & VRING_DESC_F_NEXT) === 0) return { indices, error: null };
    if (d.next >= ring.size) {
      return {
        indices,
        error: { kind: 'next-oob', at: i, value: d.next, message: `Desc next is ${d.next}` },
      };
    }
    i = d.next;
  }
}

export interface Buffer {
  /** The free-running avail index the driver published it at. */
  idx: number;
  slot: number;
  head: number;
  phase: Phase;
  chain: Chain;
}

export interface QueueDetail extends QueueIndices {
  /** Buffers added and not yet collected, oldest first. */
  buffers: Buffer[];
  /** Per descriptor: 0 free, else 1 + the index into `buffers` of the buffer it belongs to. */
  owner: Uint16Array;
  /** Descriptors found in the buffers' chains. */
  inUse: number;
  /** inUse equals Queue Size − num_free: the reconstruction agrees with the driver's own count. */
  consistent: boolean;
}

/** The full picture for the step view: every buffer in flight and the descriptors it holds. */
export function inspectQueue(core: RingMemory, ring: Ring, state: QueueState): QueueDetail {
  const ind = readIndices(core, ring, state);
  const count = Math.min(ind.outstanding, ring.size);
  const returned = Math.min(ind.uncollected, count);
  const popped = Math.min(u16Diff(state.lastAvail, state.lastUsed), count);
  const owner = new Uint16Array(ring.size);
  const buffers: Buffer[] = [];
  let inUse = 0;
  for (let k = 0; k < count; k++) {
    const idx = (state.lastUsed + k) & 0xffff;
    const slot = slotOf(idx, ring.size);
    const head = readAvailEntry(core, ring, slot);
    const phase: Phase = k < returned ? 'used' : k < popped ? 'device' : 'available';
    const chain = walkChain(core, ring, head);
    for (const i of chain.indices) {
      if (owner[i] === 0) inUse++;
      owner[i] = buffers.length + 1;
    }
    buffers.push({ idx, slot, head, phase, chain });
  }
  return { ...ind, buffers, owner, inUse, consistent: inUse === ring.size - state.numFree };
}

/** The buffer descriptor `index` belongs to, or null when it is free. */
export function bufferOf(detail: QueueDetail, index: number): Buffer | null {
  const o = detail.owner[index];
  return o ? detail.buffers[o - 1] : null;
}

export interface SlotMark {
  /** The free-running index that last wrote this slot. */
  idx: number;
  phase: Phase;
}

/**
 * What an avail.ring slot holds right now: a head in the window last_avail_idx … avail.idx (available,
 * not yet popped) or just before it (popped and still held by the device: `inuse` of them), or neither.
 */
export function availSlotMark(ind: QueueIndices, size: number, slot: number): SlotMark | null {
  const { lastAvail, inuse } = ind.state;
  const waiting = Math.min(ind.waiting, size);
  const ahead = slotOf(slot - lastAvail, size);
  if (ahead < waiting) return { idx: (lastAvail + ahead) & 0xffff, phase: 'available' };
  const behind = slotOf(lastAvail - 1 - slot, size);
  if (behind < Math.min(inuse, size - waiting))
    return { idx: (lastAvail - 1 - behind) & 0xffff, phase: 'device' };
  return null;
}

/** A used.ring slot in the window last_used_idx … used.idx: returned, not yet collected by the driver. */
export function usedSlotMark(ind: QueueIndices, size: number, slot: number): SlotMark | null {
  const ahead = slotOf(slot - ind.state.lastUsed, size);
  if (ahead < Math.min(ind.uncollected, size))
    return { idx: (ind.state.lastUsed + ahead) & 0xffff, phase: 'used' };
  return null;
}

// ── What a descriptor's buffer carries ─────────────────────────────────────────────────────────────

export interface Segment {
  gpa: number;
  len: number;
  write: boolean;
}

export interface BufferContents {
  segments: Segment[];
  /** The device-readable bytes read as le32 PFNs (each a 4 KiB frame number). */
  pfns: number[];
  /** Stats entries, for the stats queue's buffer. */
  stats: { tag: number; name: string; value: bigint }[];
  /** More PFNs than `limit`: only the first ones were read. */
  truncated: boolean;
  /** Anything odd, in plain words. */
  notes: string[];
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The segments a descriptor names: its own buffer, or the chain in its indirect table. */
function segmentsOf(core: RingMemory, d: Descriptor, notes: string[]): Segment[] {
  if (d.addr > MAX_SAFE) {
    notes.push(`addr ${d.addr.toString(16)} is far beyond guest memory`);
    return [];
  }
  const own = { gpa: Number(d.addr), len: d.len, write: (d.flags & VRING_DESC_F_WRITE) !== 0 };
  if ((d.flags & VRING_DESC_F_INDIRECT) === 0) return [own];
  const n = Math.floor(d.len / DESC_SIZE);
  if (n === 0 || d.len % DESC_SIZE !== 0) {
    notes.push('Invalid size for indirect buffer table (its length must be a non-zero multiple of 16)');
    return [];
  }
  if (!core.inWindow(own.gpa, d.len)) {
    notes.push('Cannot map indirect buffer (the table is outside the memory the simulation backs)');
    return [];
  }
  const segs: Segment[] = [];
  const seen = new Set<number>();
  for (let i = 0; !seen.has(i); ) {
    seen.add(i);
    const e = readDescriptor(core, asGpa(own.gpa), i);
    if (e.addr > MAX_SAFE) {
      notes.push(`indirect entry ${i}: addr far beyond guest memory`);
      break;
    }
    segs.push({ gpa: Number(e.addr), len: e.len, write: (e.flags & VRING_DESC_F_WRITE) !== 0 });
    if ((e.flags & VRING_DESC_F_NEXT) === 0) break;
    if (e.next >= n) {
      notes.push(`indirect entry ${i}: Desc next is ${e.next}`);
      break;
    }
    i = e.next;
  }
  return segs;
}

/**
 * The PFNs (or, with `asStats`, the stats entries) the buffer of descriptor `index` carries, read from
 * guest memory as it is now: once the driver reuses pfns[] for its next batch, so do these bytes.
 */
export function bufferContents(
  core: RingMemory,
  ring: Ring,
  index: number,
  opts: { asStats?: boolean; limit?: number } = {},
): BufferContents {
  const limit = opts.limit ?? 4096;
  const notes: string[] = [];
  const out: BufferContents = { segments: [], pfns: [], stats: [], truncated: false, notes };
  if (index < 0 || index >= ring.size) {
    notes.push(`no descriptor ${index} in a table of ${ring.size}`);
    return out;
  }
  out.segments = segmentsOf(core, readDescriptor(core, ring.desc, index), notes);
  for (const s of out.segments) {
    if (s.write) {
      notes.push('a device-writable buffer: the device fills it, the driver sends nothing in it');
      continue;
    }
    if (!core.inWindow(s.gpa, s.len)) {
      notes.push(`${s.len} bytes at ${s.gpa.toString(16)}: outside the memory the simulation backs`);
      continue;
    }
    if (opts.asStats) {
      if (s.len % 10 !== 0) notes.push(`${s.len} bytes is not a whole number of 10-byte stats entries`);
      for (let p = 0; p + 10 <= s.len; p += 10) {
        const tag = core.readU16(asGpa(s.gpa + p));
        const name = QEMU_STAT_NAMES[tag] ?? `tag ${tag}`;
        out.stats.push({ tag, name, value: core.readU64(asGpa(s.gpa + p + 2)) });
      }
      continue;
    }
    if (s.len % 4 !== 0) notes.push(`${s.len} bytes is not a multiple of 4: the last bytes are no PFN`);
    for (let p = 0; p + 4 <= s.len; p += 4) {
      if (out.pfns.length >= limit) {
        out.truncated = true;
        break;
      }
      out.pfns.push(core.readU32(asGpa(s.gpa + p)));
    }
  }
  out.notes = [...new Set(notes)];
  return out;
}

/** A PFN names a frame past the end of guest RAM: QEMU skips it (virtio_balloon_bad_addr). */
export const isBadPfn = (core: RingMemory, pfn: number) => pfn >= core.ramFrames;

// ── The driver's pfns[] array ─────────────────────────────────────────────────────────────────────

export interface PfnBatch {
  gpa: Gpa;
  /** num_pfns: the slots the current batch fills (clamped to 256). */
  count: number;
  /** All 256 slots, filled or not (the rest hold an older batch's PFNs). */
  slots: Uint32Array;
  /** Filled slots whose PFN is past the end of RAM. */
  bad: number[];
  /** pfns[] is inside the memory the simulation backs. */
  readable: boolean;
}

export function readPfnBatch(core: RingMemory, gpa: Gpa, count: number): PfnBatch {
  const slots = new Uint32Array(PFNS_MAX);
  const n = Math.max(0, Math.min(count, PFNS_MAX));
  const readable = core.inWindow(gpa, PFNS_MAX * 4);
  const bad: number[] = [];
  if (readable) {
    for (let i = 0; i < PFNS_MAX; i++) slots[i] = core.readU32(asGpa(gpa + i * 4));
    for (let i = 0; i < n; i++) if (isBadPfn(core, slots[i])) bad.push(i);
  }
  return { gpa, count: n, slots, bad, readable };
}

// ── Paging long tables ────────────────────────────────────────────────────────────────────────────

/** Rows a table shows at once: a queue has up to 32768 descriptors. */
export const PAGE_ROWS = 64;

/**
 * The rows [start, end) to draw: everything for a small table, else PAGE_ROWS of them, from `start` when
 * the reader paged, or placed so that `focus` (the interesting row) sits near the top.
 */
export function rowWindow(
  size: number,
  focus: number,
  start: number | null,
  rows = PAGE_ROWS,
): { start: number; end: number } {
  if (size <= rows) return { start: 0, end: size };
  const wanted = start ?? focus - Math.floor(rows / 4);
  const s = Math.max(0, Math.min(size - rows, Math.floor(wanted)));
  return { start: s, end: s + rows };
}
