// PFN batches and stats buffers: the balloon-specific halves of the driver and of the device.
//
// A batch is the driver's `pfns[256]` array (seed: struct virtio_balloon, `__virtio32 pfns[…]`),
// in guest memory inside the window, one 4 KiB balloon PFN per little-endian u32:
//   ┌──────────┬──────────┬──────────┬─────┐
//   │ pfns[0]  │ pfns[1]  │ pfns[2]  │ …   │   gpa = pfn << 12 (VIRTIO_BALLOON_PFN_SHIFT)
//   └──────────┴──────────┴──────────┴─────┘
// A kernel page of 16 or 64 KiB is PAGES_PER_PAGE = 4 or 16 consecutive PFNs (seed: set_page_pfns).
//
// A stats buffer is an array of packed 10-byte entries (virtio 1.x §5.5.6.3):
//   ┌───────────────┬──────────────────────────────┐
//   │ 0..1 tag le16 │ 2..9 val le64                │   tags: src/core/stats.ts
//   └───────────────┴──────────────────────────────┘

import {
  CTRL_ELEM_OUT,
  CTRL_FRAMES_DISCARDED,
  CTRL_FRAMES_WANTED,
  CTRL_PBP_DROPPED,
  CTRL_PFNS_BAD,
  CTRL_PFNS_HANDLED,
  CTRL_STATS,
  CTRL_STATS_MASK,
  CTRL_STATS_UNKNOWN,
  ELEM_PBP,
  ELEM_STAT_TMP,
  EV_BAD_PFN,
  EV_DISCARD,
  EV_PBP_DROP,
  EV_PFN,
  EV_STATS,
  EV_WILLNEED,
  FRAME_KEEP,
  FRAME_STATE_COUNT,
  HOST_DISCARDED,
  HOST_WANTED,
  MAX_HOST_PAGE_FRAMES,
  MAX_QUEUE_SIZE,
  PFNS_MAX,
  RC_BAD_ARG,
  RUN_DESCENDING,
  SCRATCH_SIZE,
  SEG_SIZE,
  STAT_ENTRY_SIZE,
  STATS_NR,
} from './constants';
import { emit, wants } from './events';
import {
  credit,
  frameCounts,
  hostCounts,
  markDirty,
  moveHostPage,
  NO_RUN,
  RUN_MIN,
  recolorRun,
  replaceInRun,
  setHostPage,
  settle,
} from './frames';
import { ctrl, ctrlAdd, ctrlGet, ctrlSet, elem, frames, host, hostPageFrames, ramFrames, scratch, translate, windowPtr } from './memory';
import { deviceError, vqPop, vqPush } from './virtqueue';

// ── Driver side ────────────────────────────────────────────────────────────────────────────────────

/**
 * set_page_pfns for a list of kernel pages, given in SCRATCH as nRuns runs {u32 first; u32 count} of
 * consecutive kernel page numbers (a page on its own is a run of 1; pages the buddy allocator hands
 * out one after another mostly form long runs). RUN_DESCENDING in count makes the run count down
 * from first (fill_balloon's local list is LIFO, so a batch of fresh pages arrives highest first). Writes pages × pagesPerPage PFNs into the pfns array
 * at guest-physical `pfns`, from index `at` on, and sets each frame's state to `state` (FRAME_KEEP
 * leaves it). Returns the PFNs written, or RC_BAD_ARG with nothing written when they do not fit in
 * pfns[256] or the window.
 */
