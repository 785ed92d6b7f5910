// The plain-TypeScript twin of the WebAssembly core: the same ABI, the same linear-memory layout and
// the same behaviour, written as idiomatic TypeScript (DataView for little-endian fields). It is the
// oracle of the differential tests and fuzzer, and the baseline of the pipeline benchmark. Each
// function mirrors its namesake in asm/ (see there for the spec sections and layout diagrams).
import {
  type CoreAbi,
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
  CTRL_EVENT_HEAD,
  CTRL_EVENT_MASK,
  CTRL_EVENT_TAIL,
  CTRL_EVENTS_DROPPED,
  CTRL_FRAMES_DISCARDED,
  CTRL_FRAMES_WANTED,
  CTRL_HOST_COUNTS,
  CTRL_HOST_PAGE_FRAMES,
  CTRL_PBP_DROPPED,
  CTRL_PFNS_BAD,
  CTRL_PFNS_HANDLED,
  CTRL_RAM_FRAMES,
  CTRL_SIZE,
  CTRL_STATE_COUNTS,
  CTRL_STATS,
  CTRL_STATS_MASK,
  CTRL_STATS_UNKNOWN,
  CTRL_USED_LEN,
  CTRL_WINDOW_FRAME,
  CTRL_WINDOW_FRAMES,
  DESC_EXTRA_SIZE,
  DESC_SIZE,
  DEVICE_F_BROKEN,
  DEVICE_F_VERSION_1,
  DIRTY_CHUNK_SHIFT,
  DRV_ERR_ID_OOB,
  DRV_ERR_NOT_HEAD,
  ELEM_MAX_BYTES,
  ELEM_PBP,
  ELEM_SIZE,
  ELEM_STAT_TMP,
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
  EV_BAD_PFN,
  EV_DISCARD,
  EV_DRIVER_ERROR,
  EV_ERROR,
  EV_PBP_DROP,
  EV_PFN,
  EV_POP,
  EV_PUSH,
  EV_STATS,
  EV_WILLNEED,
  EVENT_CAPACITY,
  EVENT_MASK_DEFAULT,
  EVENT_SIZE,
  FRAME_FREE,
  FRAME_KEEP,
  FRAME_STATE_COUNT,
  HOST_DISCARDED,
  HOST_RESIDENT,
  HOST_STATE_COUNT,
  HOST_UNTOUCHED,
  HOST_WANTED,
  MAX_FRAMES,
  MAX_HOST_PAGE_FRAMES,
  MAX_QUEUE_SIZE,
  MAX_QUEUES,
  MAX_SEGS,
  MAX_WINDOW_FRAMES,
  PAGE_SIZE,
  PFNS_MAX,
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
  REGION_CTRL,
  REGION_DIRTY,
  REGION_ELEM,
  REGION_EVENTS,
  REGION_FRAMES,
  REGION_HOST,
  REGION_QUEUES,
  REGION_SCRATCH,
  REGION_WINDOW,
  RUN_DESCENDING,
  SCRATCH_SIZE,
  SEG_SIZE,
  SG_SIZE,
  STAT_ENTRY_SIZE,
  STATS_NR,
  STATUS_DEVICE_NEEDS_RESET,
  VQ_F_EVENT_IDX,
  VQ_F_INDIRECT,
  VRING_AVAIL_F_NO_INTERRUPT,
  VRING_DESC_F_INDIRECT,
  VRING_DESC_F_NEXT,
  VRING_DESC_F_WRITE,
  VRING_USED_F_NO_NOTIFY,
} from './abi.ts';
import {
  availEvent,
  availIdx,
  availRingBytes,
  availSlot,
  descAddrHi,
  descAt,
  descFlags,
  descLen,
  descNext,
  descTableBytes,
  usedEvent,
  usedIdx,
  usedRingBytes,
  usedSlot,
  usedSlotLen,
} from './ring-layout.ts';

const TWO32 = 2 ** 32;
const NO_RUN = 0xff;
const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** vring_need_event on free-running u16 indices. */
export function needEvent16(event: number, newIdx: number, old: number): boolean {
  return ((newIdx - event - 1) & 0xffff) < ((newIdx - old) & 0xffff);
}

export class TwinCore implements CoreAbi {
  // The same layout as asm/memory.ts, from the same base the wasm module uses.
  private readonly ctrl = 65536;
  private readonly queues = this.ctrl + CTRL_SIZE;
  private readonly descExtra = this.queues + MAX_QUEUES * QUEUE_RECORD;
  private readonly events = this.descExtra + MAX_QUEUES * MAX_QUEUE_SIZE * DESC_EXTRA_SIZE;
  private readonly scratch = this.events + EVENT_CAPACITY * EVENT_SIZE;
  private readonly elem = this.scratch + SCRATCH_SIZE;
  private readonly fixedEnd = this.elem + ELEM_SIZE;
  private frames = this.fixedEnd;
  private host = this.fixedEnd;
  private dirty = this.fixedEnd;
  private window = this.fixedEnd;
  private ramFrames = 0;
  private windowSize = 0;
  private windowGpa = 0;
  private hostPageFrames = 1;
  private pbpBase = -1;
  private pbpCount = 0;

  private buf: ArrayBuffer;
  private u8: Uint8Array;
  private dv: DataView;
  readonly memory: { readonly buffer: ArrayBuffer };

  constructor() {
    this.buf = new ArrayBuffer(alignUp(this.fixedEnd, 65536));
    this.u8 = new Uint8Array(this.buf);
    this.dv = new DataView(this.buf);
    const self = this;
    this.memory = {
      get buffer() {
        return self.buf;
      },
    };
  }

  // ── memory.ts ──────────────────────────────────────────────────────────────────────────────────

