// Balloon Lab's WebAssembly core: the byte-exact parts of virtio-balloon, in linear memory.
//
// Every export takes and returns plain numbers. Guest-physical addresses cross the boundary as two
// u32 halves (lo, hi) so that no caller needs BigInt and no float conversion can trap. Numbers and
// layouts: constants.ts; the typed face and its plain-TypeScript twin: src/core/.

import * as balloon from './balloon';
import {
  CTRL_EVENT_MASK,
  CTRL_HOST_COUNTS,
  CTRL_HOST_PAGE_FRAMES,
  CTRL_RAM_FRAMES,
  CTRL_SIZE,
  CTRL_STATE_COUNTS,
  CTRL_WINDOW_FRAME,
  CTRL_WINDOW_FRAMES,
  DEVICE_F_VERSION_1,
  DIRTY_CHUNK_SHIFT,
  EVENT_MASK_DEFAULT,
  FRAME_FREE,
  HOST_UNTOUCHED,
  MAX_FRAMES,
  MAX_HOST_PAGE_FRAMES,
  MAX_WINDOW_FRAMES,
  RC_BAD_ARG,
} from './constants';
import * as frames from './frames';
import { ctrlGet, ctrlSet, dirty, layOut, ramFrames, regionOffset } from './memory';
import * as vq from './virtqueue';

@inline function gpa(lo: u32, hi: u32): u64 {
  return (<u64>hi << 32) | <u64>lo;
}

// ── Setup and memory ───────────────────────────────────────────────────────────────────────────────

/**
 * Lays out a guest of nFrames 4 KiB frames (≤ 16 GiB), host pages of hostPageFrames frames (1, 16
 * or 512 for 4 KiB, 64 KiB, 2 MiB; any power of two ≤ 512 dividing RAM), and a backed window of
 * windowFrames frames at guest frame windowFrame. Everything is zeroed: frames free, host untouched,
 * queues not set up, a modern (VERSION_1) device. Returns 0, or RC_BAD_ARG with nothing changed.
 */
export function init(nFrames: u32, hostPageFrames: u32, windowFrame: u32, windowFrames: u32): i32 {
  if (nFrames == 0 || nFrames > MAX_FRAMES) return RC_BAD_ARG;
  if (hostPageFrames == 0 || hostPageFrames > MAX_HOST_PAGE_FRAMES) return RC_BAD_ARG;
  if ((hostPageFrames & (hostPageFrames - 1)) != 0 || nFrames % hostPageFrames != 0) return RC_BAD_ARG;
  if (windowFrames == 0 || windowFrames > MAX_WINDOW_FRAMES) return RC_BAD_ARG;
  if (windowFrame >= nFrames || windowFrames > nFrames - windowFrame) return RC_BAD_ARG;
  if (!layOut(nFrames, hostPageFrames, windowFrame, windowFrames)) return RC_BAD_ARG;
  ctrlSet(CTRL_RAM_FRAMES, nFrames);
  ctrlSet(CTRL_HOST_PAGE_FRAMES, hostPageFrames);
  ctrlSet(CTRL_WINDOW_FRAME, windowFrame);
  ctrlSet(CTRL_WINDOW_FRAMES, windowFrames);
  ctrlSet(CTRL_STATE_COUNTS + (FRAME_FREE << 2), nFrames);
  ctrlSet(CTRL_HOST_COUNTS + (HOST_UNTOUCHED << 2), nFrames);
  ctrlSet(CTRL_EVENT_MASK, EVENT_MASK_DEFAULT);
  vq.deviceReset(DEVICE_F_VERSION_1);
  return 0;
}

/** The linear address of a region (REGION_*), for the caller's typed views. */
export function layout(region: u32): u32 {
  return <u32>regionOffset(region);
}

/** One CTRL field (CTRL_*), for callers without a view. */
export function ctrlRead(field: u32): u32 {
  return field < CTRL_SIZE ? ctrlGet(field & ~3) : 0;
}

/** Forgets which chunks changed (the renderer calls this after it redrew them). */
export function dirtyClear(): void {
  memory.fill(dirty, 0, (ramFrames + (1 << DIRTY_CHUNK_SHIFT) - 1) >> DIRTY_CHUNK_SHIFT);
}

// ── Frames and host backing ────────────────────────────────────────────────────────────────────────

export function frameSetRange(first: u32, n: u32, state: u32): u32 {
  return frames.setFrameRange(first, n, state);
}
export function stateCount(state: u32): u32 {
  return frames.stateCount(state);
}
export function hostTouch(first: u32, n: u32): u32 {
  return frames.hostTouch(first, n);
}
export function hostCount(state: u32): u32 {
  return frames.hostCount(state);
}

// ── Virtqueues ─────────────────────────────────────────────────────────────────────────────────────

export function needEvent(event: u32, newIdx: u32, old: u32): bool {
  return vq.needEvent(event, newIdx, old);
}
export function deviceReset(flags: u32): void {
  vq.deviceReset(flags);
}
export function vqSetup(
  q: u32,
  size: u32,
  descLo: u32,
  descHi: u32,
  availLo: u32,
  availHi: u32,
  usedLo: u32,
  usedHi: u32,
  features: u32,
): i32 {
  return vq.vqSetup(q, size, gpa(descLo, descHi), gpa(availLo, availHi), gpa(usedLo, usedHi), features);
}
export function vqAddBuf(q: u32, lo: u32, hi: u32, len: u32, write: u32): i32 {
  return vq.vqAddBuf(q, gpa(lo, hi), len, write);
}
export function vqAddSgs(q: u32, outNum: u32, inNum: u32, tableLo: u32, tableHi: u32, indirect: u32): i32 {
  return vq.vqAddSgs(q, outNum, inNum, gpa(tableLo, tableHi), indirect);
}
export function vqKickPrepare(q: u32): bool {
  return vq.vqKickPrepare(q);
}
export function vqGetBuf(q: u32): i32 {
  return vq.vqGetBuf(q);
}
export function vqSetCallbacks(q: u32, enable: u32): bool {
  return vq.vqSetCallbacks(q, enable);
}
export function vqPop(q: u32): i32 {
  return vq.vqPop(q);
}
export function vqPush(q: u32, head: u32, len: u32): i32 {
  return vq.vqPush(q, head, len);
}
export function vqNeedInterrupt(q: u32): bool {
  return vq.vqNeedInterrupt(q);
}
export function vqSetNotification(q: u32, enable: u32): void {
  vq.vqSetNotification(q, enable);
}
export function vqPending(q: u32): u32 {
  return vq.vqPending(q);
}

// ── Balloon ────────────────────────────────────────────────────────────────────────────────────────

export function pfnEncode(at: u32, nRuns: u32, pagesPerPage: u32, lo: u32, hi: u32, state: u32): i32 {
  return balloon.pfnEncode(at, nRuns, pagesPerPage, gpa(lo, hi), state);
}
export function pfnSetStates(n: u32, lo: u32, hi: u32, state: u32): i32 {
  return balloon.pfnSetStates(n, gpa(lo, hi), state);
}
export function pfnRuns(n: u32, lo: u32, hi: u32): i32 {
  return balloon.pfnRuns(n, gpa(lo, hi));
}
export function balloonHandle(q: u32, deflate: u32, maxElems: u32): i32 {
  return balloon.balloonHandle(q, deflate, maxElems);
}
export function statsPop(q: u32): i32 {
  return balloon.statsPop(q);
}