export function pfnEncode(at: u32, nRuns: u32, pagesPerPage: u32, pfns: u64, state: u32): i32 {
  if (pagesPerPage == 0 || pagesPerPage > 16 || (pagesPerPage & (pagesPerPage - 1)) != 0) return RC_BAD_ARG;
  if (state >= FRAME_STATE_COUNT && state != FRAME_KEEP) return RC_BAD_ARG;
  if (nRuns > PFNS_MAX || at > PFNS_MAX) return RC_BAD_ARG;
  let nPages: u32 = 0;
  for (let r: u32 = 0; r < nRuns; r++) {
    const count = load<u32>(scratch + <usize>(r << 3), 4) & ~RUN_DESCENDING;
    if (count > PFNS_MAX) return RC_BAD_ARG;
    nPages += count; // ≤ 256 × 256: no overflow
  }
  if (nPages * pagesPerPage > PFNS_MAX - at) return RC_BAD_ARG;
  const n = nPages * pagesPerPage;
  const dst = translate(pfns + (<u64>at << 2), <u64>n << 2);
  if (dst == 0) return RC_BAD_ARG;
  const limit = ramFrames;
  const mark = state != FRAME_KEEP;
  let run = NO_RUN; // see frames.ts, "Batches"
  let len: u32 = 0;
  let total: u32 = 0;
  let out = dst;
  for (let r: u32 = 0; r < nRuns; r++) {
    const first = load<u32>(scratch + <usize>(r << 3));
    const raw = load<u32>(scratch + <usize>(r << 3), 4);
    const count = raw & ~RUN_DESCENDING;
    // Pages first, first ± 1, …; each page's PFNs ascend (set_page_pfns). u32 arithmetic wraps.
    const step: u32 = raw & RUN_DESCENDING ? <u32>-1 : 1;
    if (pagesPerPage == 1) {
      // 4 KiB guest pages, the common case, specialised: each page is its one PFN.
      // A long run that does not wrap: the PFNs, then its frames in RAM as one run (frames.ts).
      const lo: u64 = step == 1 ? <u64>first : <u64>first - <u64>count + 1;
      if (mark && count >= RUN_MIN && (step == 1 ? lo + count <= 0xffffffff : <u64>first + 1 >= <u64>count)) {
        let pfn = first;
        for (let j: u32 = 0; j < count; j++) {
          store<u32>(out, pfn);
          out += 4;
          pfn += step;
        }
        if (lo < <u64>limit) {
          const m = <u32>min(<u64>count, <u64>limit - lo);
          recolorRun(frames, frameCounts, <u32>lo, m, state, true);
        }
        continue;
      }
      let pfn = first;
      for (let j: u32 = 0; j < count; j++) {
        store<u32>(out, pfn);
        out += 4;
        if (mark && pfn < limit) {
          const fp = frames + <usize>pfn;
          const old: u32 = load<u8>(fp);
          if (old != run) {
            settle(frameCounts, run, len);
            run = old;
            len = 0;
          }
          len++;
          total++;
          store<u8>(fp, <u8>state);
          markDirty(pfn);
        }
        pfn += step;
      }
      continue;
    }
    const pfnCount = count * pagesPerPage;
    let page = first;
    for (let j: u32 = 0; j < pfnCount; j++) {
      const sub = j & (pagesPerPage - 1);
      const pfn = page * pagesPerPage + sub; // page_to_balloon_pfn + i
      if (sub == pagesPerPage - 1) page += step;
      store<u32>(out, pfn);
      out += 4;
      if (mark && pfn < limit) {
        const fp = frames + <usize>pfn;
        const old: u32 = load<u8>(fp);
        if (old != run) {
          settle(frameCounts, run, len);
          run = old;
          len = 0;
        }
        len++;
        total++;
        store<u8>(fp, <u8>state);
        markDirty(pfn);
      }
    }
  }
  settle(frameCounts, run, len);
  if (mark) credit(frameCounts, state, total);
  return <i32>n;
}

