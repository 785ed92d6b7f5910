// What the worker sends the page of one queue (protocol.ts GuestQueue, GuestUpdate.pages): the core's
// record of the device's side, the driver's side as far as guest memory shows it, and which 4 KiB
// pages the rings and their buffers lie in. Pure, over a reader of guest memory.
import type { QueueState } from '../core/core.ts';
import {
  availIdx,
  availRingBytes,
  descAddrHi,
  descAt,
  descLen,
  descTableBytes,
  usedEvent,
  usedRingBytes,
} from '../core/ring-layout.ts';

export interface GuestMemory {
  readonly ramFrames: number;
  u16(gpa: number): number;
  u32(gpa: number): number;
}

/**
 * The queue as the inspector reads it. Linux keeps its side private; memory shows avail->idx (what it
 * published) and, with EVENT_IDX, used_event, which Linux sets to its last_used_idx each time it
 * collects a buffer. A balloon buffer is one descriptor, so what is outstanding is what is not free.
 * Without EVENT_IDX the driver is taken to have collected all the device returned.
 */
export function driverSide(st: QueueState, mem: GuestMemory): QueueState {
  const published = mem.u16(availIdx(st.avail));
  const lastUsed = st.eventIdx ? mem.u16(usedEvent(st.avail, st.size)) : st.usedIdx;
  const outstanding = (published - lastUsed) & 0xffff;
  return {
    ...st,
    availShadow: published,
    lastUsed,
    numFree: Math.max(0, st.size - outstanding),
    freeHead: 0,
  };
}

/** At most this many pages a queue: the rings, then the buffers' (the balloon's pfns[] is one page). */
export const MAX_PAGES = 64;

/** The 4 KiB pages (frame numbers) the queue's three rings and its descriptors' buffers lie in. */
export function ringPages(st: QueueState, mem: GuestMemory, into: Set<number> = new Set()): Set<number> {
  const span = (gpa: number, len: number) => {
    for (let p = Math.floor(gpa / 4096); p * 4096 < gpa + len; p++) if (p < mem.ramFrames) into.add(p);
  };
  span(st.desc, descTableBytes(st.size));
  span(st.avail, availRingBytes(st.size));
  span(st.used, usedRingBytes(st.size));
  for (let k = 0; k < st.size && into.size < MAX_PAGES; k++) {
    const d = descAt(st.desc, k);
    const len = mem.u32(descLen(d));
    // A buffer above 4 GiB is past any guest v86 runs: not sent.
    if (len > 0 && mem.u32(descAddrHi(d)) === 0) span(mem.u32(d), Math.min(len, 4096));
  }
  return into;
}