  private layOut(nFrames: number, hpf: number, windowFrame: number, windowFrames: number): boolean {
    const f = this.fixedEnd;
    const h = f + nFrames;
    const d = h + nFrames;
    const w = alignUp(d + ((nFrames + (1 << DIRTY_CHUNK_SHIFT) - 1) >>> DIRTY_CHUNK_SHIFT), PAGE_SIZE);
    const end = w + windowFrames * PAGE_SIZE;
    if (end > this.buf.byteLength) {
      const grown = new ArrayBuffer(alignUp(end, 65536));
      new Uint8Array(grown).set(this.u8);
      this.buf = grown;
      this.u8 = new Uint8Array(grown);
      this.dv = new DataView(grown);
    }
    this.frames = f;
    this.host = h;
    this.dirty = d;
    this.window = w;
    this.ramFrames = nFrames;
    this.hostPageFrames = hpf;
    this.windowSize = windowFrames * PAGE_SIZE;
    this.windowGpa = windowFrame * PAGE_SIZE;
    this.u8.fill(0, this.ctrl, end);
    return true;
  }

  layout(region: number): number {
    switch (region >>> 0) {
      case REGION_CTRL:
        return this.ctrl;
      case REGION_QUEUES:
        return this.queues;
      case REGION_EVENTS:
        return this.events;
      case REGION_SCRATCH:
        return this.scratch;
      case REGION_ELEM:
        return this.elem;
      case REGION_FRAMES:
        return this.frames;
      case REGION_HOST:
        return this.host;
      case REGION_DIRTY:
        return this.dirty;
      case REGION_WINDOW:
        return this.window;
      default:
        return 0;
    }
  }

  /** [lo + hi·2³², … + len) → linear address inside the window, or 0. */
  private translate(lo: number, hi: number, len: number): number {
    if (hi >= 2 ** 21) return 0; // ≥ 2^53: far beyond any window
    const off = hi * TWO32 + lo - this.windowGpa;
    if (off < 0 || off > this.windowSize || len > this.windowSize - off) return 0;
    return this.window + off;
  }

  private get32(p: number): number {
    return this.dv.getUint32(p, true);
  }
  private set32(p: number, v: number): void {
    this.dv.setUint32(p, v >>> 0, true);
  }
  private get16(p: number): number {
    return this.dv.getUint16(p, true);
  }
  private set16(p: number, v: number): void {
    this.dv.setUint16(p, v & 0xffff, true);
  }
  private ctrlGet(field: number): number {
    return this.get32(this.ctrl + field);
  }
  private ctrlSet(field: number, v: number): void {
    this.set32(this.ctrl + field, v);
  }
  private ctrlAdd(field: number, v: number): void {
    this.set32(this.ctrl + field, this.get32(this.ctrl + field) + v);
  }

  // ── index.ts: setup ────────────────────────────────────────────────────────────────────────────

  init(nFrames: number, hostPageFrames: number, windowFrame: number, windowFrames: number): number {
    nFrames >>>= 0;
    hostPageFrames >>>= 0;
    windowFrame >>>= 0;
    windowFrames >>>= 0;
    if (nFrames === 0 || nFrames > MAX_FRAMES) return RC_BAD_ARG;
    if (hostPageFrames === 0 || hostPageFrames > MAX_HOST_PAGE_FRAMES) return RC_BAD_ARG;
    if ((hostPageFrames & (hostPageFrames - 1)) !== 0 || nFrames % hostPageFrames !== 0) return RC_BAD_ARG;
    if (windowFrames === 0 || windowFrames > MAX_WINDOW_FRAMES) return RC_BAD_ARG;
    if (windowFrame >= nFrames || windowFrames > nFrames - windowFrame) return RC_BAD_ARG;
    if (!this.layOut(nFrames, hostPageFrames, windowFrame, windowFrames)) return RC_BAD_ARG;
    this.ctrlSet(CTRL_RAM_FRAMES, nFrames);
    this.ctrlSet(CTRL_HOST_PAGE_FRAMES, hostPageFrames);
    this.ctrlSet(CTRL_WINDOW_FRAME, windowFrame);
    this.ctrlSet(CTRL_WINDOW_FRAMES, windowFrames);
    this.ctrlSet(CTRL_STATE_COUNTS + (FRAME_FREE << 2), nFrames);
    this.ctrlSet(CTRL_HOST_COUNTS + (HOST_UNTOUCHED << 2), nFrames);
    this.ctrlSet(CTRL_EVENT_MASK, EVENT_MASK_DEFAULT);
    this.deviceReset(DEVICE_F_VERSION_1);
    return 0;
  }

  ctrlRead(field: number): number {
    field >>>= 0;
    return field < CTRL_SIZE ? this.ctrlGet(field & ~3) | 0 : 0;
  }

  dirtyClear(): void {
    this.u8.fill(
      0,
      this.dirty,
      this.dirty + ((this.ramFrames + (1 << DIRTY_CHUNK_SHIFT) - 1) >>> DIRTY_CHUNK_SHIFT),
    );
  }

  // ── events.ts ──────────────────────────────────────────────────────────────────────────────────

  private wants(kind: number): boolean {
    return (this.ctrlGet(CTRL_EVENT_MASK) & (1 << kind)) !== 0;
  }

  private emit(kind: number, queue: number, x: number, a: number, b: number, c: number): void {
    if (!this.wants(kind)) return;
    const head = this.ctrlGet(CTRL_EVENT_HEAD);
    if ((head - this.ctrlGet(CTRL_EVENT_TAIL)) >>> 0 >= EVENT_CAPACITY) {
      this.ctrlAdd(CTRL_EVENTS_DROPPED, 1);
      return;
    }
    const p = this.events + (head & (EVENT_CAPACITY - 1)) * EVENT_SIZE;
    this.u8[p] = kind;
    this.u8[p + 1] = queue;
    this.set16(p + 2, x);
    this.set32(p + 4, a);
    this.set32(p + 8, b);
    this.set32(p + 12, c);
    this.ctrlSet(CTRL_EVENT_HEAD, head + 1);
  }

  // ── frames.ts ──────────────────────────────────────────────────────────────────────────────────

  private countMove(counts: number, from: number, to: number): void {
    const pf = counts + (from << 2);
    this.set32(pf, this.get32(pf) - 1);
    const pt = counts + (to << 2);
    this.set32(pt, this.get32(pt) + 1);
  }