/** How many PFNs from index k of the array at `src` (n in all) ascend by one from `pfn`, at least 1. */
@inline function ascendingRun(src: usize, k: u32, n: u32, pfn: u32): u32 {
  // At most this many: the rest of the array, and no wrap past 2^32 − 1.
  const most = <u32>min(<u64>(n - k), <u64>0xffffffff - <u64>pfn + 1);
  let m: u32 = 1;
  let p = src + (<usize>(k + 1) << 2);
  // Two PFNs a load while they can be: the pair a run holds next is one 64-bit value, two more each step.
  let want: u64 = (<u64>pfn + 1) | ((<u64>pfn + 2) << 32);
  while (m + 2 <= most && load<u64>(p) == want) {
    m += 2;
    p += 8;
    want += 0x0000000200000002;
  }
  while (m < most && <u64>load<u32>(p) == <u64>pfn + m) {
    m++;
    p += 4;
  }
  return m;
}

/** How many PFNs from index k of the array at `src` (n in all) descend by one from `pfn`, at least 1. */
@inline function descendingRun(src: usize, k: u32, n: u32, pfn: u32): u32 {
  // At most this many: the rest of the array, and nothing below 0.
  const most = <u32>min(<u64>(n - k), <u64>pfn + 1);
  let m: u32 = 1;
  let p = src + (<usize>(k + 1) << 2);
  // Two PFNs a load, as ascendingRun: the pair is two less in each half each step.
  let want: u64 = (<u64>pfn - 1) | ((<u64>pfn - 2) << 32);
  while (m + 2 <= most && load<u64>(p) == want) {
    m += 2;
    p += 8;
    want -= 0x0000000200000002;
  }
  while (m < most && <u64>load<u32>(p) == <u64>pfn - m) {
    m++;
    p += 4;
  }
  return m;
}

/**
 * A run of consecutive PFNs from index k, ascending or descending, as the lowest PFN and the length
 * (the frames [lo, lo + m) are the same whichever way the run goes). Length 1 when there is none.
 */
function consecutiveRun(src: usize, k: u32, n: u32, pfn: u32): u64 {
  const up = ascendingRun(src, k, n, pfn);
  if (up > 1) return (<u64>up << 32) | pfn;
  const down = descendingRun(src, k, n, pfn);
  return (<u64>down << 32) | (pfn - down + 1);
}

/**
 * The runs of consecutive PFNs among the n PFNs at guest-physical `pfns` (the device's trace prints
 * a buffer's PFNs; it keeps them as runs): written to SCRATCH as {u32 first; u32 count}, count with
 * RUN_DESCENDING when the run counts down. A run goes up when the PFN after its first is one more,
 * else down when it is one less. Returns the runs, or RC_BAD_ARG when the PFNs are not inside the
 * window or their runs might not fit in SCRATCH.
 */
export function pfnRuns(n: u32, pfns: u64): i32 {
  if (n > SCRATCH_SIZE >> 3) return RC_BAD_ARG;
  const src = translate(pfns, <u64>n << 2);
  if (src == 0) return RC_BAD_ARG;
  let k: u32 = 0;
  let r: u32 = 0;
  while (k < n) {
    const pfn = load<u32>(src + <usize>(k << 2));
    const out = scratch + <usize>(r << 3);
    const up = ascendingRun(src, k, n, pfn);
    store<u32>(out, pfn);
    if (up > 1) {
      store<u32>(out, up, 4);
      k += up;
    } else {
      const down = descendingRun(src, k, n, pfn);
      store<u32>(out, down > 1 ? down | RUN_DESCENDING : 1, 4);
      k += down;
    }
    r++;
  }
  return <i32>r;
}

/**
 * Sets the frames named by the first n PFNs at guest-physical `pfns` to `state` (the driver, once
 * the host acknowledged a batch). PFNs outside RAM are skipped. Returns the frames set or RC_BAD_ARG.
 */
