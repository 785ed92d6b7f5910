// Balloon Lab's virtio-balloon device behind a real Linux driver running in v86 (docs/real-guest.md).
// The core (asm/) walks the rings with the same device-side checks as in the simulation, decodes the
// PFNs and keeps the host's backing table; the driver's rings live in v86's guest RAM, so before the
// core handles a queue the pages the ring names (descriptor table, avail ring, every buffer and
// indirect table it points at) are copied into the core's window at the same guest-physical
// addresses, and afterwards the used ring goes back. Guest RAM a balloon buffer discards is zeroed,
// as MADV_DONTNEED leaves it for the guest's next touch.
import {
  CTRL_RAM_FRAMES,
  CTRL_SIZE,
  DESC_SIZE,
  HOST_DISCARDED,
  MAX_QUEUES,
  PAGE_SIZE,
  QUEUE_RECORD,
  RC_ERROR,
  REGION_CTRL,
  REGION_QUEUES,
  VRING_DESC_F_INDIRECT,
} from '../core/abi.ts';
import type { BalloonCore } from '../core/core.ts';
import {
  availRingBytes,
  descAddrHi,
  descAt,
  descFlags,
  descLen,
  descTableBytes,
  usedIdx,
  usedRingBytes,
  usedSlot,
} from '../core/ring-layout.ts';
import { asGpa, asPfn } from '../core/units.ts';
import { traceElemId, VQ_BY_QUEUE_INDEX } from '../sim/trace-format.ts';
import { TraceRecorder, traceHandleOutput } from '../sim/trace-recorder.ts';
import type { GuestEvent } from './protocol.ts';
import { createBalloon, ISR_QUEUE, type StateCarried, type V86Cpu, type V86VirtIO } from './v86-seam.ts';

export const INFLATE_Q = 0;
export const DEFLATE_Q = 1;
export const STATS_Q = 2;

/** Feature bits (virtio 1.x §5.5.3, §6). */
export const F_MUST_TELL_HOST = 0;
export const F_STATS_VQ = 1;
export const F_DEFLATE_ON_OOM = 2;
const F_INDIRECT_DESC = 28;
const F_EVENT_IDX = 29;
const F_VERSION_1 = 32;

export interface RealDeviceOptions {
  /** Balloon features offered beside VERSION_1 and the ring features: MUST_TELL_HOST, STATS_VQ, DEFLATE_ON_OOM. */
  features: number[];
  /** Queue size of every queue (QEMU's balloon: 128). */
  queueSize?: number;
}

/** The largest buffer copied for the core to read: a balloon buffer is 1 KiB, a stats one 80 bytes. */
const MAX_COPY = 64 * 1024;

export class RealBalloonDevice implements StateCarried {
  readonly virtio: V86VirtIO;
  /** The host's target, in 4 KiB pages (num_pages in the config space). */
  numPages = 0;
  /** What the driver last wrote to `actual`. */
  actual = 0;
  /** The stats buffer the device holds (its head), or −1. */
  private statsHead = -1;
  /** A device error stopped it until the driver resets it. */
  private broken = false;
  /** Queues set up in the core, by index. */
  private readonly setUp: boolean[] = [];
  readonly counts = { inflateBuffers: 0, deflateBuffers: 0, statsBuffers: 0, errors: 0 };
  /** The driver's config writes and the device's errors, oldest first: for a summary. */
  readonly log: string[] = [];
  /** Told of each thing the device sees (the app's timeline and map); pfns for a balloon buffer. */
  onEvent?: (e: GuestEvent, pfns?: Uint32Array) => void;
  private events = 0;
  private tell(e: Omit<GuestEvent, 'n'>, pfns?: Uint32Array): void {
    this.onEvent?.({ n: ++this.events, ...e }, pfns);
  }
  /** What the device saw, in QEMU's trace format (the lines `-trace virtio_balloon_*,virtqueue_*` prints). */
  readonly trace = new TraceRecorder();
  /** Wall-clock µs since the device was made: a real guest's time is the host's. */
  private readonly t0 = performance.now();
  now(): number {
    return Math.round((performance.now() - this.t0) * 1000);
  }

