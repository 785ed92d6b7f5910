// The typed face of the core. It works over either implementation of the ABI (the WebAssembly module
// or its TypeScript twin), turns return codes into types and messages, and gives typed views of the
// tables in linear memory. The simulation talks to the core only through this class.
import {
  type CoreAbi,
  CTRL_DEVICE_STATUS,
  CTRL_DRIVER_ERROR,
  CTRL_ELEM_IN,
  CTRL_ELEM_OUT,
  CTRL_ERROR_ARG0,
  CTRL_ERROR_ARG1,
  CTRL_ERROR_CODE,
  CTRL_ERROR_QUEUE,
  CTRL_SIZE,
  CTRL_STATS,
  CTRL_STATS_MASK,
  CTRL_USED_LEN,
  DEVICE_F_VERSION_1,
  DIRTY_CHUNK_SHIFT,
  EVENT_CAPACITY,
  EVENT_SIZE,
  FRAME_STATE_COUNT,
  HOST_STATE_COUNT,
  MAX_FRAMES,
  MAX_HOST_PAGE_FRAMES,
  MAX_QUEUE_SIZE,
  MAX_QUEUES,
  MAX_WINDOW_FRAMES,
  PAGE_SIZE,
  Q_AVAIL,
  Q_AVAIL_SHADOW,
  Q_DESC,
  Q_DRIVER_BROKEN,
  Q_FEATURES,
  Q_FREE_HEAD,
  Q_INUSE,
  Q_LAST_AVAIL,
  Q_LAST_USED,
  Q_NUM_FREE,
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
  STATS_SLOTS,
  VQ_F_EVENT_IDX,
  VQ_F_INDIRECT,
  VRING_DESC_F_WRITE,
} from './abi.ts';
import { deviceErrorKind, driverErrors } from './errors.ts';
import { asGpa, type DescIdx, type Gpa, gpaHalves, type KernelPage, type Pfn } from './units.ts';
import { instantiateWasmCore } from './wasm.ts';

export interface CoreConfig {
  /** Guest RAM in 4 KiB frames (≤ 4,194,304 = 16 GiB). */
  ramFrames: number;
  /** Host page size in 4 KiB frames: 1 (4 KiB), 16 (64 KiB) or 512 (2 MiB). */
  hostPageFrames: number;
  /** The backed window of guest memory (the kernel data the device reads), in frames. */
  windowFrame: number;
  windowFrames: number;
}

export interface QueueConfig {
  size: number;
  desc: Gpa;
  avail: Gpa;
  used: Gpa;
  eventIdx?: boolean;
  indirect?: boolean;
}

export interface QueueState {
  size: number;
  eventIdx: boolean;
  indirect: boolean;
  desc: Gpa;
  avail: Gpa;
  used: Gpa;
  /** Driver side (Linux virtio_ring): first free descriptor, free count, published avail idx, used consumed. */
  freeHead: number;
  numFree: number;
  availShadow: number;
  lastUsed: number;
  /** Device side (QEMU): avail entries consumed, published used idx, popped but not pushed. */
  lastAvail: number;
  usedIdx: number;
  inuse: number;
  driverBroken: boolean;
}

export interface Segment {
  gpa: Gpa;
  len: number;
  write: boolean;
}

export interface CoreEvent {
  kind: number;
  queue: number;
  x: number;
  a: number;
  b: number;
  c: number;
}

export interface DeviceErrorInfo {
  code: number;
  name: string;
  message: string;
  queue: number;
  qemu: boolean;
}

/** A bad argument to the core: the message names the field and the reason. */
export class CoreArgumentError extends Error {
  override name = 'CoreArgumentError';
}

// A message that interpolates is built only on failure (`if (!ok) throw …`), not passed to check():
// the hot paths run these checks per access, and a template literal would be built every time.
function check(ok: boolean, message: string): void {
  if (!ok) throw new CoreArgumentError(message);
}

const isPow2 = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