export function pfnSetStates(n: u32, pfns: u64, state: u32): i32 {
  if (state >= FRAME_STATE_COUNT || n > PFNS_MAX) return RC_BAD_ARG;
  const src = translate(pfns, <u64>n << 2);
  if (src == 0) return RC_BAD_ARG;
  const limit = ramFrames;
  let run = NO_RUN; // see frames.ts, "Batches"
  let len: u32 = 0;
  let set: u32 = 0;
  let inRuns: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const pfn = load<u32>(src + <usize>(k << 2));
    // A long run of consecutive PFNs inside RAM: one run of frames (frames.ts).
    const r = consecutiveRun(src, k, n, pfn);
    const m = <u32>(r >> 32);
    const lo = <u32>r;
    if (m >= RUN_MIN && <u64>lo + m <= <u64>limit) {
      recolorRun(frames, frameCounts, lo, m, state, true); // counts kept there
      inRuns += m;
      k += m - 1;
      continue;
    }
    if (pfn < limit) {
      const p = frames + <usize>pfn;
      const old: u32 = load<u8>(p);
      if (old != run) {
        settle(frameCounts, run, len);
        run = old;
        len = 0;
      }
      len++;
      set++;
      store<u8>(p, <u8>state);
      markDirty(pfn);
    }
  }
  settle(frameCounts, run, len);
  credit(frameCounts, state, set);
  return <i32>(set + inRuns);
}

// ── Device side (QEMU hw/virtio/virtio-balloon.c) ──────────────────────────────────────────────────

// The partly ballooned host page (QEMU's PartiallyBalloonedPage): which 4 KiB pieces of one host page
// larger than 4 KiB have been ballooned. It lives for one element; a PFN of another host page gives
// the old one up.
let pbpBase: i64 = -1;
let pbpCount: u32 = 0;

@inline function pbpReset(): void {
  memory.fill(elem + ELEM_PBP, 0, MAX_HOST_PAGE_FRAMES >> 3);
  pbpBase = -1;
  pbpCount = 0;
}

/**
 * balloon_inflate_page with a host page larger than 4 KiB: the frame joins the partly ballooned host
 * page, which is discarded once every piece of it is in.
 */
function inflateFrame(q: u32, f: u32): void {
  const hpf = hostPageFrames;
  const base = f & ~(hpf - 1);
  if (pbpBase >= 0 && pbpBase != <i64>base) {
    ctrlAdd(CTRL_PBP_DROPPED, 1);
    emit(EV_PBP_DROP, q, 0, <u32>pbpBase, pbpCount, 0);
    pbpReset();
  }
  pbpBase = base;
  const bit = f - base;
  const bp = elem + ELEM_PBP + <usize>(bit >> 3);
  const mask = <u8>(1 << <u8>(bit & 7));
  const byte = load<u8>(bp);
  if ((byte & mask) == 0) {
    store<u8>(bp, byte | mask);
    pbpCount++;
  }
  if (pbpCount == hpf) {
    const changed = setHostPage(base, HOST_DISCARDED);
    ctrlAdd(CTRL_FRAMES_DISCARDED, changed);
    emit(EV_DISCARD, q, 0, base, hpf, 0);
    pbpReset();
  }
}

/** balloon_deflate_page with a large host page: MADV_WILLNEED on the whole host page. */
function deflateFrame(q: u32, f: u32): void {
  const changed = moveHostPage(f, HOST_DISCARDED, HOST_WANTED);
  if (changed != 0) {
    ctrlAdd(CTRL_FRAMES_WANTED, changed);
    emit(EV_WILLNEED, q, 0, f & ~(hostPageFrames - 1), hostPageFrames, 0);
  }
}

/**
 * virtio_balloon_handle_output for the inflate (deflate = 0) or deflate (deflate = 1) queue: pops up
 * to maxElems elements; for each, every PFN in its device-readable buffers is applied to the host's
 * backing (PFNs outside RAM are skipped: virtio_balloon_bad_addr), then the element is pushed back
 * with length 0. Returns the elements handled, RC_ERROR (the device is now broken) or RC_BROKEN.
 */