  constructor(
    readonly cpu: V86Cpu,
    readonly core: BalloonCore,
    o: RealDeviceOptions,
  ) {
    const ramFrames = cpu.mem8.length / PAGE_SIZE;
    core.init({ ramFrames, hostPageFrames: 1, windowFrame: 0, windowFrames: ramFrames });
    // v86 allocated all of guest RAM: every frame starts backed.
    core.hostTouch(asPfn(0), ramFrames);
    const size = o.queueSize ?? 128;
    const offered = [F_VERSION_1, F_INDIRECT_DESC, F_EVENT_IDX, ...o.features];
    const queueSizes = offered.includes(F_STATS_VQ) ? [size, size, size] : [size, size];
    this.virtio = createBalloon(cpu, {
      features: offered,
      queueSizes,
      onNotify: (q) => this.notify(q),
      onDriverOk: () => this.driverOk(),
      config: [
        {
          bytes: 4,
          name: 'num_pages',
          read: () => {
            // The driver reads num_pages and actual together (virtio_balloon_get_config).
            this.trace.getConfig(this.now(), this.numPages, this.actual);
            return this.numPages;
          },
          write: () => {},
        },
        {
          bytes: 4,
          name: 'actual',
          read: () => this.actual,
          write: (v) => {
            const old = this.actual;
            this.actual = v >>> 0;
            const us = this.now();
            this.trace.setConfig(us, this.actual, old);
            this.tell({
              us,
              kind: 'actual',
              text: `the driver set actual ${old} → ${this.actual} pages`,
            });
          },
        },
      ],
    });
  }

  /**
   * What the device keeps, for v86's save_state (v86-seam.ts carryState): its numbers, the core's
   * device side (CTRL and the queue records: indices, errors, counts) and the host table. The rings
   * themselves are in guest RAM, which v86 saves.
   */
  saveState(): unknown[] {
    const c = this.counts;
    const numbers = Float64Array.from([
      this.cpu.mem8.length,
      this.numPages,
      this.actual,
      this.statsHead,
      this.broken ? 1 : 0,
      this.setUp.reduce((m, on, i) => (on ? m | (1 << i) : m), 0),
      c.inflateBuffers,
      c.deflateBuffers,
      c.statsBuffers,
      c.errors,
    ]);
    return [numbers, this.deviceSide().slice(), this.core.host.slice()];
  }

  restoreState(s: unknown[]): void {
    const [numbers, side, host] = s as [Float64Array, Uint8Array, Uint8Array];
    if (!(numbers instanceof Float64Array) || numbers[0] !== this.cpu.mem8.length)
      throw new Error(
        `saved state: made for a ${numbers?.[0]}-byte guest, this one has ${this.cpu.mem8.length}`,
      );
    const into = this.deviceSide();
    if (
      !(side instanceof Uint8Array) ||
      side.length !== into.length ||
      !(host instanceof Uint8Array) ||
      host.length !== this.core.host.length
    )
      throw new Error('saved state: the device side does not fit this build of the core');
    if (new DataView(side.buffer, side.byteOffset).getUint32(CTRL_RAM_FRAMES, true) !== this.core.ramFrames)
      throw new Error('saved state: the core was set up for another guest size');
    const [, numPages, actual, statsHead, broken, setUp, ib, db, sb, errors] = numbers;
    this.numPages = numPages;
    this.actual = actual;
    this.statsHead = statsHead;
    this.broken = broken === 1;
    for (let i = 0; i < MAX_QUEUES; i++) this.setUp[i] = ((setUp >> i) & 1) === 1;
    Object.assign(this.counts, { inflateBuffers: ib, deflateBuffers: db, statsBuffers: sb, errors });
    into.set(side);
    this.core.host.set(host);
    this.resync = true;
  }

  /** The core's CTRL and queue records, which lie one after the other in its memory. */
  private deviceSide(): Uint8Array {
    const at = (r: number) => this.core.abi.layout(r) >>> 0;
    if (at(REGION_QUEUES) !== at(REGION_CTRL) + CTRL_SIZE)
      throw new Error('core layout: QUEUES must follow CTRL');
    return new Uint8Array(
      this.core.abi.memory.buffer,
      at(REGION_CTRL),
      CTRL_SIZE + MAX_QUEUES * QUEUE_RECORD,
    );
  }

  /**
   * After a restore the core's window holds nothing: each ring comes back from guest RAM, the used
   * ring (the device's side) too, since finish() always leaves the core's copy there.
   */
  private resync = false;
  private resyncRings(): void {
    if (!this.resync) return;
    this.resync = false;
    this.virtio.queues.forEach((q, i) => {
      if (!this.setUp[i]) return;
      this.shadow(i);
      this.toCore(q.used_addr, usedRingBytes(q.size) + 2);
    });
  }