  // Batches (asm/frames.ts, "Batches"): counters settled once per run of equal old states.
  private settle(counts: number, state: number, len: number): void {
    if (len !== 0) this.set32(counts + (state << 2), this.get32(counts + (state << 2)) - len);
  }

  private credit(counts: number, state: number, n: number): void {
    this.set32(counts + (state << 2), this.get32(counts + (state << 2)) + n);
  }

  frameSetRange(first: number, n: number, state: number): number {
    first >>>= 0;
    n >>>= 0;
    state >>>= 0;
    if (state >= FRAME_STATE_COUNT || first >= this.ramFrames) return 0;
    const count = Math.min(n, this.ramFrames - first);
    const counts = this.ctrl + CTRL_STATE_COUNTS;
    let run = NO_RUN;
    let len = 0;
    for (let i = 0; i < count; i++) {
      const f = first + i;
      const old = this.u8[this.frames + f];
      if (old !== run) {
        this.settle(counts, run, len);
        run = old;
        len = 0;
      }
      len++;
      this.u8[this.frames + f] = state;
      this.u8[this.dirty + (f >>> DIRTY_CHUNK_SHIFT)] = 1;
    }
    this.settle(counts, run, len);
    this.credit(counts, state, count);
    return count;
  }

  private setHost(f: number, s: number): void {
    const p = this.host + f;
    this.countMove(this.ctrl + CTRL_HOST_COUNTS, this.u8[p], s);
    this.u8[p] = s;
    this.u8[this.dirty + (f >>> DIRTY_CHUNK_SHIFT)] = 1;
  }

  private setHostPage(f: number, s: number): number {
    const base = f & ~(this.hostPageFrames - 1);
    let changed = 0;
    for (let i = 0; i < this.hostPageFrames; i++) {
      const g = base + i;
      if (this.u8[this.host + g] !== s) {
        this.setHost(g, s);
        changed++;
      }
    }
    return changed;
  }

  private moveHostPage(f: number, from: number, to: number): number {
    const base = f & ~(this.hostPageFrames - 1);
    let changed = 0;
    for (let i = 0; i < this.hostPageFrames; i++) {
      const g = base + i;
      if (this.u8[this.host + g] === from) {
        this.setHost(g, to);
        changed++;
      }
    }
    return changed;
  }

  hostTouch(first: number, n: number): number {
    first >>>= 0;
    n >>>= 0;
    if (first >= this.ramFrames) return 0;
    const end = first + Math.min(n, this.ramFrames - first);
    let changed = 0;
    for (let f = first & ~(this.hostPageFrames - 1); f < end; f += this.hostPageFrames) {
      changed += this.setHostPage(f, HOST_RESIDENT);
    }
    return changed;
  }

  stateCount(state: number): number {
    state >>>= 0;
    return state < FRAME_STATE_COUNT ? this.get32(this.ctrl + CTRL_STATE_COUNTS + (state << 2)) : 0;
  }

  hostCount(state: number): number {
    state >>>= 0;
    return state < HOST_STATE_COUNT ? this.get32(this.ctrl + CTRL_HOST_COUNTS + (state << 2)) : 0;
  }

  // ── virtqueue.ts: records and accessors ────────────────────────────────────────────────────────

  private rec(q: number): number {
    return this.queues + q * QUEUE_RECORD;
  }
  private rget(r: number, field: number): number {
    return this.get32(r + field);
  }
  private rset(r: number, field: number, v: number): void {
    this.set32(r + field, v);
  }
  private extra(q: number, i: number): number {
    return this.descExtra + (q * MAX_QUEUE_SIZE + i) * DESC_EXTRA_SIZE;
  }
  private descAt(r: number, i: number): number {
    return descAt(this.window + this.rget(r, Q_DESC), i);
  }
  private avail(r: number): number {
    return this.window + this.rget(r, Q_AVAIL);
  }
  private used(r: number): number {
    return this.window + this.rget(r, Q_USED);
  }
  private usedEventPtr(r: number): number {
    return usedEvent(this.avail(r), this.rget(r, Q_SIZE));
  }
  private availEventPtr(r: number): number {
    return availEvent(this.used(r), this.rget(r, Q_SIZE));
  }
  private writeDesc(p: number, lo: number, hi: number, len: number, flags: number, next: number): void {
    this.set32(p, lo);
    this.set32(descAddrHi(p), hi);
    this.set32(descLen(p), len);
    this.set16(descFlags(p), flags);
    this.set16(descNext(p), next);
  }

  needEvent(event: number, newIdx: number, old: number): number {
    return needEvent16(event, newIdx, old) ? 1 : 0;
  }

  private deviceBroken(): boolean {
    return (this.ctrlGet(CTRL_DEVICE_FLAGS) & DEVICE_F_BROKEN) !== 0;
  }

  private deviceError(code: number, q: number, a: number, b: number): number {
    if (!this.deviceBroken()) {
      this.ctrlSet(CTRL_ERROR_CODE, code);
      this.ctrlSet(CTRL_ERROR_QUEUE, q);
      this.ctrlSet(CTRL_ERROR_ARG0, a);
      this.ctrlSet(CTRL_ERROR_ARG1, b);
      const flags = this.ctrlGet(CTRL_DEVICE_FLAGS);
      this.ctrlSet(CTRL_DEVICE_FLAGS, flags | DEVICE_F_BROKEN);
      if (flags & DEVICE_F_VERSION_1) {
        this.ctrlSet(CTRL_DEVICE_STATUS, this.ctrlGet(CTRL_DEVICE_STATUS) | STATUS_DEVICE_NEEDS_RESET);
      }
      this.emit(EV_ERROR, q, code, a, b, 0);
    }
    return RC_ERROR;
  }