export function balloonHandle(q: u32, deflate: u32, maxElems: u32): i32 {
  const limit = ramFrames;
  const perPfn = wants(EV_PFN);
  const perHost = wants(deflate ? EV_WILLNEED : EV_DISCARD);
  const small = hostPageFrames == 1;
  const fast = small && !perPfn && !perHost;
  let handled: u32 = 0;
  const cap = min(maxElems, MAX_QUEUE_SIZE);
  while (handled < cap) {
    const head = vqPop(q);
    if (head < 0) return head == -1 ? <i32>handled : head;
    // virtio_balloon_handle_output reads PFNs from the device-readable buffers only: device-writable
    // ones are ignored, and so are trailing bytes short of a PFN (here per buffer; QEMU would join a
    // PFN split across two buffers, which no driver makes). Neither is an error.
    const nOut = ctrlGet(CTRL_ELEM_OUT);
    pbpReset();
    let good: u32 = 0;
    let bad: u32 = 0;
    let changed: u32 = 0; // 4 KiB host pages discarded (inflate) or hinted back (deflate), fast path
    let runsChanged: u32 = 0; // of those, discarded in runs, whose counts recolorRun keeps
    const to: u32 = deflate ? HOST_WANTED : HOST_DISCARDED;
    let run = NO_RUN; // see frames.ts, "Batches"
    let len: u32 = 0;
    for (let s: u32 = 0; s < nOut; s++) {
      const seg = elem + <usize>(s * SEG_SIZE);
      const p = windowPtr(load<u32>(seg));
      const n = load<u32>(seg, 4) >> 2;
      if (fast && deflate) {
        // 4 KiB host pages and no per-page events: the common case, specialised.
        for (let k: u32 = 0; k < n; k++) {
          const pfn = load<u32>(p + <usize>(k << 2));
          const r = consecutiveRun(p, k, n, pfn);
          const m = <u32>(r >> 32);
          const lo = <u32>r;
          if (m >= RUN_MIN && <u64>lo + m <= <u64>limit) {
            changed += replaceInRun(host, lo, m, HOST_DISCARDED, HOST_WANTED);
            k += m - 1;
            continue;
          }
          if (pfn >= limit) {
            bad++;
            emit(EV_BAD_PFN, q, 0, pfn, 0, 0);
            continue;
          }
          const hp = host + <usize>pfn;
          if (load<u8>(hp) == HOST_DISCARDED) {
            store<u8>(hp, HOST_WANTED);
            markDirty(pfn);
            changed++;
          }
        }
        good += n;
        continue;
      }
      if (fast) {
        for (let k: u32 = 0; k < n; k++) {
          const pfn = load<u32>(p + <usize>(k << 2));
          const r = consecutiveRun(p, k, n, pfn);
          const m = <u32>(r >> 32);
          const lo = <u32>r;
          if (m >= RUN_MIN && <u64>lo + m <= <u64>limit) {
            // Counted and credited by recolorRun; only the device's tally is added below.
            runsChanged += recolorRun(host, hostCounts, lo, m, HOST_DISCARDED, false);
            k += m - 1;
            continue;
          }
          if (pfn >= limit) {
            bad++;
            emit(EV_BAD_PFN, q, 0, pfn, 0, 0);
            continue;
          }
          const hp = host + <usize>pfn;
          const h: u32 = load<u8>(hp);
          if (h != HOST_DISCARDED) {
            if (h != run) {
              settle(hostCounts, run, len);
              run = h;
              len = 0;
            }
            len++;
            store<u8>(hp, HOST_DISCARDED);
            markDirty(pfn);
            changed++;
          }
        }
        good += n;
        continue;
      }
      for (let k: u32 = 0; k < n; k++) {
        const pfn = load<u32>(p + <usize>(k << 2));
        if (pfn >= limit) {
          bad++;
          emit(EV_BAD_PFN, q, 0, pfn, 0, 0);
          continue;
        }
        good++;
        if (perPfn) emit(EV_PFN, q, deflate, pfn, 0, 0);
        if (small) {
          // 4 KiB host pages (the common case, and the benchmark's): one frame, no bookkeeping.
          const hp = host + <usize>pfn;
          const h: u32 = load<u8>(hp);
          if (deflate ? h == HOST_DISCARDED : h != HOST_DISCARDED) {
            if (h != run) {
              settle(hostCounts, run, len);
              run = h;
              len = 0;
            }
            len++;
            changed++;
            store<u8>(hp, <u8>to);
            markDirty(pfn);
            if (perHost) emit(deflate ? EV_WILLNEED : EV_DISCARD, q, 0, pfn, 1, 0);
          }
        } else if (deflate) deflateFrame(q, pfn);
        else inflateFrame(q, pfn);
      }
    }
    if (small) {
      // In the deflate fast path every changed frame came from HOST_DISCARDED.
      if (fast && deflate) settle(hostCounts, HOST_DISCARDED, changed);
      else settle(hostCounts, run, len);
      credit(hostCounts, to, changed);
      ctrlAdd(deflate ? CTRL_FRAMES_WANTED : CTRL_FRAMES_DISCARDED, changed + runsChanged);
    }
    if (fast) good -= bad;
    // A host page still partly ballooned when the element ends is given up (QEMU frees its pbp).
    if (pbpBase >= 0) {
      ctrlAdd(CTRL_PBP_DROPPED, 1);
      emit(EV_PBP_DROP, q, 0, <u32>pbpBase, pbpCount, 0);
      pbpReset();
    }
    ctrlAdd(CTRL_PFNS_HANDLED, good);
    ctrlAdd(CTRL_PFNS_BAD, bad);
    vqPush(q, <u32>head, 0);
    handled++;
  }
  return <i32>handled;
}

