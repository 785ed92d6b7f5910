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

/** Sets one frame's state; the frame and state must already be checked. */
@inline export function setFrame(f: u32, s: u32): void {
  const p = frames + <usize>f;
  countMove(ctrl + CTRL_STATE_COUNTS, load<u8>(p), s);
  store<u8>(p, <u8>s);
  store<u8>(dirty + <usize>(f >> DIRTY_CHUNK_SHIFT), 1);
}

/** Sets the state of frames [first, first + n) clipped to RAM; returns how many were set. */
export function setFrameRange(first: u32, n: u32, s: u32): u32 {
  if (s >= FRAME_STATE_COUNT || first >= ramFrames) return 0;
  const count = min(n, ramFrames - first);
  for (let i: u32 = 0; i < count; i++) setFrame(first + i, s);
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