  deviceReset(flags: number): void {
    this.u8.fill(0, this.queues, this.queues + MAX_QUEUES * QUEUE_RECORD);
    this.ctrlSet(CTRL_DEVICE_FLAGS, flags & DEVICE_F_VERSION_1);
    this.ctrlSet(CTRL_DEVICE_STATUS, 0);
    this.ctrlSet(CTRL_ERROR_CODE, 0);
    this.ctrlSet(CTRL_ERROR_QUEUE, 0);
    this.ctrlSet(CTRL_ERROR_ARG0, 0);
    this.ctrlSet(CTRL_ERROR_ARG1, 0);
    this.ctrlSet(CTRL_DRIVER_ERROR, 0);
    // The stats stay: QEMU's reset keeps the last values the guest sent.
  }

  private ready(q: number): boolean {
    return q < MAX_QUEUES && this.rget(this.rec(q), Q_SIZE) !== 0;
  }

  vqSetup(
    q: number,
    size: number,
    descLo: number,
    descHi: number,
    availLo: number,
    availHi: number,
    usedLo: number,
    usedHi: number,
    features: number,
  ): number {
    q >>>= 0;
    size >>>= 0;
    if (q >= MAX_QUEUES || size === 0 || size > MAX_QUEUE_SIZE || (size & (size - 1)) !== 0)
      return RC_BAD_ARG;
    if ((descLo & 15) !== 0 || (availLo & 1) !== 0 || (usedLo & 3) !== 0) return RC_BAD_ARG;
    const dp = this.translate(descLo >>> 0, descHi >>> 0, descTableBytes(size));
    const ap = this.translate(availLo >>> 0, availHi >>> 0, availRingBytes(size));
    const up = this.translate(usedLo >>> 0, usedHi >>> 0, usedRingBytes(size));
    if (dp === 0 || ap === 0 || up === 0) return RC_BAD_ARG;
    const r = this.rec(q);
    this.u8.fill(0, r, r + QUEUE_RECORD);
    this.rset(r, Q_SIZE, size);
    this.rset(r, Q_FEATURES, features & (VQ_F_EVENT_IDX | VQ_F_INDIRECT));
    this.rset(r, Q_DESC, dp - this.window);
    this.rset(r, Q_AVAIL, ap - this.window);
    this.rset(r, Q_USED, up - this.window);
    this.rset(r, Q_NUM_FREE, size);
    this.u8.fill(0, dp, dp + descTableBytes(size));
    this.u8.fill(0, ap, ap + availRingBytes(size));
    this.u8.fill(0, up, up + usedRingBytes(size));
    for (let i = 0; i < size; i++) {
      const x = this.extra(q, i);
      this.set16(x, i + 1);
      this.set16(x + 2, 0);
      this.set16(x + 4, 0);
      this.set16(x + 6, 0);
    }
    return 0;
  }

  // ── virtqueue.ts: driver side ──────────────────────────────────────────────────────────────────

  private driverUsable(q: number): boolean {
    return this.ready(q) && this.rget(this.rec(q), Q_DRIVER_BROKEN) === 0;
  }

  private publish(r: number, head: number): void {
    const size = this.rget(r, Q_SIZE);
    const shadow = this.rget(r, Q_AVAIL_SHADOW);
    const a = this.avail(r);
    this.set16(availSlot(a, shadow & (size - 1)), head);
    const next = (shadow + 1) & 0xffff;
    this.rset(r, Q_AVAIL_SHADOW, next);
    this.set16(availIdx(a), next);
    this.rset(r, Q_NUM_ADDED, this.rget(r, Q_NUM_ADDED) + 1);
  }

  vqAddBuf(q: number, lo: number, hi: number, len: number, write: number): number {
    q >>>= 0;
    if (!this.driverUsable(q)) return RC_BROKEN;
    const r = this.rec(q);
    if (this.rget(r, Q_NUM_FREE) < 1) return RC_NO_SPACE;
    const head = this.rget(r, Q_FREE_HEAD);
    const x = this.extra(q, head);
    const flags = write >>> 0 ? VRING_DESC_F_WRITE : 0;
    const next = this.get16(x);
    this.writeDesc(this.descAt(r, head), lo, hi, len, flags, next);
    this.set16(x + 2, flags);
    this.set16(x + 4, 1);
    this.set16(x + 6, 0);
    this.rset(r, Q_FREE_HEAD, next);
    this.rset(r, Q_NUM_FREE, this.rget(r, Q_NUM_FREE) - 1);
    this.publish(r, head);
    return head;
  }

  vqAddSgs(
    q: number,
    outNum: number,
    inNum: number,
    tableLo: number,
    tableHi: number,
    indirect: number,
  ): number {
    q >>>= 0;
    outNum >>>= 0;
    inNum >>>= 0;
    if (!this.driverUsable(q)) return RC_BROKEN;
    const total = (outNum + inNum) >>> 0;
    if (total === 0 || total > SCRATCH_SIZE / SG_SIZE || total > MAX_QUEUE_SIZE) return RC_BAD_ARG;
    const r = this.rec(q);
    const sgAt = (k: number) => this.scratch + k * SG_SIZE;
    if (indirect >>> 0 && total > 1 && (this.rget(r, Q_FEATURES) & VQ_F_INDIRECT) !== 0) {
      const tp = this.translate(tableLo >>> 0, tableHi >>> 0, total * DESC_SIZE);
      if (tp === 0) return RC_BAD_ARG;
      if (this.rget(r, Q_NUM_FREE) < 1) return RC_NO_SPACE;
      for (let k = 0; k < total; k++) {
        const sg = sgAt(k);
        let flags = k >= outNum ? VRING_DESC_F_WRITE : 0;
        if (k + 1 < total) flags |= VRING_DESC_F_NEXT;
        this.writeDesc(descAt(tp, k), this.get32(sg), this.get32(sg + 4), this.get32(sg + 8), flags, k + 1);
      }
      const head = this.rget(r, Q_FREE_HEAD);
      const x = this.extra(q, head);
      const next = this.get16(x);
      this.writeDesc(this.descAt(r, head), tableLo, tableHi, total * DESC_SIZE, VRING_DESC_F_INDIRECT, next);
      this.set16(x + 2, VRING_DESC_F_INDIRECT);
      this.set16(x + 4, 1);
      this.set16(x + 6, 1);
      this.rset(r, Q_FREE_HEAD, next);
      this.rset(r, Q_NUM_FREE, this.rget(r, Q_NUM_FREE) - 1);
      this.publish(r, head);
      return head;
    }
    if (this.rget(r, Q_NUM_FREE) < total) return RC_NO_SPACE;
    const head = this.rget(r, Q_FREE_HEAD);
    let i = head;
    for (let k = 0; k < total; k++) {
      const sg = sgAt(k);
      const x = this.extra(q, i);
      let flags = k >= outNum ? VRING_DESC_F_WRITE : 0;
      if (k + 1 < total) flags |= VRING_DESC_F_NEXT;
      const next = this.get16(x);
      this.writeDesc(this.descAt(r, i), this.get32(sg), this.get32(sg + 4), this.get32(sg + 8), flags, next);
      this.set16(x + 2, flags);
      this.set16(x + 4, 0);
      this.set16(x + 6, 0);
      i = next;
    }
    this.set16(this.extra(q, head) + 4, total);
    this.rset(r, Q_FREE_HEAD, i);
    this.rset(r, Q_NUM_FREE, this.rget(r, Q_NUM_FREE) - total);
    this.publish(r, head);
    return head;
  }

