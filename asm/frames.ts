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
  // Eight frames a step where they share a state; every chunk of the range is marked dirty.
  recolorRun(frames, frameCounts, first, count, s, true);
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

// ── Runs of consecutive frames ───────────────────────────────────────────────────────────────────
// A balloon batch is mostly a few runs of consecutive PFNs (the allocator hands out blocks). For a
// run, the table is read eight bytes at a time: a word whose eight states are equal is one step of
// the batch pattern above, and the stores become one memory.fill. Below RUN_MIN frames the per-frame
// loop is as fast. The results (states, counts, dirty chunks) are the per-frame loop's, exactly.

/** The shortest run worth the word-at-a-time path. */
export const RUN_MIN: u32 = 16;

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

/** True when some byte of w is zero. */
@inline function hasZeroByte(w: u64): bool {
  return ((w - ONES) & ~w & HIGHS) != 0;
}

/**
 * Moves frames [first, first + n) of `table` (FRAMES or HOST; the caller has clipped the run to RAM)
 * to state s, settling `counts` for each frame that was not s already and crediting s with them.
 * Marks a dirty chunk where a frame changed, or every chunk of the run when `dirtyAll` (as the
 * driver's per-frame loops do). Returns how many frames were not s.
 */
export function recolorRun(table: usize, counts: usize, first: u32, n: u32, s: u32, dirtyAll: bool): u32 {
  let run = NO_RUN;
  let len: u32 = 0;
  let changed: u32 = 0;
  let f = first;
  const end = first + n;
  while (f < end) {
    const sliceEnd = min(end, ((f >> DIRTY_CHUNK_SHIFT) + 1) << DIRTY_CHUNK_SHIFT);
    let sliceChanged: u32 = 0;
    let p = table + <usize>f;
    const stop = table + <usize>sliceEnd;
    while (p < stop) {
      if (stop - p >= 8) {
        const w = load<u64>(p);
        const v = <u32>(w & 0xff);
        if (w == <u64>v * ONES) {
          if (v != s) {
            if (v != run) {
              settle(counts, run, len);
              run = v;
              len = 0;
            }
            len += 8;
            sliceChanged += 8;
          }
          p += 8;
          continue;
        }
      }
      const v: u32 = load<u8>(p);
      if (v != s) {
        if (v != run) {
          settle(counts, run, len);
          run = v;
          len = 0;
        }
        len++;
        sliceChanged++;
      }
      p++;
    }
    memory.fill(table + <usize>f, <u8>s, sliceEnd - f);
    if (dirtyAll || sliceChanged != 0) store<u8>(dirty + <usize>(f >> DIRTY_CHUNK_SHIFT), 1);
    changed += sliceChanged;
    f = sliceEnd;
  }
  settle(counts, run, len);
  credit(counts, s, changed);
  return changed;
}

/**
 * In frames [first, first + n) of `table` (clipped to RAM by the caller), every frame in state
 * `from` becomes `to`; the others stay. Marks a dirty chunk where one did. Counts are the caller's.
 * Returns how many changed.
 */
export function replaceInRun(table: usize, first: u32, n: u32, from: u32, to: u32): u32 {
  const fromWord = <u64>from * ONES;
  const toWord = <u64>to * ONES;
  let changed: u32 = 0;
  let f = first;
  const end = first + n;
  while (f < end) {
    const sliceEnd = min(end, ((f >> DIRTY_CHUNK_SHIFT) + 1) << DIRTY_CHUNK_SHIFT);
    let sliceChanged: u32 = 0;
    let p = table + <usize>f;
    const stop = table + <usize>sliceEnd;
    while (p < stop) {
      if (stop - p >= 8) {
        const w = load<u64>(p);
        if (w == fromWord) {
          store<u64>(p, toWord);
          sliceChanged += 8;
          p += 8;
          continue;
        }
        if (!hasZeroByte(w ^ fromWord)) {
          p += 8;
          continue;
        }
      }
      if (<u32>load<u8>(p) == from) {
        store<u8>(p, <u8>to);
        sliceChanged++;
      }
      p++;
    }
    if (sliceChanged != 0) store<u8>(dirty + <usize>(f >> DIRTY_CHUNK_SHIFT), 1);
    changed += sliceChanged;
    f = sliceEnd;
  }
  return changed;
}