export class BalloonCore {
  frames = new Uint8Array(0);
  host = new Uint8Array(0);
  dirty = new Uint8Array(0);
  /** The backed window's bytes; index 0 is guest-physical windowGpa. */
  window = new Uint8Array(0);
  windowGpa = asGpa(0);
  ramFrames = 0;
  hostPageFrames = 1;
  private windowView = new DataView(new ArrayBuffer(0));
  protected ctrlView = new DataView(new ArrayBuffer(0));
  protected scratch = new DataView(new ArrayBuffer(0));
  /** SCRATCH as u32s (the host is little-endian, as WebAssembly's memory is). */
  private scratch32 = new Uint32Array(0);
  private elem = new DataView(new ArrayBuffer(0));
  protected events = new DataView(new ArrayBuffer(0));
  private queues = new DataView(new ArrayBuffer(0));

  constructor(readonly abi: CoreAbi) {}

  static fromWasm(module: WebAssembly.Module): BalloonCore {
    return new BalloonCore(instantiateWasmCore(module));
  }

  /** Lays out a guest; everything is reset. Throws CoreArgumentError naming a bad field. */
  init(cfg: CoreConfig): void {
    const { ramFrames, hostPageFrames, windowFrame, windowFrames } = cfg;
    check(
      Number.isInteger(ramFrames) && ramFrames > 0 && ramFrames <= MAX_FRAMES,
      `ramFrames: must be a whole number from 1 to ${MAX_FRAMES} (16 GiB), got ${ramFrames}`,
    );
    check(
      isPow2(hostPageFrames) && hostPageFrames <= MAX_HOST_PAGE_FRAMES,
      `hostPageFrames: must be a power of two up to ${MAX_HOST_PAGE_FRAMES} (2 MiB), got ${hostPageFrames}`,
    );
    check(ramFrames % hostPageFrames === 0, 'ramFrames: must be a whole number of host pages');
    check(
      Number.isInteger(windowFrames) && windowFrames > 0 && windowFrames <= MAX_WINDOW_FRAMES,
      `windowFrames: must be from 1 to ${MAX_WINDOW_FRAMES}, got ${windowFrames}`,
    );
    check(
      Number.isInteger(windowFrame) && windowFrame >= 0 && windowFrame + windowFrames <= ramFrames,
      `windowFrame: the window must lie inside guest RAM, got frame ${windowFrame}`,
    );
    check(
      this.abi.init(ramFrames, hostPageFrames, windowFrame, windowFrames) === 0,
      'init: the core refused',
    );
    this.ramFrames = ramFrames;
    this.hostPageFrames = hostPageFrames;
    this.windowGpa = asGpa(windowFrame * PAGE_SIZE);
    this.refreshViews(windowFrames);
  }

  private refreshViews(windowFrames: number): void {
    const buf = this.abi.memory.buffer;
    const at = (r: number) => this.abi.layout(r) >>> 0;
    this.frames = new Uint8Array(buf, at(REGION_FRAMES), this.ramFrames);
    this.host = new Uint8Array(buf, at(REGION_HOST), this.ramFrames);
    this.dirty = new Uint8Array(
      buf,
      at(REGION_DIRTY),
      (this.ramFrames + (1 << DIRTY_CHUNK_SHIFT) - 1) >>> DIRTY_CHUNK_SHIFT,
    );
    this.window = new Uint8Array(buf, at(REGION_WINDOW), windowFrames * PAGE_SIZE);
    this.windowView = new DataView(buf, at(REGION_WINDOW), windowFrames * PAGE_SIZE);
    this.ctrlView = new DataView(buf, at(REGION_CTRL), CTRL_SIZE);
    this.scratch = new DataView(buf, at(REGION_SCRATCH), SCRATCH_SIZE);
    this.scratch32 = new Uint32Array(buf, at(REGION_SCRATCH), SCRATCH_SIZE / 4);
    this.elem = new DataView(buf, at(REGION_ELEM), SEG_SIZE * 1024);
    this.events = new DataView(buf, at(REGION_EVENTS), EVENT_CAPACITY * EVENT_SIZE);
    this.queues = new DataView(buf, at(REGION_QUEUES), MAX_QUEUES * QUEUE_RECORD);
  }

  // ── CTRL ───────────────────────────────────────────────────────────────────────────────────────

  ctrl(field: number): number {
    return this.ctrlView.getUint32(field, true);
  }

