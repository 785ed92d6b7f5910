// The split virtqueue (virtio 1.x §2.7), both sides, in guest memory inside the window.
//
// Descriptor table: 16 × QS bytes, 16-aligned (§2.7.5)
//   ┌────────────────────────┬──────────────┬──────────────┬──────────────┐
//   │ 0..7   addr (le64)     │ 8..11 len    │ 12..13 flags │ 14..15 next  │   NEXT 1, WRITE 2, INDIRECT 4
//   └────────────────────────┴──────────────┴──────────────┴──────────────┘
// Available ring: 6 + 2 × QS bytes, 2-aligned (§2.7.6) — written by the driver
//   ┌──────────────┬──────────────┬─────────────────────────┬──────────────────────┐
//   │ 0..1 flags   │ 2..3 idx     │ 4.. ring[QS] (le16 each)│ 4+2QS used_event     │   NO_INTERRUPT 1
//   └──────────────┴──────────────┴─────────────────────────┴──────────────────────┘
// Used ring: 6 + 8 × QS bytes, 4-aligned (§2.7.8) — written by the device
//   ┌──────────────┬──────────────┬───────────────────────────────────┬──────────────────────┐
//   │ 0..1 flags   │ 2..3 idx     │ 4.. ring[QS] {le32 id; le32 len}  │ 4+8QS avail_event    │   NO_NOTIFY 1
//   └──────────────┴──────────────┴───────────────────────────────────┴──────────────────────┘
// idx fields run freely and wrap at 65536; ring slots are idx mod QS.
//
// The driver side follows Linux's virtio_ring.c (virtqueue_add_split, virtqueue_kick_prepare_split,
// virtqueue_get_buf_ctx_split, detach_buf_split), including its free list threaded through a
// driver-private shadow of each descriptor (desc_extra). The device side follows QEMU's
// virtqueue_split_pop / virtqueue_push / virtio_should_notify, with every check QEMU makes, each
// a distinct error (constants.ts ERR_*; QEMU's words in src/core/errors.ts). After an error the
// device is broken (and, for a VERSION_1 device, reports DEVICE_NEEDS_RESET) until deviceReset().
// Every loop is bounded by the queue size, the table size or MAX_SEGS: no input can hang the core.

import {
  CTRL_DEVICE_FLAGS,
  CTRL_DEVICE_STATUS,
  CTRL_DRIVER_ERROR,
  CTRL_ELEM_DESCS,
  CTRL_ELEM_IN,
  CTRL_ELEM_IN_BYTES,
  CTRL_ELEM_OUT,
  CTRL_ELEM_OUT_BYTES,
  CTRL_ERROR_ARG0,
  CTRL_ERROR_ARG1,
  CTRL_ERROR_CODE,
  CTRL_ERROR_QUEUE,
  CTRL_STATS_MASK,
  CTRL_USED_LEN,
  DESC_EXTRA_SIZE,
  DESC_SIZE,
  DEVICE_F_BROKEN,
  ELEM_MAX_BYTES,
  DEVICE_F_VERSION_1,
  DRV_ERR_ID_OOB,
  DRV_ERR_NOT_HEAD,
  ERR_AVAIL_JUMP,
  ERR_BAD_GPA,
  ERR_HEAD_OOB,
  ERR_INDIRECT_MAP,
  ERR_INDIRECT_NESTED,
  ERR_INDIRECT_NEXT,
  ERR_INDIRECT_SIZE,
  ERR_LOOP,
  ERR_NEXT_OOB,
  ERR_ORDER,
  ERR_TOO_MANY_SEGS,
  ERR_VQ_SIZE_EXCEEDED,
  ERR_ZERO_LEN,
  EV_DRIVER_ERROR,
  EV_ERROR,
  EV_POP,
  EV_PUSH,
  MAX_QUEUE_SIZE,
  MAX_QUEUES,
  MAX_SEGS,
  Q_AVAIL,
  Q_AVAIL_FLAGS_SHADOW,
  Q_AVAIL_SHADOW,
  Q_DESC,
  Q_DRIVER_BROKEN,
  Q_FEATURES,
  Q_FREE_HEAD,
  Q_INUSE,
  Q_LAST_AVAIL,
  Q_LAST_USED,
  Q_NUM_ADDED,
  Q_NUM_FREE,
  Q_SIGNALLED_USED,
  Q_SIGNALLED_VALID,
  Q_SIZE,
  Q_USED,
  Q_USED_IDX,
  QUEUE_RECORD,
  RC_BAD_ARG,
  RC_BROKEN,
  RC_EMPTY,
  RC_ERROR,
  RC_NO_SPACE,
  SCRATCH_SIZE,
  SEG_SIZE,
  SG_SIZE,
  STATUS_DEVICE_NEEDS_RESET,
  VQ_F_EVENT_IDX,
  VQ_F_INDIRECT,
  VRING_AVAIL_F_NO_INTERRUPT,
  VRING_DESC_F_INDIRECT,
  VRING_DESC_F_NEXT,
  VRING_DESC_F_WRITE,
  VRING_USED_F_NO_NOTIFY,
} from './constants';
import { emit } from './events';
import { ctrlGet, ctrlSet, descExtra, elem, queues, scratch, translate, window, windowPtr } from './memory';

