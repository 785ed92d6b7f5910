// The guest's frame table and the host's view of the same memory.
//
//   FRAMES[f]  one byte per 4 KiB guest-physical frame f: FRAME_* (constants.ts)
//   HOST[f]    one byte per 4 KiB frame: HOST_*; changed a whole host page at a time
//   DIRTY[c]   1 when any frame in chunk c = f >> DIRTY_CHUNK_SHIFT changed (guest or host view)
//
// Per-state counts live in CTRL and are kept exact on every change, so "how many frames are free"
// never needs a scan. The renderer reads FRAMES/HOST directly and redraws only dirty chunks.

import {
  CTRL_HOST_COUNTS,
  CTRL_STATE_COUNTS,
  DIRTY_CHUNK_SHIFT,
  FRAME_STATE_COUNT,
  HOST_RESIDENT,
  HOST_STATE_COUNT,
} from './constants';
import { ctrl, dirty, frames, host, hostPageFrames, ramFrames } from './memory';

@inline function countMove(counts: usize, from: u32, to: u32): void {
  const pf = counts + (from << 2);
  store<u32>(pf, load<u32>(pf) - 1);
  const pt = counts + (to << 2);
  store<u32>(pt, load<u32>(pt) + 1);
}

// ── Batches ──────────────────────────────────────────────────────────────────────────────────────
// A batch moves many frames to one state, and most of them come from one state too (a balloon batch
// is 256 free pages becoming INFLATING, or 256 INFLATING pages becoming BALLOON). So a batch loop keeps
// in locals the run of equal old states it is in and how many frames it moved, and settles the
// per-state counters once per run and once per batch instead of twice per frame: a counter in memory
// updated every frame is a store-to-load chain that costs more than everything else done with the
// page. The counts are exact again when the batch ends. The pattern, in every batch loop:
//
//   let run = NO_RUN, len = 0, total = 0;
//   for each frame f: const old = table[f];
//                     if (old != run) { settle(counts, run, len); run = old; len = 0; }
//                     len++; total++; table[f] = s; dirty[f >> 10] = 1;
//   settle(counts, run, len); credit(counts, s, total);

export const NO_RUN: u32 = 0xff;

/** counts[state] -= len (nothing for NO_RUN or an empty run). */
@inline export function settle(counts: usize, state: u32, len: u32): void {
  if (len != 0) {
    const p = counts + (state << 2);
    store<u32>(p, load<u32>(p) - len);
  }
}

/** counts[state] += n. */
@inline export function credit(counts: usize, state: u32, n: u32): void {
  const p = counts + (state << 2);
  store<u32>(p, load<u32>(p) + n);
}

@inline export function markDirty(f: u32): void {
  store<u8>(dirty + <usize>(f >> DIRTY_CHUNK_SHIFT), 1);
}

export const frameCounts: usize = ctrl + CTRL_STATE_COUNTS;
export const hostCounts: usize = ctrl + CTRL_HOST_COUNTS;

/** Sets the state of frames [first, first + n) clipped to RAM; returns how many were set. */
export function setFrameRange(first: u32, n: u32, s: u32): u32 {
  if (s >= FRAME_STATE_COUNT || first >= ramFrames) return 0;
  const count = min(n, ramFrames - first);
  let run = NO_RUN;
  let len: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const f = first + i;
    const p = frames + <usize>f;
    const old: u32 = load<u8>(p);
    if (old != run) {
      settle(frameCounts, run, len);
      run = old;
      len = 0;
    }
    len++;
    store<u8>(p, <u8>s);
    markDirty(f);
  }
  settle(frameCounts, run, len);
  credit(frameCounts, s, count);
  return count;
}

@inline function setHost(f: u32, s: u32): void {
  const p = host + <usize>f;
  countMove(ctrl + CTRL_HOST_COUNTS, load<u8>(p), s);
  store<u8>(p, <u8>s);
  store<u8>(dirty + <usize>(f >> DIRTY_CHUNK_SHIFT), 1);
}

/** Sets the host state of the whole host page holding frame f. Returns the frames that changed. */
export function setHostPage(f: u32, s: u32): u32 {
  const base = f & ~(hostPageFrames - 1);
  let changed: u32 = 0;
  for (let i: u32 = 0; i < hostPageFrames; i++) {
    const g = base + i;
    if (load<u8>(host + <usize>g) != s) {
      setHost(g, s);
      changed++;
    }
  }
  return changed;
}

/** Sets host page states only where the current state is `from`. Returns the frames that changed. */
export function moveHostPage(f: u32, from: u32, to: u32): u32 {
  const base = f & ~(hostPageFrames - 1);
  let changed: u32 = 0;
  for (let i: u32 = 0; i < hostPageFrames; i++) {
    const g = base + i;
    if (load<u8>(host + <usize>g) == from) {
      setHost(g, to);
      changed++;
    }
  }
  return changed;
}

/**
 * The guest wrote to frames [first, first + n): every host page they touch becomes resident (a host
 * page is backed as a whole). Returns the 4 KiB frames that became resident.
 */
export function hostTouch(first: u32, n: u32): u32 {
  if (first >= ramFrames) return 0;
  const end = first + min(n, ramFrames - first);
  let changed: u32 = 0;
  let f = first & ~(hostPageFrames - 1);
  while (f < end) {
    changed += setHostPage(f, HOST_RESIDENT);
    f += hostPageFrames;
  }
  return changed;
}

export function stateCount(s: u32): u32 {
  return s < FRAME_STATE_COUNT ? load<u32>(ctrl + CTRL_STATE_COUNTS + (s << 2)) : 0;
}

export function hostCount(s: u32): u32 {
  return s < HOST_STATE_COUNT ? load<u32>(ctrl + CTRL_HOST_COUNTS + (s << 2)) : 0;
}