  stateCount(state: number): number {
    return this.abi.stateCount(state) >>> 0;
  }

  stateCounts(): number[] {
    return Array.from({ length: FRAME_STATE_COUNT }, (_, s) => this.stateCount(s));
  }

  hostCounts(): number[] {
    return Array.from({ length: HOST_STATE_COUNT }, (_, s) => this.abi.hostCount(s) >>> 0);
  }

  /** Device status bits the core owns (DEVICE_NEEDS_RESET after an error on a modern device). */
  get deviceStatus(): number {
    return this.ctrl(CTRL_DEVICE_STATUS);
  }

  /** The first device error since the last reset, in QEMU's words, or null. */
  deviceError(): DeviceErrorInfo | null {
    const code = this.ctrl(CTRL_ERROR_CODE);
    if (code === 0) return null;
    const kind = deviceErrorKind(code);
    const a = this.ctrl(CTRL_ERROR_ARG0);
    const b = this.ctrl(CTRL_ERROR_ARG1);
    return {
      code,
      name: kind?.name ?? `error-${code}`,
      message: kind ? kind.format(a, b) : `device error ${code}`,
      queue: this.ctrl(CTRL_ERROR_QUEUE),
      qemu: kind?.qemu ?? false,
    };
  }

  driverError(): string | null {
    const code = this.ctrl(CTRL_DRIVER_ERROR);
    return code === 0 ? null : (driverErrors[code]?.name ?? `driver-error-${code}`);
  }

  /** Device reset: queues forgotten, errors cleared. */
  resetDevice(version1 = true): void {
    this.abi.deviceReset(version1 ? DEVICE_F_VERSION_1 : 0);
  }

  // ── Guest memory in the window ─────────────────────────────────────────────────────────────────

  inWindow(gpa: number, len: number): boolean {
    const off = gpa - this.windowGpa;
    return off >= 0 && len >= 0 && off + len <= this.window.length;
  }

  private offset(gpa: number, len: number): number {
    if (!this.inWindow(gpa, len))
      throw new CoreArgumentError(`gpa 0x${gpa.toString(16)}+${len}: outside the backed window`);
    return gpa - this.windowGpa;
  }

  bytesAt(gpa: Gpa, len: number): Uint8Array {
    const off = this.offset(gpa, len);
    return this.window.subarray(off, off + len);
  }
  readU16(gpa: Gpa): number {
    return this.windowView.getUint16(this.offset(gpa, 2), true);
  }
  readU32(gpa: Gpa): number {
    return this.windowView.getUint32(this.offset(gpa, 4), true);
  }
  readU64(gpa: Gpa): bigint {
    return this.windowView.getBigUint64(this.offset(gpa, 8), true);
  }
  writeU16(gpa: Gpa, v: number): void {
    this.windowView.setUint16(this.offset(gpa, 2), v, true);
  }
  writeU32(gpa: Gpa, v: number): void {
    this.windowView.setUint32(this.offset(gpa, 4), v >>> 0, true);
  }
  writeU64(gpa: Gpa, v: bigint): void {
    this.windowView.setBigUint64(this.offset(gpa, 8), v, true);
  }

  // ── Frames and host backing ────────────────────────────────────────────────────────────────────

  setFrames(first: Pfn, n: number, state: number): number {
    return this.abi.frameSetRange(first, n, state) >>> 0;
  }

  hostTouch(first: Pfn, n: number): number {
    return this.abi.hostTouch(first, n) >>> 0;
  }

  clearDirty(): void {
    this.abi.dirtyClear();
  }

  // ── Virtqueues ─────────────────────────────────────────────────────────────────────────────────