// ── Queue records and ring accessors ───────────────────────────────────────────────────────────────

@inline function rec(q: u32): usize {
  return queues + <usize>(q * QUEUE_RECORD);
}
@inline function rget(r: usize, field: u32): u32 {
  return load<u32>(r + field);
}
@inline function rset(r: usize, field: u32, v: u32): void {
  store<u32>(r + field, v);
}
@inline function extra(q: u32, i: u32): usize {
  return descExtra + <usize>((q * MAX_QUEUE_SIZE + i) * DESC_EXTRA_SIZE);
}
@inline function descAt(r: usize, i: u32): usize {
  return windowPtr(rget(r, Q_DESC)) + <usize>(i * DESC_SIZE);
}
@inline function avail(r: usize): usize {
  return windowPtr(rget(r, Q_AVAIL));
}
@inline function used(r: usize): usize {
  return windowPtr(rget(r, Q_USED));
}
// avail: flags @0, idx @2, ring @4, used_event @4 + 2·QS
@inline function usedEventPtr(r: usize): usize {
  return avail(r) + 4 + <usize>(rget(r, Q_SIZE) << 1);
}
// used: flags @0, idx @2, ring @4, avail_event @4 + 8·QS
@inline function availEventPtr(r: usize): usize {
  return used(r) + 4 + <usize>(rget(r, Q_SIZE) << 3);
}
@inline function writeDesc(p: usize, addr: u64, len: u32, flags: u32, next: u32): void {
  store<u64>(p, addr);
  store<u32>(p, len, 8);
  store<u16>(p, <u16>flags, 12);
  store<u16>(p, <u16>next, 14);
}

/** vring_need_event (§2.7.10): does moving an index from old to newIdx pass event? */
@inline export function needEvent(event: u32, newIdx: u32, old: u32): bool {
  return <u16>(newIdx - event - 1) < <u16>(newIdx - old);
}

@inline function deviceBroken(): bool {
  return (ctrlGet(CTRL_DEVICE_FLAGS) & DEVICE_F_BROKEN) != 0;
}

/** virtio_error: the first error wins; the device stops until reset. Always returns RC_ERROR. */
export function deviceError(code: u32, q: u32, a: u32, b: u32): i32 {
  if (!deviceBroken()) {
    ctrlSet(CTRL_ERROR_CODE, code);
    ctrlSet(CTRL_ERROR_QUEUE, q);
    ctrlSet(CTRL_ERROR_ARG0, a);
    ctrlSet(CTRL_ERROR_ARG1, b);
    const flags = ctrlGet(CTRL_DEVICE_FLAGS);
    ctrlSet(CTRL_DEVICE_FLAGS, flags | DEVICE_F_BROKEN);
    if (flags & DEVICE_F_VERSION_1) {
      ctrlSet(CTRL_DEVICE_STATUS, ctrlGet(CTRL_DEVICE_STATUS) | STATUS_DEVICE_NEEDS_RESET);
    }
    emit(EV_ERROR, q, code, a, b, 0);
  }
  return RC_ERROR;
}

/**
 * Device reset (virtio 1.x §2.4): every queue forgotten, errors cleared, stats forgotten.
 * `flags`: DEVICE_F_VERSION_1 for a modern device.
 */