  /** QMP balloon: the guest's new logical size, as a target in pages. */
  setTarget(pages: number): void {
    this.numPages = pages >>> 0;
    const us = this.now();
    const target = this.cpu.mem8.length - this.numPages * PAGE_SIZE;
    this.trace.balloonEvent(us, target);
    this.trace.toTarget(us, target, this.numPages);
    this.tell({
      us,
      kind: 'target',
      text: `target: num_pages ${this.numPages} (${(this.numPages / 256).toFixed(1)} MiB)`,
    });
    this.virtio.notify_config_changes();
  }

  /** The stats the driver last sent (tag → value), undefined for a tag it never sent. */
  stats(): (bigint | undefined)[] {
    return this.core.stats();
  }

  /** Asks the driver for fresh stats: the held buffer goes back used (QEMU's stats timer). */
  requestStats(): boolean {
    if (this.statsHead < 0 || this.broken) return false;
    this.resyncRings();
    // The driver's used_event, which says whether it wants the interrupt, is in its avail ring.
    this.shadow(STATS_Q);
    this.core.push(STATS_Q, this.statsHead, 0);
    this.statsHead = -1;
    this.finish(STATS_Q);
    return true;
  }

  private driverOk(): void {
    this.setUpQueues();
    this.log.push('driver ok');
  }

  /**
   * Each queue the driver enabled, into the core. Linux kicks the stats queue before DRIVER_OK
   * (virtballoon_probe), as QEMU allows; and v86 0.5 never calls on_driver_ok (its status write
   * compares the new status with itself), so a kick sets up the queues the driver has enabled.
   */
  private setUpQueues(): void {
    const v = this.virtio;
    const eventIdx = v.is_feature_negotiated(F_EVENT_IDX);
    const indirect = v.is_feature_negotiated(F_INDIRECT_DESC);
    v.queues.forEach((q, i) => {
      if (!q.enabled || this.setUp[i]) return;
      this.core.setupQueue(i, {
        size: q.size,
        desc: asGpa(q.desc_addr),
        avail: asGpa(q.avail_addr),
        used: asGpa(q.used_addr),
        eventIdx,
        indirect,
      });
      // The used ring is the device's: the core's copy is the one that counts from now on.
      this.toCore(q.used_addr, usedRingBytes(q.size) + 2);
      this.setUp[i] = true;
    });
  }

  /** What a driver's notification of queue q does (tests call it after writing a ring by hand). */
  kick(q: number): void {
    this.notify(q);
  }

  private notify(q: number): void {
    if (this.broken) return;
    this.resyncRings();
    this.setUpQueues();
    if (!this.setUp[q]) return;
    this.shadow(q);
    if (q === STATS_Q) {
      const head = this.core.statsPop(q);
      if (head >= 0) {
        this.statsHead = head;
        this.counts.statsBuffers++;
        const vq = VQ_BY_QUEUE_INDEX[q];
        const segs = this.core.elemSegments();
        const inNum = segs.filter((x) => x.write).length;
        const us = this.now();
        this.trace.pop(us, vq, traceElemId(vq, head), inNum, segs.length - inNum);
        this.tell({ us, kind: 'stats', text: 'stats buffer from the driver' });
        // The pop moved avail_event (in the used ring): the driver reads it to decide whether to kick
        // for its next buffer, so it goes to guest RAM now, not when the buffer goes back.
        this.fromCore(this.virtio.queues[q].used_addr, usedRingBytes(this.virtio.queues[q].size) + 2);
      } else if (head === RC_ERROR) this.error(q);
      return;
    }
    // One element at a time, as virtio_balloon_handle_output pops them, each traced as QEMU does.
    const vq = VQ_BY_QUEUE_INDEX[q];
    let handled = 0;
    for (;;) {
      const rc = this.core.balloonHandle(q, q === DEFLATE_Q, 1);
      if (rc === RC_ERROR) {
        this.error(q);
        return;
      }
      if (rc <= 0) break;
      handled++;
      const us = this.now();
      const segs = this.core.elemSegments();
      const read = segs.filter((x) => !x.write);
      const pfns = this.pfnsOf(read);
      this.trace.pop(us, vq, traceElemId(vq, this.lastHead(q)), segs.length - read.length, read.length);
      traceHandleOutput(this.trace, us, pfns, this.core.ramFrames);
      this.trace.flush(us, vq, 1);
      if (q === INFLATE_Q) this.zeroDiscarded(pfns);
      this.tell(
        {
          us,
          kind: q === INFLATE_Q ? 'inflate' : 'deflate',
          text: `${q === INFLATE_Q ? 'inflate' : 'deflate'} buffer: ${pfns.length} PFNs`,
          pfns: pfns.length,
        },
        pfns,
      );
    }
    if (q === INFLATE_Q) this.counts.inflateBuffers += handled;
    else this.counts.deflateBuffers += handled;
    this.finish(q);
  }

