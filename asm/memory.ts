// Linear memory: the layout of every region the core owns, and guest-physical address translation.
//
// Everything is laid out once, by init(), upwards from __heap_base (rounded up to 64 KiB):
//
//   ┌──────────────────┐ base
//   │ CTRL      1 KiB  │ global fields, per-state counts, stats values   (constants.ts: CTRL_*)
//   ├──────────────────┤ base + 1 KiB
//   │ QUEUES ~1 MiB    │ MAX_QUEUES × 64 B queue records              (Q_*)
//   │                  │ MAX_QUEUES × 32768 × 8 B driver desc_extra   (DESC_EXTRA_SIZE)
//   ├──────────────────┤
//   │ EVENTS   64 KiB  │ 4096 × 16 B event records, a ring            (EV_*)
//   ├──────────────────┤
//   │ SCRATCH  64 KiB  │ arguments the caller writes: page lists, scatter-gather lists
//   ├──────────────────┤
//   │ ELEM   ~16 KiB   │ the element vqPop took: 1024 × 16 B segments; then a 512-bit bitmap
//   ├──────────────────┤ ── from here on the sizes depend on init()'s arguments ──
//   │ FRAMES           │ u8 × ramFrames: the guest's frame states      (FRAME_*)
//   ├──────────────────┤
//   │ HOST             │ u8 × ramFrames: the host's backing states     (HOST_*)
//   ├──────────────────┤
//   │ DIRTY            │ u8 × ⌈ramFrames / 1024⌉: chunks changed since the caller last cleared them
//   ├──────────────────┤ (4 KiB aligned)
//   │ WINDOW           │ the backed part of guest RAM: guest-physical
//   │                  │ [windowFrame << 12, (windowFrame + windowFrames) << 12)
//   └──────────────────┘
//
// Only the window has real bytes of guest memory: the rings, the driver's pfns[256] and the stats
// buffer live there, at their real guest-physical addresses. Every address the device is given is
// translated through translate(), which refuses what falls outside the window, as QEMU refuses an
// address it cannot map.

import {
  CTRL_SIZE,
  DESC_EXTRA_SIZE,
  DIRTY_CHUNK_SHIFT,
  ELEM_SIZE,
  EVENT_CAPACITY,
  EVENT_SIZE,
  MAX_QUEUE_SIZE,
  MAX_QUEUES,
  PAGE_SHIFT,
  PAGE_SIZE,
  QUEUE_RECORD,
  REGION_CTRL,
  REGION_DIRTY,
  REGION_ELEM,
  REGION_EVENTS,
  REGION_FRAMES,
  REGION_HOST,
  REGION_QUEUES,
  REGION_SCRATCH,
  REGION_WINDOW,
  SCRATCH_SIZE,
} from './constants';

@inline function alignUp(n: usize, a: usize): usize {
  return (n + a - 1) & ~(a - 1);
}

// Fixed regions: known before init().
export const ctrl: usize = alignUp(__heap_base, 65536);
export const queues: usize = ctrl + CTRL_SIZE;
export const descExtra: usize = queues + MAX_QUEUES * QUEUE_RECORD;
export const events: usize = descExtra + MAX_QUEUES * MAX_QUEUE_SIZE * DESC_EXTRA_SIZE;
export const scratch: usize = events + EVENT_CAPACITY * EVENT_SIZE;
export const elem: usize = scratch + SCRATCH_SIZE;
const fixedEnd: usize = elem + ELEM_SIZE;

// The fixed regions exist from the start, so that every export is safe to call even before init().
const havePages = memory.size();
const needPages = <i32>((fixedEnd + 65535) >> 16);
if (needPages > havePages && memory.grow(needPages - havePages) < 0) unreachable();

// Regions sized by init().
export let frames: usize = fixedEnd;
export let host: usize = fixedEnd;
export let dirty: usize = fixedEnd;
export let window: usize = fixedEnd;
export let ramFrames: u32 = 0;
export let windowSize: u32 = 0;
export let windowGpa: u64 = 0;
export let hostPageFrames: u32 = 1;

/** Lays the sized regions out and grows memory to hold them. Returns false if memory cannot grow. */
export function layOut(nFrames: u32, hpf: u32, windowFrame: u32, windowFrames: u32): bool {
  const f = fixedEnd;
  const h = f + <usize>nFrames;
  const d = h + <usize>nFrames;
  const w = alignUp(d + <usize>((nFrames + (1 << DIRTY_CHUNK_SHIFT) - 1) >> DIRTY_CHUNK_SHIFT), PAGE_SIZE);
  const end = w + (<usize>windowFrames << PAGE_SHIFT);
  const have = <usize>memory.size() << 16;
  if (end > have) {
    if (memory.grow(<i32>((end - have + 65535) >> 16)) < 0) return false;
  }
  frames = f;
  host = h;
  dirty = d;
  window = w;
  ramFrames = nFrames;
  hostPageFrames = hpf;
  windowSize = windowFrames << PAGE_SHIFT;
  windowGpa = <u64>windowFrame << PAGE_SHIFT;
  memory.fill(ctrl, 0, end - ctrl);
  return true;
}

/** The linear address of a region (REGION_*), for the caller's typed views. */
export function regionOffset(region: u32): usize {
  switch (region) {
    case REGION_CTRL:
      return ctrl;
    case REGION_QUEUES:
      return queues;
    case REGION_EVENTS:
      return events;
    case REGION_SCRATCH:
      return scratch;
    case REGION_ELEM:
      return elem;
    case REGION_FRAMES:
      return frames;
    case REGION_HOST:
      return host;
    case REGION_DIRTY:
      return dirty;
    case REGION_WINDOW:
      return window;
    default:
      return 0;
  }
}

/**
 * Translates guest-physical [gpa, gpa + len) to a linear address inside the window, or returns 0 if
 * any byte of it lies outside. Overflow-safe for any u64 inputs.
 */
@inline export function translate(gpa: u64, len: u64): usize {
  const off = gpa - windowGpa; // wraps to a huge number when gpa < windowGpa
  if (off > <u64>windowSize || len > <u64>windowSize - off) return 0;
  return window + <usize>off;
}

/** Window offset → linear address (the offset was checked when it was stored). */
@inline export function windowPtr(off: u32): usize {
  return window + <usize>off;
}

// CTRL field accessors.
@inline export function ctrlGet(field: u32): u32 {
  return load<u32>(ctrl + field);
}
@inline export function ctrlSet(field: u32, v: u32): void {
  store<u32>(ctrl + field, v);
}
@inline export function ctrlAdd(field: u32, v: u32): void {
  store<u32>(ctrl + field, load<u32>(ctrl + field) + v);
}