export function deviceReset(flags: u32): void {
  memory.fill(queues, 0, MAX_QUEUES * QUEUE_RECORD);
  ctrlSet(CTRL_DEVICE_FLAGS, flags & DEVICE_F_VERSION_1);
  ctrlSet(CTRL_DEVICE_STATUS, 0);
  ctrlSet(CTRL_ERROR_CODE, 0);
  ctrlSet(CTRL_ERROR_QUEUE, 0);
  ctrlSet(CTRL_ERROR_ARG0, 0);
  ctrlSet(CTRL_ERROR_ARG1, 0);
  ctrlSet(CTRL_DRIVER_ERROR, 0);
  // The stats stay: virtio_balloon_device_reset keeps the last values the guest sent.
}

@inline function ready(q: u32): bool {
  return q < MAX_QUEUES && rget(rec(q), Q_SIZE) != 0;
}

// ── Setup ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * Sets queue q up at the given guest-physical addresses, for both sides, as the driver does after
 * allocating zeroed ring memory and the device does when it reads the queue's addresses. The rings
 * must lie inside the window with the spec's alignments (16, 2, 4). Returns 0 or RC_BAD_ARG.
 */
export function vqSetup(q: u32, size: u32, desc: u64, avl: u64, usd: u64, features: u32): i32 {
  if (q >= MAX_QUEUES || size == 0 || size > MAX_QUEUE_SIZE || (size & (size - 1)) != 0) return RC_BAD_ARG;
  if ((desc & 15) != 0 || (avl & 1) != 0 || (usd & 3) != 0) return RC_BAD_ARG;
  const dp = translate(desc, <u64>size * DESC_SIZE);
  const ap = translate(avl, 6 + <u64>size * 2);
  const up = translate(usd, 6 + <u64>size * 8);
  if (dp == 0 || ap == 0 || up == 0) return RC_BAD_ARG;
  const r = rec(q);
  memory.fill(r, 0, QUEUE_RECORD);
  rset(r, Q_SIZE, size);
  rset(r, Q_FEATURES, features & (VQ_F_EVENT_IDX | VQ_F_INDIRECT));
  rset(r, Q_DESC, <u32>(dp - window));
  rset(r, Q_AVAIL, <u32>(ap - window));
  rset(r, Q_USED, <u32>(up - window));
  rset(r, Q_NUM_FREE, size);
  memory.fill(dp, 0, <usize>size * DESC_SIZE);
  memory.fill(ap, 0, 6 + <usize>size * 2);
  memory.fill(up, 0, 6 + <usize>size * 8);
  // The free list runs 0 → 1 → … → size-1 through desc_extra[i].next.
  for (let i: u32 = 0; i < size; i++) {
    const x = extra(q, i);
    store<u16>(x, <u16>(i + 1));
    store<u16>(x, 0, 2);
    store<u16>(x, 0, 4);
    store<u16>(x, 0, 6);
  }
  return 0;
}

// ── Driver side (Linux virtio_ring.c, split) ───────────────────────────────────────────────────────

function driverUsable(q: u32): bool {
  return ready(q) && rget(rec(q), Q_DRIVER_BROKEN) == 0;
}

/** Makes `head` available: avail.ring[shadow % QS] = head; avail.idx = ++shadow. */
function publish(r: usize, head: u32): void {
  const size = rget(r, Q_SIZE);
  const shadow = rget(r, Q_AVAIL_SHADOW);
  const a = avail(r);
  store<u16>(a + 4 + <usize>((shadow & (size - 1)) << 1), <u16>head);
  const next = (shadow + 1) & 0xffff;
  rset(r, Q_AVAIL_SHADOW, next);
  store<u16>(a, <u16>next, 2); // after the ring entry: the device must see the entry first
  rset(r, Q_NUM_ADDED, rget(r, Q_NUM_ADDED) + 1);
}

/**
 * virtqueue_add_outbuf / _inbuf with one buffer: `write` makes it device-writable.
 * Returns the head descriptor index, RC_NO_SPACE, or RC_BROKEN.
 */