  /** The PFNs in an element's device-readable buffers (whole PFNs only, as QEMU reads them). */
  private pfnsOf(segs: { gpa: number; len: number }[]): Uint32Array {
    let n = 0;
    for (const x of segs) n += x.len >>> 2;
    const out = new Uint32Array(n);
    const w = this.core.window;
    const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
    let k = 0;
    for (const x of segs)
      for (let off = 0; off + 4 <= x.len; off += 4) out[k++] = view.getUint32(x.gpa + off, true);
    return out;
  }

  /** The head the core just pushed: the last entry of queue q's used ring. */
  private lastHead(q: number): number {
    const vq = this.virtio.queues[q];
    const w = this.core.window;
    const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
    const idx = view.getUint16(usedIdx(vq.used_addr), true);
    return view.getUint32(usedSlot(vq.used_addr, (idx - 1) & (vq.size - 1)), true);
  }

  /** The used ring back to guest RAM, then an interrupt if the driver wants one. */
  private finish(q: number): void {
    const vq = this.virtio.queues[q];
    this.fromCore(vq.used_addr, usedRingBytes(vq.size) + 2);
    if (this.core.needInterrupt(q)) this.virtio.raise_irq(ISR_QUEUE);
  }

  /** A malformed ring: DEVICE_NEEDS_RESET, as QEMU's virtio_error does on a VERSION_1 device. */
  private error(q: number): void {
    this.counts.errors++;
    const e = this.core.deviceError();
    this.log.push(`device error: ${e?.message ?? 'unknown'}`);
    const us = this.now();
    if (e) this.trace.deviceError(us, e.name, q, e.message);
    this.tell({
      us,
      kind: 'error',
      text: `device error: ${e?.message ?? 'unknown'}; DEVICE_NEEDS_RESET`,
    });
    this.broken = true;
    this.virtio.needs_reset();
  }

  /** Guest RAM of an inflate buffer's frames the host discarded reads as zeros (MADV_DONTNEED). */
  private zeroDiscarded(pfns: Uint32Array): void {
    const mem = this.cpu.mem8;
    const host = this.core.host;
    for (const f of pfns)
      if (f < host.length && host[f] === HOST_DISCARDED) mem.fill(0, f * PAGE_SIZE, (f + 1) * PAGE_SIZE);
  }

  /** Copies what queue q's ring names from guest RAM into the core's window. */
  private shadow(q: number): void {
    const vq = this.virtio.queues[q];
    if (!vq?.enabled) return;
    this.toCore(vq.desc_addr, descTableBytes(vq.size));
    this.toCore(vq.avail_addr, availRingBytes(vq.size));
    this.copyBuffers(vq.desc_addr, vq.size, true);
  }

  /** Every buffer a descriptor table names; one level of indirect tables. */
  private copyBuffers(table: number, n: number, direct: boolean): void {
    const mem = this.cpu.mem8;
    const view = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    for (let i = 0; i < n; i++) {
      const d = descAt(table, i);
      if (d + DESC_SIZE > mem.length) return;
      const addr = view.getUint32(d, true) + view.getUint32(descAddrHi(d), true) * 2 ** 32;
      const len = view.getUint32(descLen(d), true);
      const flags = view.getUint16(descFlags(d), true);
      this.toCore(addr, Math.min(len, MAX_COPY));
      if (direct && flags & VRING_DESC_F_INDIRECT) {
        this.copyBuffers(addr, Math.min(Math.floor(len / DESC_SIZE), 1024), false);
      }
    }
  }

  private toCore(gpa: number, len: number): void {
    const mem = this.cpu.mem8;
    if (!(gpa >= 0 && gpa < mem.length && len > 0)) return;
    const end = Math.min(mem.length, gpa + len);
    this.core.window.set(mem.subarray(gpa, end), gpa);
  }

  private fromCore(gpa: number, len: number): void {
    const mem = this.cpu.mem8;
    if (!(gpa >= 0 && gpa < mem.length && len > 0)) return;
    const end = Math.min(mem.length, gpa + len);
    mem.set(this.core.window.subarray(gpa, end), gpa);
  }
}