  vqKickPrepare(q: number): number {
    q >>>= 0;
    if (!this.driverUsable(q)) return 0;
    const r = this.rec(q);
    const newIdx = this.rget(r, Q_AVAIL_SHADOW);
    const old = (newIdx - this.rget(r, Q_NUM_ADDED)) & 0xffff;
    this.rset(r, Q_NUM_ADDED, 0);
    if (this.rget(r, Q_FEATURES) & VQ_F_EVENT_IDX) {
      return needEvent16(this.get16(this.availEventPtr(r)), newIdx, old) ? 1 : 0;
    }
    return (this.get16(this.used(r)) & VRING_USED_F_NO_NOTIFY) === 0 ? 1 : 0;
  }

  private driverError(q: number, code: number, arg: number): number {
    this.rset(this.rec(q), Q_DRIVER_BROKEN, 1);
    if (this.ctrlGet(CTRL_DRIVER_ERROR) === 0) this.ctrlSet(CTRL_DRIVER_ERROR, code);
    this.emit(EV_DRIVER_ERROR, q, code, arg, 0, 0);
    return RC_ERROR;
  }

  private detach(q: number, r: number, head: number): void {
    const size = this.rget(r, Q_SIZE);
    const hx = this.extra(q, head);
    const isIndirect = this.get16(hx + 6) !== 0;
    this.set16(hx + 4, 0);
    this.set16(hx + 6, 0);
    let i = head;
    let freed = 1;
    if (!isIndirect) {
      while ((this.get16(this.extra(q, i) + 2) & VRING_DESC_F_NEXT) !== 0 && freed < size) {
        i = this.get16(this.extra(q, i));
        freed++;
      }
    }
    this.set16(this.extra(q, i), this.rget(r, Q_FREE_HEAD));
    this.rset(r, Q_FREE_HEAD, head);
    this.rset(r, Q_NUM_FREE, this.rget(r, Q_NUM_FREE) + freed);
  }

  vqGetBuf(q: number): number {
    q >>>= 0;
    if (!this.driverUsable(q)) return RC_BROKEN;
    const r = this.rec(q);
    const size = this.rget(r, Q_SIZE);
    const lastUsed = this.rget(r, Q_LAST_USED);
    const u = this.used(r);
    if (this.get16(usedIdx(u)) === lastUsed) return RC_EMPTY;
    const e = usedSlot(u, lastUsed & (size - 1));
    const id = this.get32(e);
    const len = this.get32(usedSlotLen(e));
    if (id >= size) return this.driverError(q, DRV_ERR_ID_OOB, id);
    if (this.get16(this.extra(q, id) + 4) === 0) return this.driverError(q, DRV_ERR_NOT_HEAD, id);
    this.detach(q, r, id);
    const next = (lastUsed + 1) & 0xffff;
    this.rset(r, Q_LAST_USED, next);
    if ((this.rget(r, Q_AVAIL_FLAGS_SHADOW) & VRING_AVAIL_F_NO_INTERRUPT) === 0) {
      this.set16(this.usedEventPtr(r), next);
    }
    this.ctrlSet(CTRL_USED_LEN, len);
    return id;
  }

  vqSetCallbacks(q: number, enable: number): number {
    q >>>= 0;
    if (!this.driverUsable(q)) return 0;
    const r = this.rec(q);
    const event = (this.rget(r, Q_FEATURES) & VQ_F_EVENT_IDX) !== 0;
    let shadow = this.rget(r, Q_AVAIL_FLAGS_SHADOW);
    if (enable >>> 0) {
      shadow &= ~VRING_AVAIL_F_NO_INTERRUPT;
      this.rset(r, Q_AVAIL_FLAGS_SHADOW, shadow);
      if (!event) this.set16(this.avail(r), shadow);
      this.set16(this.usedEventPtr(r), this.rget(r, Q_LAST_USED));
      return this.get16(usedIdx(this.used(r))) !== this.rget(r, Q_LAST_USED) ? 1 : 0;
    }
    if ((shadow & VRING_AVAIL_F_NO_INTERRUPT) === 0) {
      shadow |= VRING_AVAIL_F_NO_INTERRUPT;
      this.rset(r, Q_AVAIL_FLAGS_SHADOW, shadow);
      if (event) this.set16(this.usedEventPtr(r), 0);
      else this.set16(this.avail(r), shadow);
    }
    return 0;
  }

  // ── virtqueue.ts: device side ──────────────────────────────────────────────────────────────────

  private mapSeg(flags: number, lo: number, hi: number, len: number, nSegs: number, bytes: number): number {
    if (len === 0) return ERR_ZERO_LEN;
    if (nSegs >= MAX_SEGS) return ERR_TOO_MANY_SEGS;
    const p = this.translate(lo, hi, len);
    if (p === 0 || bytes + len > ELEM_MAX_BYTES) return ERR_BAD_GPA;
    const s = this.elem + nSegs * SEG_SIZE;
    this.set32(s, p - this.window);
    this.set32(s + 4, len);
    this.set32(s + 8, flags & VRING_DESC_F_WRITE);
    this.set32(s + 12, 0);
    return 0;
  }

