// The split virtqueue's layout in guest memory (virtio 1.x §2.7), in one place, as asm/virtqueue.ts's
// inline accessors are for the wasm core. Every address here is computed from a part's base:
//
//   descriptor table  16 bytes each: addr u64 @0, len u32 @8, flags u16 @12, next u16 @14
//   available ring    flags u16 @0, idx u16 @2, ring[Queue Size] u16 @4, used_event u16 after the ring
//   used ring         flags u16 @0, idx u16 @2, ring[Queue Size] {id u32, len u32} @4, avail_event after
//
// The functions keep the brand of the base they are given: a `Gpa` in gives a `Gpa` out (the
// simulation, the inspector), a plain offset in gives a plain offset out (the twin and the fuzzer,
// which address the core's linear memory).

import { DESC_SIZE } from './abi.ts';

/** Bytes of one used-ring element {id u32, len u32}. */
export const USED_ELEM_SIZE = 8;

/** Descriptor `i` of the table at `desc`: its addr (u64, low half first). */
export const descAt = <A extends number>(desc: A, i: number): A => (desc + i * DESC_SIZE) as A;
/** The high u32 of a descriptor's addr. */
export const descAddrHi = <A extends number>(d: A): A => (d + 4) as A;
export const descLen = <A extends number>(d: A): A => (d + 8) as A;
export const descFlags = <A extends number>(d: A): A => (d + 12) as A;
export const descNext = <A extends number>(d: A): A => (d + 14) as A;

/** avail.idx: where the driver will put its next head (free-running u16). */
export const availIdx = <A extends number>(avail: A): A => (avail + 2) as A;
/** avail.ring[slot]. */
export const availSlot = <A extends number>(avail: A, slot: number): A => (avail + 4 + slot * 2) as A;
/** used_event (VIRTIO_F_EVENT_IDX): after the available ring's Queue Size entries. */
export const usedEvent = <A extends number>(avail: A, size: number): A => (avail + 4 + size * 2) as A;

/** used.idx: where the device will put its next element (free-running u16). */
export const usedIdx = <A extends number>(used: A): A => (used + 2) as A;
/** used.ring[slot].id; its len is at usedSlotLen. */
export const usedSlot = <A extends number>(used: A, slot: number): A =>
  (used + 4 + slot * USED_ELEM_SIZE) as A;
export const usedSlotLen = <A extends number>(e: A): A => (e + 4) as A;
/** avail_event (VIRTIO_F_EVENT_IDX): after the used ring's Queue Size elements. */
export const availEvent = <A extends number>(used: A, size: number): A =>
  (used + 4 + size * USED_ELEM_SIZE) as A;

/** The bytes of each part for a queue of `size` entries (with its event-index trailer). */
export const descTableBytes = (size: number) => size * DESC_SIZE;
export const availRingBytes = (size: number) => 6 + size * 2;
export const usedRingBytes = (size: number) => 6 + size * USED_ELEM_SIZE;