  setupQueue(q: number, cfg: QueueConfig): void {
    if (!(Number.isInteger(q) && q >= 0 && q < MAX_QUEUES))
      throw new CoreArgumentError(`queue: must be 0..${MAX_QUEUES - 1}, got ${q}`);
    check(
      isPow2(cfg.size) && cfg.size <= MAX_QUEUE_SIZE,
      `size: must be a power of two ≤ 32768, got ${cfg.size}`,
    );
    const [dl, dh] = gpaHalves(cfg.desc);
    const [al, ah] = gpaHalves(cfg.avail);
    const [ul, uh] = gpaHalves(cfg.used);
    const features = (cfg.eventIdx ? VQ_F_EVENT_IDX : 0) | (cfg.indirect ? VQ_F_INDIRECT : 0);
    const rc = this.abi.vqSetup(q, cfg.size, dl, dh, al, ah, ul, uh, features);
    if (!(rc === 0))
      throw new CoreArgumentError(`queue ${q}: rings must lie inside the window, aligned to 16/2/4 bytes`);
  }

  /** Adds one buffer; returns its head, or RC_NO_SPACE / RC_BROKEN. */
  addBuf(q: number, gpa: Gpa, len: number, write = false): number {
    const [lo, hi] = gpaHalves(gpa);
    return this.abi.vqAddBuf(q, lo, hi, len, write ? 1 : 0);
  }

  kickPrepare(q: number): boolean {
    return this.abi.vqKickPrepare(q) !== 0;
  }

  /** The next used buffer ({head, len}), null if none; throws on a bad used entry (BAD_RING). */
  getBuf(q: number): { head: DescIdx; len: number } | null {
    const head = this.abi.vqGetBuf(q);
    if (head >= 0) return { head: head as DescIdx, len: this.ctrl(CTRL_USED_LEN) };
    if (head === RC_EMPTY || head === RC_BROKEN) return null;
    throw new Error(`virtqueue ${q}: ${this.driverError() ?? 'bad used entry'}`);
  }

  /** Device: pops the next chain; its head, or RC_EMPTY / RC_ERROR / RC_BROKEN. */
  pop(q: number): number {
    return this.abi.vqPop(q);
  }

  /** The segments of the element the last pop took, device-readable first. */
  elemSegments(): Segment[] {
    const n = this.ctrl(CTRL_ELEM_OUT) + this.ctrl(CTRL_ELEM_IN);
    const segs: Segment[] = [];
    for (let k = 0; k < n; k++) {
      const p = k * SEG_SIZE;
      segs.push({
        gpa: asGpa(this.windowGpa + this.elem.getUint32(p, true)),
        len: this.elem.getUint32(p + 4, true),
        write: (this.elem.getUint32(p + 8, true) & VRING_DESC_F_WRITE) !== 0,
      });
    }
    return segs;
  }

  push(q: number, head: number, len: number): number {
    return this.abi.vqPush(q, head, len);
  }

  needInterrupt(q: number): boolean {
    return this.abi.vqNeedInterrupt(q) !== 0;
  }

  pending(q: number): number {
    return this.abi.vqPending(q) >>> 0;
  }

  /**
   * The device's view of queue q in three numbers, for the per-batch path that queueState() would
   * serve with a fresh object: its size (0 if not set up), where its rings are, and the next avail
   * index the device will pop (QEMU's last_avail_idx).
   */
  queueSize(q: number): number {
    return q >= 0 && q < MAX_QUEUES ? this.queues.getUint32(q * QUEUE_RECORD + Q_SIZE, true) : 0;
  }
  queueRingGpa(q: number, ring: 'desc' | 'avail' | 'used'): Gpa {
    const field = ring === 'desc' ? Q_DESC : ring === 'avail' ? Q_AVAIL : Q_USED;
    return asGpa(this.windowGpa + this.queues.getUint32(q * QUEUE_RECORD + field, true));
  }
  queueLastAvail(q: number): number {
    return this.queues.getUint32(q * QUEUE_RECORD + Q_LAST_AVAIL, true);
  }