  vqPop(q: number): number {
    q >>>= 0;
    if (!this.ready(q) || this.deviceBroken()) return RC_BROKEN;
    const r = this.rec(q);
    const size = this.rget(r, Q_SIZE);
    const a = this.avail(r);
    const availIndex = this.get16(availIdx(a));
    const last = this.rget(r, Q_LAST_AVAIL);
    if (availIndex === last) return RC_EMPTY;
    if (((availIndex - last) & 0xffff) > size) return this.deviceError(ERR_AVAIL_JUMP, q, last, availIndex);
    if (this.rget(r, Q_INUSE) >= size) return this.deviceError(ERR_VQ_SIZE_EXCEEDED, q, size, 0);
    const head = this.get16(availSlot(a, last & (size - 1)));
    const nextLast = (last + 1) & 0xffff;
    this.rset(r, Q_LAST_AVAIL, nextLast);
    if (this.rget(r, Q_FEATURES) & VQ_F_EVENT_IDX) this.set16(this.availEventPtr(r), nextLast);
    if (head >= size) return this.deviceError(ERR_HEAD_OOB, q, head, 0);

    let table = this.descAt(r, 0);
    let max = size;
    let i = head;
    let inTable = false;
    let seen = 0;
    let descs = 0;
    let outN = 0;
    let inN = 0;
    let outBytes = 0;
    let inBytes = 0;
    for (;;) {
      const d = descAt(table, i);
      const lo = this.get32(d);
      const hi = this.get32(descAddrHi(d));
      const len = this.get32(descLen(d));
      const flags = this.get16(descFlags(d));
      if (flags & VRING_DESC_F_INDIRECT) {
        if (inTable) return this.deviceError(ERR_INDIRECT_NESTED, q, i, 0);
        if (flags & VRING_DESC_F_NEXT) return this.deviceError(ERR_INDIRECT_NEXT, q, i, 0);
        if (len === 0 || len % DESC_SIZE !== 0) return this.deviceError(ERR_INDIRECT_SIZE, q, len, 0);
        const tp = this.translate(lo, hi, len);
        if (tp === 0) return this.deviceError(ERR_INDIRECT_MAP, q, lo, hi);
        descs++;
        table = tp;
        max = len / DESC_SIZE;
        i = 0;
        seen = 0;
        inTable = true;
        continue;
      }
      let err = 0;
      if (flags & VRING_DESC_F_WRITE) {
        err = this.mapSeg(flags, lo, hi, len, outN + inN, outBytes + inBytes);
        if (err === 0) {
          inN++;
          inBytes += len;
        }
      } else {
        if (inN !== 0) return this.deviceError(ERR_ORDER, q, i, 0);
        err = this.mapSeg(flags, lo, hi, len, outN, outBytes);
        if (err === 0) {
          outN++;
          outBytes += len;
        }
      }
      if (err === ERR_BAD_GPA) return this.deviceError(err, q, lo, hi);
      if (err !== 0) return this.deviceError(err, q, i, len);
      descs++;
      if (++seen > max) return this.deviceError(ERR_LOOP, q, i, 0);
      if ((flags & VRING_DESC_F_NEXT) === 0) break;
      const next = this.get16(descNext(d));
      if (next >= max) return this.deviceError(ERR_NEXT_OOB, q, next, max);
      i = next;
    }
    this.ctrlSet(CTRL_ELEM_OUT, outN);
    this.ctrlSet(CTRL_ELEM_IN, inN);
    this.ctrlSet(CTRL_ELEM_OUT_BYTES, outBytes);
    this.ctrlSet(CTRL_ELEM_IN_BYTES, inBytes);
    this.ctrlSet(CTRL_ELEM_DESCS, descs);
    this.rset(r, Q_INUSE, this.rget(r, Q_INUSE) + 1);
    this.emit(EV_POP, q, outN, head, inN, descs);
    return head;
  }

  vqPush(q: number, head: number, len: number): number {
    q >>>= 0;
    head >>>= 0;
    if (!this.ready(q) || this.deviceBroken()) return RC_BROKEN;
    const r = this.rec(q);
    const size = this.rget(r, Q_SIZE);
    if (head >= size) return RC_BAD_ARG;
    const u = this.used(r);
    const idx = this.rget(r, Q_USED_IDX);
    const e = usedSlot(u, idx & (size - 1));
    this.set32(e, head);
    this.set32(usedSlotLen(e), len);
    const next = (idx + 1) & 0xffff;
    this.rset(r, Q_USED_IDX, next);
    this.set16(usedIdx(u), next);
    const inuse = this.rget(r, Q_INUSE);
    if (inuse > 0) this.rset(r, Q_INUSE, inuse - 1);
    this.emit(EV_PUSH, q, 0, head, len, 0);
    return 0;
  }

  vqNeedInterrupt(q: number): number {
    q >>>= 0;
    if (!this.ready(q) || this.deviceBroken()) return 0;
    const r = this.rec(q);
    if ((this.rget(r, Q_FEATURES) & VQ_F_EVENT_IDX) === 0) {
      return (this.get16(this.avail(r)) & VRING_AVAIL_F_NO_INTERRUPT) === 0 ? 1 : 0;
    }
    const valid = this.rget(r, Q_SIGNALLED_VALID) !== 0;
    const old = this.rget(r, Q_SIGNALLED_USED);
    const newIdx = this.rget(r, Q_USED_IDX);
    this.rset(r, Q_SIGNALLED_VALID, 1);
    this.rset(r, Q_SIGNALLED_USED, newIdx);
    return !valid || needEvent16(this.get16(this.usedEventPtr(r)), newIdx, old) ? 1 : 0;
  }