export function vqAddBuf(q: u32, gpa: u64, len: u32, write: u32): i32 {
  if (!driverUsable(q)) return RC_BROKEN;
  const r = rec(q);
  if (rget(r, Q_NUM_FREE) < 1) return RC_NO_SPACE;
  const head = rget(r, Q_FREE_HEAD);
  const x = extra(q, head);
  const flags: u32 = write ? VRING_DESC_F_WRITE : 0;
  const next: u32 = load<u16>(x);
  writeDesc(descAt(r, head), gpa, len, flags, next);
  store<u16>(x, <u16>flags, 2);
  store<u16>(x, 1, 4); // a head: one ring descriptor
  store<u16>(x, 0, 6);
  rset(r, Q_FREE_HEAD, next);
  rset(r, Q_NUM_FREE, rget(r, Q_NUM_FREE) - 1);
  publish(r, head);
  return <i32>head;
}

/**
 * virtqueue_add_sgs: outNum device-readable then inNum device-writable buffers, read from SCRATCH as
 * {le64 gpa; le32 len; le32 pad}. With `indirect` (and VQ_F_INDIRECT negotiated, and more than one
 * buffer) the chain goes into an indirect table the caller placed at guest-physical `table`, and uses
 * one ring descriptor. Returns the head, RC_NO_SPACE, RC_BROKEN or RC_BAD_ARG.
 */
export function vqAddSgs(q: u32, outNum: u32, inNum: u32, table: u64, indirect: u32): i32 {
  if (!driverUsable(q)) return RC_BROKEN;
  const total = outNum + inNum;
  if (total == 0 || total > SCRATCH_SIZE / SG_SIZE || total > MAX_QUEUE_SIZE) return RC_BAD_ARG;
  const r = rec(q);
  if (indirect && total > 1 && (rget(r, Q_FEATURES) & VQ_F_INDIRECT) != 0) {
    const tp = translate(table, <u64>total * DESC_SIZE);
    if (tp == 0) return RC_BAD_ARG;
    if (rget(r, Q_NUM_FREE) < 1) return RC_NO_SPACE;
    for (let k: u32 = 0; k < total; k++) {
      const sg = scratch + <usize>(k * SG_SIZE);
      let flags: u32 = k >= outNum ? VRING_DESC_F_WRITE : 0;
      if (k + 1 < total) flags |= VRING_DESC_F_NEXT;
      writeDesc(tp + <usize>(k * DESC_SIZE), load<u64>(sg), load<u32>(sg, 8), flags, k + 1);
    }
    const head = rget(r, Q_FREE_HEAD);
    const x = extra(q, head);
    const next: u32 = load<u16>(x);
    writeDesc(descAt(r, head), table, total * DESC_SIZE, VRING_DESC_F_INDIRECT, next);
    store<u16>(x, VRING_DESC_F_INDIRECT, 2);
    store<u16>(x, 1, 4);
    store<u16>(x, 1, 6); // indirect
    rset(r, Q_FREE_HEAD, next);
    rset(r, Q_NUM_FREE, rget(r, Q_NUM_FREE) - 1);
    publish(r, head);
    return <i32>head;
  }
  if (rget(r, Q_NUM_FREE) < total) return RC_NO_SPACE;
  const head = rget(r, Q_FREE_HEAD);
  let i = head;
  for (let k: u32 = 0; k < total; k++) {
    const sg = scratch + <usize>(k * SG_SIZE);
    const x = extra(q, i);
    let flags: u32 = k >= outNum ? VRING_DESC_F_WRITE : 0;
    if (k + 1 < total) flags |= VRING_DESC_F_NEXT;
    const next: u32 = load<u16>(x);
    writeDesc(descAt(r, i), load<u64>(sg), load<u32>(sg, 8), flags, next);
    store<u16>(x, <u16>flags, 2);
    store<u16>(x, 0, 4);
    store<u16>(x, 0, 6);
    i = next;
  }
  store<u16>(extra(q, head), <u16>total, 4);
  rset(r, Q_FREE_HEAD, i);
  rset(r, Q_NUM_FREE, rget(r, Q_NUM_FREE) - total);
  publish(r, head);
  return <i32>head;
}

/**
 * virtqueue_kick_prepare: must the driver notify the device about the buffers added since the last
 * call? With EVENT_IDX: vring_need_event(avail_event, new, old); else: unless used.flags has NO_NOTIFY.
 */