  /** Both sides' private bookkeeping for queue q (for the virtqueue inspector), or null if not set up. */
  queueState(q: number): QueueState | null {
    if (q < 0 || q >= MAX_QUEUES) return null;
    const r = new DataView(
      this.abi.memory.buffer,
      (this.abi.layout(REGION_QUEUES) >>> 0) + q * QUEUE_RECORD,
      QUEUE_RECORD,
    );
    const size = r.getUint32(Q_SIZE, true);
    if (size === 0) return null;
    const features = r.getUint32(Q_FEATURES, true);
    return {
      size,
      eventIdx: (features & VQ_F_EVENT_IDX) !== 0,
      indirect: (features & VQ_F_INDIRECT) !== 0,
      desc: asGpa(this.windowGpa + r.getUint32(Q_DESC, true)),
      avail: asGpa(this.windowGpa + r.getUint32(Q_AVAIL, true)),
      used: asGpa(this.windowGpa + r.getUint32(Q_USED, true)),
      freeHead: r.getUint32(Q_FREE_HEAD, true),
      numFree: r.getUint32(Q_NUM_FREE, true),
      availShadow: r.getUint32(Q_AVAIL_SHADOW, true),
      lastUsed: r.getUint32(Q_LAST_USED, true),
      lastAvail: r.getUint32(Q_LAST_AVAIL, true),
      usedIdx: r.getUint32(Q_USED_IDX, true),
      inuse: r.getUint32(Q_INUSE, true),
      driverBroken: r.getUint32(Q_DRIVER_BROKEN, true) !== 0,
    };
  }

  // ── Balloon ────────────────────────────────────────────────────────────────────────────────────

  /**
   * set_page_pfns for the runs of kernel pages written with writeRun(): pfns[at…] at `pfns`, each
   * page's PFNs, and their frames set to `state`; returns the PFNs written.
   */
  encodeRuns(nRuns: number, at: number, pagesPerPage: number, pfns: Gpa, state: number): number {
    const rc = this.abi.pfnEncode(at, nRuns, pagesPerPage, pfns % 2 ** 32, Math.floor(pfns / 2 ** 32), state);
    check(rc !== RC_BAD_ARG, 'encodeRuns: the batch must fit pfns[256] inside the window');
    return rc;
  }

  /** Writes run r {first kernel page, count, counting down if `descending`} for encodeRuns(). */
  writeRun(r: number, first: KernelPage, count: number, descending = false): void {
    this.scratch.setUint32(r * 8, first, true);
    this.scratch.setUint32(r * 8 + 4, (count | (descending ? RUN_DESCENDING : 0)) >>> 0, true);
  }

  /** Sets the frames named by pfns[0..n) to `state`; returns how many were inside RAM. */
  setStatesFromPfns(n: number, pfns: Gpa, state: number): number {
    const rc = this.abi.pfnSetStates(n, pfns % 2 ** 32, Math.floor(pfns / 2 ** 32), state);
    check(rc !== RC_BAD_ARG, 'setStatesFromPfns: pfns must lie inside the window');
    return rc;
  }

  /**
   * The runs of consecutive PFNs among the n PFNs at `pfns`, for the device's trace: how many (−1
   * when the PFNs are not inside the window or too many to take at once). Run r is then
   * pfnRunPairs[2r] (its first PFN) and pfnRunPairs[2r + 1] (its length, | RUN_DESCENDING when it
   * counts down), until the next call into the core.
   */
  pfnRuns(pfns: Gpa, n: number): number {
    const rc = this.abi.pfnRuns(n, pfns % 2 ** 32, Math.floor(pfns / 2 ** 32));
    return rc < 0 ? -1 : rc;
  }

  get pfnRunPairs(): Uint32Array {
    return this.scratch32;
  }

  /** The device handles inflate (deflate = false) or deflate buffers: elements handled, or RC_*. */
  balloonHandle(q: number, deflate: boolean, maxElems = MAX_QUEUE_SIZE): number {
    return this.abi.balloonHandle(q, deflate ? 1 : 0, maxElems);
  }

  /** The device takes the stats buffer: its head (to push back later), or RC_*. */
  statsPop(q: number): number {
    return this.abi.statsPop(q);
  }

  /** The last value of each stats tag the device received since reset (undefined: never sent). */
  stats(): (bigint | undefined)[] {
    const mask = this.ctrl(CTRL_STATS_MASK);
    return Array.from({ length: STATS_SLOTS }, (_, tag) =>
      mask & (1 << tag) ? this.ctrlView.getBigUint64(CTRL_STATS + tag * 8, true) : undefined,
    );
  }
}

export { RC_BAD_ARG, RC_BROKEN, RC_EMPTY, RC_ERROR, RC_NO_SPACE };