  vqSetNotification(q: number, enable: number): void {
    q >>>= 0;
    if (!this.ready(q)) return;
    const r = this.rec(q);
    const u = this.used(r);
    if (this.rget(r, Q_FEATURES) & VQ_F_EVENT_IDX) {
      if (enable >>> 0) this.set16(this.availEventPtr(r), this.get16(availIdx(this.avail(r))));
    } else {
      const flags = this.get16(u);
      this.set16(u, enable >>> 0 ? flags & ~VRING_USED_F_NO_NOTIFY : flags | VRING_USED_F_NO_NOTIFY);
    }
  }

  vqPending(q: number): number {
    q >>>= 0;
    if (!this.ready(q)) return 0;
    const r = this.rec(q);
    return (this.get16(availIdx(this.avail(r))) - this.rget(r, Q_LAST_AVAIL)) & 0xffff;
  }

  // ── balloon.ts ─────────────────────────────────────────────────────────────────────────────────

  pfnEncode(at: number, nRuns: number, pagesPerPage: number, lo: number, hi: number, state: number): number {
    at >>>= 0;
    nRuns >>>= 0;
    pagesPerPage >>>= 0;
    state >>>= 0;
    if (pagesPerPage === 0 || pagesPerPage > 16 || (pagesPerPage & (pagesPerPage - 1)) !== 0)
      return RC_BAD_ARG;
    if (state >= FRAME_STATE_COUNT && state !== FRAME_KEEP) return RC_BAD_ARG;
    if (nRuns > PFNS_MAX || at > PFNS_MAX) return RC_BAD_ARG;
    let nPages = 0;
    for (let r = 0; r < nRuns; r++) {
      const count = (this.get32(this.scratch + r * 8 + 4) & ~RUN_DESCENDING) >>> 0;
      if (count > PFNS_MAX) return RC_BAD_ARG;
      nPages += count;
    }
    if (nPages * pagesPerPage > PFNS_MAX - at) return RC_BAD_ARG;
    const n = nPages * pagesPerPage;
    // pfns + at·4 in u64 arithmetic, as two u32 halves
    const sum = (lo >>> 0) + at * 4;
    const dst = this.translate(sum % TWO32, ((hi >>> 0) + Math.floor(sum / TWO32)) >>> 0, n * 4);
    if (dst === 0) return RC_BAD_ARG;
    const limit = this.ramFrames;
    const mark = state !== FRAME_KEEP;
    const counts = this.ctrl + CTRL_STATE_COUNTS;
    let run = NO_RUN;
    let len = 0;
    let total = 0;
    let out = dst;
    for (let r = 0; r < nRuns; r++) {
      const first = this.get32(this.scratch + r * 8);
      const raw = this.get32(this.scratch + r * 8 + 4);
      const count = (raw & ~RUN_DESCENDING) >>> 0;
      const step = raw & RUN_DESCENDING ? -1 : 1;
      const pfnCount = count * pagesPerPage;
      let page = first;
      for (let j = 0; j < pfnCount; j++) {
        const sub = j & (pagesPerPage - 1);
        const pfn = (Math.imul(page, pagesPerPage) + sub) >>> 0;
        if (sub === pagesPerPage - 1) page = (page + step) >>> 0;
        this.set32(out, pfn);
        out += 4;
        if (mark && pfn < limit) {
          const old = this.u8[this.frames + pfn];
          if (old !== run) {
            this.settle(counts, run, len);
            run = old;
            len = 0;
          }
          len++;
          total++;
          this.u8[this.frames + pfn] = state;
          this.u8[this.dirty + (pfn >>> DIRTY_CHUNK_SHIFT)] = 1;
        }
      }
    }
    this.settle(counts, run, len);
    if (mark) this.credit(counts, state, total);
    return n;
  }

  pfnRuns(n: number, lo: number, hi: number): number {
    n >>>= 0;
    if (n > SCRATCH_SIZE / 8) return RC_BAD_ARG;
    const src = this.translate(lo >>> 0, hi >>> 0, n * 4);
    if (src === 0) return RC_BAD_ARG;
    const pfnAt = (k: number) => this.get32(src + k * 4);
    let r = 0;
    for (let k = 0; k < n; r++) {
      const first = pfnAt(k);
      let m = 1;
      let down = false;
      if (k + 1 < n && first + 1 <= 0xffffffff && pfnAt(k + 1) === first + 1) {
        while (k + m < n && first + m <= 0xffffffff && pfnAt(k + m) === first + m) m++;
      } else if (k + 1 < n && first >= 1 && pfnAt(k + 1) === first - 1) {
        down = true;
        while (k + m < n && first - m >= 0 && pfnAt(k + m) === first - m) m++;
      }
      this.set32(this.scratch + r * 8, first);
      this.set32(this.scratch + r * 8 + 4, down ? (m | RUN_DESCENDING) >>> 0 : m);
      k += m;
    }
    return r;
  }

  pfnSetStates(n: number, lo: number, hi: number, state: number): number {
    n >>>= 0;
    state >>>= 0;
    if (state >= FRAME_STATE_COUNT || n > PFNS_MAX) return RC_BAD_ARG;
    const src = this.translate(lo >>> 0, hi >>> 0, n * 4);
    if (src === 0) return RC_BAD_ARG;
    const limit = this.ramFrames;
    const counts = this.ctrl + CTRL_STATE_COUNTS;
    let run = NO_RUN;
    let len = 0;
    let set = 0;
    for (let k = 0; k < n; k++) {
      const pfn = this.get32(src + k * 4);
      if (pfn < limit) {
        const old = this.u8[this.frames + pfn];
        if (old !== run) {
          this.settle(counts, run, len);
          run = old;
          len = 0;
        }
        len++;
        set++;
        this.u8[this.frames + pfn] = state;
        this.u8[this.dirty + (pfn >>> DIRTY_CHUNK_SHIFT)] = 1;
      }
    }
    this.settle(counts, run, len);
    this.credit(counts, state, set);
    return set;
  }

  private pbpReset(): void {
    this.u8.fill(0, this.elem + ELEM_PBP, this.elem + ELEM_PBP + MAX_HOST_PAGE_FRAMES / 8);
    this.pbpBase = -1;
    this.pbpCount = 0;
  }