export function vqKickPrepare(q: u32): bool {
  if (!driverUsable(q)) return false;
  const r = rec(q);
  const newIdx = rget(r, Q_AVAIL_SHADOW);
  const old = (newIdx - rget(r, Q_NUM_ADDED)) & 0xffff;
  rset(r, Q_NUM_ADDED, 0);
  if (rget(r, Q_FEATURES) & VQ_F_EVENT_IDX) return needEvent(load<u16>(availEventPtr(r)), newIdx, old);
  return (load<u16>(used(r)) & VRING_USED_F_NO_NOTIFY) == 0;
}

function driverError(q: u32, code: u32, arg: u32): i32 {
  rset(rec(q), Q_DRIVER_BROKEN, 1);
  if (ctrlGet(CTRL_DRIVER_ERROR) == 0) ctrlSet(CTRL_DRIVER_ERROR, code);
  emit(EV_DRIVER_ERROR, q, code, arg, 0, 0);
  return RC_ERROR;
}

/** detach_buf_split: returns the chain at `head` to the free list. */
function detach(q: u32, r: usize, head: u32): void {
  const size = rget(r, Q_SIZE);
  const hx = extra(q, head);
  const isIndirect = load<u16>(hx, 6) != 0;
  store<u16>(hx, 0, 4);
  store<u16>(hx, 0, 6);
  let i = head;
  let freed: u32 = 1;
  if (!isIndirect) {
    // desc_extra is driver-private, so the chain is intact; the bound only guards against bugs.
    while ((load<u16>(extra(q, i), 2) & VRING_DESC_F_NEXT) != 0 && freed < size) {
      i = load<u16>(extra(q, i));
      freed++;
    }
  }
  store<u16>(extra(q, i), <u16>rget(r, Q_FREE_HEAD));
  rset(r, Q_FREE_HEAD, head);
  rset(r, Q_NUM_FREE, rget(r, Q_NUM_FREE) + freed);
}

/**
 * virtqueue_get_buf: the next used buffer's head (its used length in CTRL_USED_LEN), RC_EMPTY,
 * RC_BROKEN, or RC_ERROR when the device returned a bad id (the queue is then broken, as BAD_RING
 * leaves it in Linux).
 */
export function vqGetBuf(q: u32): i32 {
  if (!driverUsable(q)) return RC_BROKEN;
  const r = rec(q);
  const size = rget(r, Q_SIZE);
  const lastUsed = rget(r, Q_LAST_USED);
  const u = used(r);
  if (<u32>load<u16>(u, 2) == lastUsed) return RC_EMPTY;
  const e = u + 4 + <usize>((lastUsed & (size - 1)) << 3);
  const id = load<u32>(e);
  const len = load<u32>(e, 4);
  if (id >= size) return driverError(q, DRV_ERR_ID_OOB, id);
  if (load<u16>(extra(q, id), 4) == 0) return driverError(q, DRV_ERR_NOT_HEAD, id);
  detach(q, r, id);
  const next = (lastUsed + 1) & 0xffff;
  rset(r, Q_LAST_USED, next);
  if ((rget(r, Q_AVAIL_FLAGS_SHADOW) & VRING_AVAIL_F_NO_INTERRUPT) == 0) store<u16>(usedEventPtr(r), <u16>next);
  ctrlSet(CTRL_USED_LEN, len);
  return <i32>id;
}

/**
 * virtqueue_enable_cb / virtqueue_disable_cb. Enabling returns true when used buffers are already
 * waiting (virtqueue_poll would say so).
 */
export function vqSetCallbacks(q: u32, enable: u32): bool {
  if (!driverUsable(q)) return false;
  const r = rec(q);
  const event = (rget(r, Q_FEATURES) & VQ_F_EVENT_IDX) != 0;
  let shadow = rget(r, Q_AVAIL_FLAGS_SHADOW);
  if (enable) {
    shadow &= ~VRING_AVAIL_F_NO_INTERRUPT;
    rset(r, Q_AVAIL_FLAGS_SHADOW, shadow);
    if (!event) store<u16>(avail(r), <u16>shadow);
    store<u16>(usedEventPtr(r), <u16>rget(r, Q_LAST_USED));
    return <u32>load<u16>(used(r), 2) != rget(r, Q_LAST_USED);
  }
  if ((shadow & VRING_AVAIL_F_NO_INTERRUPT) == 0) {
    shadow |= VRING_AVAIL_F_NO_INTERRUPT;
    rset(r, Q_AVAIL_FLAGS_SHADOW, shadow);
    if (event) store<u16>(usedEventPtr(r), 0);
    else store<u16>(avail(r), <u16>shadow);
  }
  return false;
}