/**
 * virtio_balloon_receive_stats: pops one stats element and keeps the value of every entry whose tag
 * QEMU knows (tag < STATS_NR); later tags are counted and ignored. Entries may straddle segments;
 * trailing bytes short of an entry are ignored. Returns the head (the device holds the element until
 * it asks for fresh stats by pushing it back), RC_EMPTY, RC_ERROR or RC_BROKEN.
 */
export function statsPop(q: u32): i32 {
  const head = vqPop(q);
  if (head < 0) return head;
  // reset_stats: every stat unset before the buffer is parsed; device-writable buffers are ignored.
  ctrlSet(CTRL_STATS_MASK, 0);
  const nOut = ctrlGet(CTRL_ELEM_OUT);
  let seg: u32 = 0;
  let off: u32 = 0;
  let entries: u32 = 0;
  let unknown: u32 = 0;
  const entry = elem + ELEM_STAT_TMP; // one entry assembled here
  let filled: u32 = 0;
  while (seg < nOut) {
    const s = elem + <usize>(seg * SEG_SIZE);
    const len = load<u32>(s, 4);
    if (off >= len) {
      seg++;
      off = 0;
      continue;
    }
    const take = min(len - off, STAT_ENTRY_SIZE - filled);
    memory.copy(entry + filled, windowPtr(load<u32>(s)) + off, take);
    filled += take;
    off += take;
    if (filled == STAT_ENTRY_SIZE) {
      const tag: u32 = load<u16>(entry);
      const val = load<u64>(entry, 2);
      if (tag < STATS_NR) {
        store<u64>(ctrlStatsPtr(tag), val);
        ctrlSet(CTRL_STATS_MASK, ctrlGet(CTRL_STATS_MASK) | (1 << tag));
      } else unknown++;
      entries++;
      filled = 0;
    }
  }
  ctrlAdd(CTRL_STATS_UNKNOWN, unknown);
  emit(EV_STATS, q, 0, <u32>head, entries, unknown);
  return head;
}

@inline function ctrlStatsPtr(tag: u32): usize {
  return ctrl + CTRL_STATS + <usize>(tag << 3);
}