  private inflateFrame(q: number, f: number): void {
    const hpf = this.hostPageFrames;
    const base = f & ~(hpf - 1);
    if (this.pbpBase >= 0 && this.pbpBase !== base) {
      this.ctrlAdd(CTRL_PBP_DROPPED, 1);
      this.emit(EV_PBP_DROP, q, 0, this.pbpBase, this.pbpCount, 0);
      this.pbpReset();
    }
    this.pbpBase = base;
    const bit = f - base;
    const bp = this.elem + ELEM_PBP + (bit >>> 3);
    const mask = 1 << (bit & 7);
    if ((this.u8[bp] & mask) === 0) {
      this.u8[bp] |= mask;
      this.pbpCount++;
    }
    if (this.pbpCount === hpf) {
      const changed = this.setHostPage(base, HOST_DISCARDED);
      this.ctrlAdd(CTRL_FRAMES_DISCARDED, changed);
      this.emit(EV_DISCARD, q, 0, base, hpf, 0);
      this.pbpReset();
    }
  }

  private deflateFrame(q: number, f: number): void {
    const changed = this.moveHostPage(f, HOST_DISCARDED, HOST_WANTED);
    if (changed !== 0) {
      this.ctrlAdd(CTRL_FRAMES_WANTED, changed);
      this.emit(EV_WILLNEED, q, 0, f & ~(this.hostPageFrames - 1), this.hostPageFrames, 0);
    }
  }

  balloonHandle(q: number, deflate: number, maxElems: number): number {
    q >>>= 0;
    deflate >>>= 0;
    const limit = this.ramFrames;
    const perPfn = this.wants(EV_PFN);
    const perHost = this.wants(deflate ? EV_WILLNEED : EV_DISCARD);
    const small = this.hostPageFrames === 1;
    const hostCounts = this.ctrl + CTRL_HOST_COUNTS;
    let handled = 0;
    const cap = Math.min(maxElems >>> 0, MAX_QUEUE_SIZE);
    while (handled < cap) {
      const head = this.vqPop(q);
      if (head < 0) return head === RC_EMPTY ? handled : head;
      // Device-writable buffers and trailing bytes short of a PFN are ignored (asm/balloon.ts).
      const nOut = this.ctrlGet(CTRL_ELEM_OUT);
      this.pbpReset();
      let good = 0;
      let bad = 0;
      let changed = 0;
      const to = deflate ? HOST_WANTED : HOST_DISCARDED;
      let run = NO_RUN;
      let len = 0;
      for (let s = 0; s < nOut; s++) {
        const seg = this.elem + s * SEG_SIZE;
        const p = this.window + this.get32(seg);
        const n = this.get32(seg + 4) >>> 2;
        for (let k = 0; k < n; k++) {
          const pfn = this.get32(p + k * 4);
          if (pfn >= limit) {
            bad++;
            this.emit(EV_BAD_PFN, q, 0, pfn, 0, 0);
            continue;
          }
          good++;
          if (perPfn) this.emit(EV_PFN, q, deflate, pfn, 0, 0);
          if (small) {
            const h = this.u8[this.host + pfn];
            if (deflate ? h === HOST_DISCARDED : h !== HOST_DISCARDED) {
              if (h !== run) {
                this.settle(hostCounts, run, len);
                run = h;
                len = 0;
              }
              len++;
              changed++;
              this.u8[this.host + pfn] = to;
              this.u8[this.dirty + (pfn >>> DIRTY_CHUNK_SHIFT)] = 1;
              if (perHost) this.emit(deflate ? EV_WILLNEED : EV_DISCARD, q, 0, pfn, 1, 0);
            }
          } else if (deflate) this.deflateFrame(q, pfn);
          else this.inflateFrame(q, pfn);
        }
      }
      if (small) {
        this.settle(hostCounts, run, len);
        this.credit(hostCounts, to, changed);
        this.ctrlAdd(deflate ? CTRL_FRAMES_WANTED : CTRL_FRAMES_DISCARDED, changed);
      }
      if (this.pbpBase >= 0) {
        this.ctrlAdd(CTRL_PBP_DROPPED, 1);
        this.emit(EV_PBP_DROP, q, 0, this.pbpBase, this.pbpCount, 0);
        this.pbpReset();
      }
      this.ctrlAdd(CTRL_PFNS_HANDLED, good);
      this.ctrlAdd(CTRL_PFNS_BAD, bad);
      this.vqPush(q, head, 0);
      handled++;
    }
    return handled;
  }

  statsPop(q: number): number {
    q >>>= 0;
    const head = this.vqPop(q);
    if (head < 0) return head;
    this.ctrlSet(CTRL_STATS_MASK, 0); // reset_stats
    const nOut = this.ctrlGet(CTRL_ELEM_OUT);
    let seg = 0;
    let off = 0;
    let entries = 0;
    let unknown = 0;
    const entry = this.elem + ELEM_STAT_TMP;
    let filled = 0;
    while (seg < nOut) {
      const s = this.elem + seg * SEG_SIZE;
      const len = this.get32(s + 4);
      if (off >= len) {
        seg++;
        off = 0;
        continue;
      }
      const take = Math.min(len - off, STAT_ENTRY_SIZE - filled);
      const from = this.window + this.get32(s) + off;
      this.u8.copyWithin(entry + filled, from, from + take);
      filled += take;
      off += take;
      if (filled === STAT_ENTRY_SIZE) {
        const tag = this.get16(entry);
        if (tag < STATS_NR) {
          const dst = this.ctrl + CTRL_STATS + tag * 8;
          this.u8.copyWithin(dst, entry + 2, entry + 10);
          this.ctrlSet(CTRL_STATS_MASK, this.ctrlGet(CTRL_STATS_MASK) | (1 << tag));
        } else unknown++;
        entries++;
        filled = 0;
      }
    }
    this.ctrlAdd(CTRL_STATS_UNKNOWN, unknown);
    this.emit(EV_STATS, q, 0, head, entries, unknown);
    return head;
  }
}