// ── Device side (QEMU hw/virtio/virtio.c, split) ───────────────────────────────────────────────────

/** Records one mapped buffer of the element being popped. Returns an ERR_* or 0. */
function mapSeg(flags: u32, addr: u64, len: u32, nSegs: u32, bytes: u64): u32 {
  if (len == 0) return ERR_ZERO_LEN;
  if (nSegs >= MAX_SEGS) return ERR_TOO_MANY_SEGS;
  const p = translate(addr, len);
  // Buffers may overlap, but not without end: "out of resources" past ELEM_MAX_BYTES in all.
  if (p == 0 || bytes + len > <u64>ELEM_MAX_BYTES) return ERR_BAD_GPA;
  const s = elem + <usize>(nSegs * SEG_SIZE);
  store<u32>(s, <u32>(p - window));
  store<u32>(s, len, 4);
  store<u32>(s, flags & VRING_DESC_F_WRITE, 8);
  store<u32>(s, 0, 12);
  return 0;
}

/**
 * virtqueue_pop: takes the next available chain, walks and checks it, and records its segments in
 * ELEM (device-readable first). Returns the head, RC_EMPTY, RC_ERROR (the device is now broken) or
 * RC_BROKEN.
 */
export function vqPop(q: u32): i32 {
  if (!ready(q) || deviceBroken()) return RC_BROKEN;
  const r = rec(q);
  const size = rget(r, Q_SIZE);
  const a = avail(r);
  const availIdx: u32 = load<u16>(a, 2);
  const last = rget(r, Q_LAST_AVAIL);
  if (availIdx == last) return RC_EMPTY;
  if (((availIdx - last) & 0xffff) > size) return deviceError(ERR_AVAIL_JUMP, q, last, availIdx);
  if (rget(r, Q_INUSE) >= size) return deviceError(ERR_VQ_SIZE_EXCEEDED, q, size, 0);
  const head: u32 = load<u16>(a + 4 + <usize>((last & (size - 1)) << 1));
  const nextLast = (last + 1) & 0xffff;
  rset(r, Q_LAST_AVAIL, nextLast);
  if (rget(r, Q_FEATURES) & VQ_F_EVENT_IDX) store<u16>(availEventPtr(r), <u16>nextLast);
  if (head >= size) return deviceError(ERR_HEAD_OOB, q, head, 0);

  let table = descAt(r, 0);
  let max = size;
  let i = head;
  let inTable = false;
  let seen: u32 = 0; // descriptors walked in the current table
  let descs: u32 = 0;
  let outN: u32 = 0;
  let inN: u32 = 0;
  let outBytes: u64 = 0;
  let inBytes: u64 = 0;
  // Each pass either switches to an indirect table (once) or maps one buffer and counts it against
  // `max`, so at most size + 1 + table entries passes run.
  while (true) {
    const d = table + <usize>(i * DESC_SIZE);
    const addr = load<u64>(d);
    const len = load<u32>(d, 8);
    const flags: u32 = load<u16>(d, 12);
    if (flags & VRING_DESC_F_INDIRECT) {
      if (inTable) return deviceError(ERR_INDIRECT_NESTED, q, i, 0);
      if (flags & VRING_DESC_F_NEXT) return deviceError(ERR_INDIRECT_NEXT, q, i, 0);
      if (len == 0 || len % DESC_SIZE != 0) return deviceError(ERR_INDIRECT_SIZE, q, len, 0);
      const tp = translate(addr, len);
      if (tp == 0) return deviceError(ERR_INDIRECT_MAP, q, <u32>addr, <u32>(addr >> 32));
      descs++;
      table = tp;
      max = len / DESC_SIZE;
      i = 0;
      seen = 0;
      inTable = true;
      continue;
    }
    let err: u32 = 0;
    if (flags & VRING_DESC_F_WRITE) {
      err = mapSeg(flags, addr, len, outN + inN, outBytes + inBytes);
      if (err == 0) {
        inN++;
        inBytes += len;
      }
    } else {
      if (inN != 0) return deviceError(ERR_ORDER, q, i, 0);
      err = mapSeg(flags, addr, len, outN, outBytes);
      if (err == 0) {
        outN++;
        outBytes += len;
      }
    }
    if (err == ERR_BAD_GPA) return deviceError(err, q, <u32>addr, <u32>(addr >> 32));
    if (err != 0) return deviceError(err, q, i, len);
    descs++;
    if (++seen > max) return deviceError(ERR_LOOP, q, i, 0);
    if ((flags & VRING_DESC_F_NEXT) == 0) break;
    const next: u32 = load<u16>(d, 14);
    if (next >= max) return deviceError(ERR_NEXT_OOB, q, next, max);
    i = next;
  }
  ctrlSet(CTRL_ELEM_OUT, outN);
  ctrlSet(CTRL_ELEM_IN, inN);
  ctrlSet(CTRL_ELEM_OUT_BYTES, <u32>outBytes);
  ctrlSet(CTRL_ELEM_IN_BYTES, <u32>inBytes);
  ctrlSet(CTRL_ELEM_DESCS, descs);
  rset(r, Q_INUSE, rget(r, Q_INUSE) + 1);
  emit(EV_POP, q, outN, head, inN, descs);
  return <i32>head;
}

/** virtqueue_push (fill + flush of one element): used.ring[used_idx % QS] = {head, len}; used.idx++. */
export function vqPush(q: u32, head: u32, len: u32): i32 {
  if (!ready(q) || deviceBroken()) return RC_BROKEN;
  const r = rec(q);
  const size = rget(r, Q_SIZE);
  if (head >= size) return RC_BAD_ARG;
  const u = used(r);
  const idx = rget(r, Q_USED_IDX);
  const e = u + 4 + <usize>((idx & (size - 1)) << 3);
  store<u32>(e, head);
  store<u32>(e, len, 4);
  const next = (idx + 1) & 0xffff;
  rset(r, Q_USED_IDX, next);
  store<u16>(u, <u16>next, 2);
  const inuse = rget(r, Q_INUSE);
  if (inuse > 0) rset(r, Q_INUSE, inuse - 1);
  emit(EV_PUSH, q, 0, head, len, 0);
  return 0;
}

/**
 * virtio_should_notify (split): must the device interrupt the driver for what it pushed? With
 * EVENT_IDX: the first time always, then vring_need_event(used_event, new, old); else unless
 * avail.flags has NO_INTERRUPT.
 */
export function vqNeedInterrupt(q: u32): bool {
  if (!ready(q) || deviceBroken()) return false;
  const r = rec(q);
  if ((rget(r, Q_FEATURES) & VQ_F_EVENT_IDX) == 0) return (load<u16>(avail(r)) & VRING_AVAIL_F_NO_INTERRUPT) == 0;
  const valid = rget(r, Q_SIGNALLED_VALID) != 0;
  const old = rget(r, Q_SIGNALLED_USED);
  const newIdx = rget(r, Q_USED_IDX);
  rset(r, Q_SIGNALLED_VALID, 1);
  rset(r, Q_SIGNALLED_USED, newIdx);
  return !valid || needEvent(load<u16>(usedEventPtr(r)), newIdx, old);
}

/** virtio_queue_set_notification: does the device want kicks for this queue? */
export function vqSetNotification(q: u32, enable: u32): void {
  if (!ready(q)) return;
  const r = rec(q);
  const u = used(r);
  if (rget(r, Q_FEATURES) & VQ_F_EVENT_IDX) {
    if (enable) store<u16>(availEventPtr(r), load<u16>(avail(r), 2));
  } else {
    const flags: u32 = load<u16>(u);
    store<u16>(u, <u16>(enable ? flags & ~VRING_USED_F_NO_NOTIFY : flags | VRING_USED_F_NO_NOTIFY));
  }
}

/** Available buffers the device has not popped yet (0 for a queue that is not set up). */
export function vqPending(q: u32): u32 {
  if (!ready(q)) return 0;
  const r = rec(q);
  return (<u32>load<u16>(avail(r), 2) - rget(r, Q_LAST_AVAIL)) & 0xffff;
}
