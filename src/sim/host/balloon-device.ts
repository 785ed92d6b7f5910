// The host side: virtio-balloon as QEMU 7.2 runs it (hw/virtio/virtio-balloon.c, softmmu/balloon.c).
// QMP `balloon` sets the guest's logical size; the device turns it into num_pages in the config space
// and raises a config interrupt; inflate/deflate buffers are walked and decoded by the core, which
// discards (or hints back) host backing; a stats timer asks for fresh guest stats by returning the one
// stats buffer the device holds. Every step leaves the trace lines QEMU's `-trace` would print.

import { HOST_RESIDENT } from '../../core/abi.ts';
import { type BalloonCore, RC_BROKEN, RC_ERROR } from '../../core/core.ts';
import {
  availIdx,
  availSlot,
  descAddrHi,
  descAt,
  descFlags,
  descLen,
  usedIdx,
  usedSlot,
} from '../../core/ring-layout.ts';
import { asGpa } from '../../core/units.ts';
import type { Costs } from '../costs.ts';
import type { EventBus, QueueName } from '../events.ts';
import { QMP_BALLOON_NOT_A_SIZE, QMP_NO_BALLOON } from '../inputs.ts';
import type { PrngState } from '../prng.ts';
import type { Scheduler } from '../sched.ts';
import { qemuMsTimerDelayUs } from '../timing.ts';
import { traceElemId, VQ_BY_QUEUE_INDEX } from '../trace-format.ts';
import type { TraceRecorder } from '../trace-recorder.ts';
import { bit, hasFeature, VIRTIO_BALLOON_F_STATS_VQ, VIRTIO_F_VERSION_1 } from '../virtio/features.ts';
import type { DeviceModel, VirtioTransport } from '../virtio/transport.ts';

export const INFLATE_Q = 0;
export const DEFLATE_Q = 1;
export const STATS_Q = 2;

/** QEMU's names for the stats tags it knows (qom-get guest-stats). */
export const QEMU_STAT_NAMES = [
  'stat-swap-in',
  'stat-swap-out',
  'stat-major-faults',
  'stat-minor-faults',
  'stat-free-memory',
  'stat-total-memory',
  'stat-available-memory',
  'stat-disk-caches',
  'stat-htlb-pgalloc',
  'stat-htlb-pgfail',
] as const;

export interface GuestStats {
  stats: Record<(typeof QEMU_STAT_NAMES)[number], number>;
  /** Seconds of virtual time when the guest last answered; 0 if never. */
  'last-update': number;
}

/** The most PFNs the core gathers into runs at once (its scratch holds 8,192 runs). */
const PFN_RUNS_AT_ONCE = 8192;

const QUEUE_NAMES: readonly QueueName[] = ['inflate', 'deflate', 'stats'];

export class BalloonDevice implements DeviceModel {
  readonly hostFeatures: bigint;
  /** Target size of the balloon in 4 KiB pages (config num_pages). */
  numPages = 0;
  /** What the guest last wrote to config `actual`. */
  actual = 0;
  private statsPollIntervalS = 0;
  private statsTimer: number | null = null;
  private statsElem: number | null = null;
  private statsLastUpdateUs = 0;
  private guestStatsNow: Readonly<GuestStats> | null = null;
  private warnedHostPage = false;
  /** Unrealized (device_del): QMP finds no balloon device, the stats timer is gone. */
  private removed = false;
  /** Per queue: the host is working through its buffers (no Set: it is flipped twice a batch). */
  private readonly busy: boolean[] = [false, false, false];

  constructor(
    private readonly sched: Scheduler,
    private readonly core: BalloonCore,
    private readonly transport: VirtioTransport,
    private readonly trace: TraceRecorder,
    private readonly costs: Costs,
    private readonly ramBytes: number,
    offered: bigint,
    /** Where the device tells what it did (events.ts): pops, pushes, `actual`, errors, warnings. */
    private readonly events: EventBus,
    /** The simulation's PRNG: when QEMU's main loop gets to an expired timer (timing.ts). */
    private readonly prng: PrngState,
  ) {
    // QEMU always offers STATS_VQ; the scenario decides the rest.
    this.hostFeatures = offered;
  }

  // ── QMP ────────────────────────────────────────────────────────────────────────────────────────

  /** QMP `balloon {value}`: the guest's logical size in bytes. Returns an error message or null. */
  balloon(value: number): string | null {
    // QMP's `value` is an int64; the lab keeps it exact, so below 2⁵³ (inputs.ts).
    if (!Number.isSafeInteger(value)) return `Invalid parameter type for 'value', expected: integer`;
    if (this.removed) return QMP_NO_BALLOON; // qmp_balloon: have_balloon() first
    if (value <= 0) return QMP_BALLOON_NOT_A_SIZE;
    this.trace.balloonEvent(this.sched.now, value);
    this.toTarget(value);
    return null;
  }

  /** virtio_balloon_to_target: clamp to RAM, set num_pages, raise the config interrupt. */
  private toTarget(target: number): void {
    const t = Math.min(target, this.ramBytes);
    if (t) {
      this.numPages = Math.floor((this.ramBytes - t) / 4096);
      this.transport.notifyConfig();
    }
    this.trace.toTarget(this.sched.now, t, this.numPages);
    this.events.emit('target', { targetBytes: t, numPages: this.numPages });
  }

  /** QMP `query-balloon`: the guest's logical size as the host sees it, in bytes, or QEMU's error. */
  queryBalloon(): { actual: number } | { error: string } {
    if (this.removed) return { error: QMP_NO_BALLOON };
    return { actual: this.ramBytes - this.actual * 4096 };
  }

  /**
   * virtio_balloon_device_unrealize, when the unplugged device goes: balloon_stats_destroy_timer (the
   * timer stops and the interval reads 0) and qemu_remove_balloon_handler (QMP finds no balloon).
   */
  unrealize(): void {
    this.cancelStatsTimer();
    if (this.statsPollIntervalS !== 0) {
      this.statsPollIntervalS = 0;
      this.events.emit('stats-interval', { seconds: 0 });
    }
    this.removed = true;
  }

  /** qom-set guest-stats-polling-interval. Returns an error message or null. */
  setStatsPollingInterval(seconds: number): string | null {
    if (!Number.isInteger(seconds) || seconds < 0) return 'timer value must be greater than zero';
    if (seconds > 0xffffffff) return 'timer value is too big';
    if (seconds === this.statsPollIntervalS) return null;
    const enabled = this.statsPollIntervalS > 0;
    this.statsPollIntervalS = seconds;
    this.events.emit('stats-interval', { seconds });
    if (seconds === 0) {
      this.cancelStatsTimer(); // balloon_stats_destroy_timer
      return null;
    }
    // balloon_stats_set_poll_interval: a change of interval re-arms the timer at now + interval,
    // whether it was waiting or not (the guest may still owe an answer); a new timer fires at once.
    this.armStatsTimer(enabled ? seconds : 0);
    return null;
  }

  get statsPollingInterval(): number {
    return this.statsPollIntervalS;
  }

  /** qom-get guest-stats: the last value of each stat, -1 for a stat the guest never sent. */
  guestStats(): GuestStats {
    // Read once per change, not per call: the plots sample it after every batch. It changes only
    // when the guest answers (receiveStats) or the device resets (the core forgets the stats).
    if (this.guestStatsNow === null) {
      const values = this.core.stats();
      const stats = {} as GuestStats['stats'];
      QEMU_STAT_NAMES.forEach((name, tag) => {
        const v = values[tag];
        stats[name] = v === undefined ? -1 : Number(v);
      });
      this.guestStatsNow = { stats, 'last-update': Math.floor(this.statsLastUpdateUs / 1e6) };
    }
    return this.guestStatsNow;
  }

  /** The guest RAM the host backs right now (the VM's RSS, less QEMU's own memory), in bytes. */
  hostRss(): number {
    return this.core.hostCounts()[HOST_RESIDENT] * 4096;
  }

  /** True while a stats buffer is held (the guest owes nothing). */
  get holdingStats(): boolean {
    return this.statsElem !== null;
  }

  // ── DeviceModel: what the transport calls ──────────────────────────────────────────────────────

  getConfig(config: DataView): void {
    config.setUint32(0, this.numPages, true);
    config.setUint32(4, this.actual, true);
    this.trace.getConfig(this.sched.now, this.numPages, this.actual);
  }

  setConfig(config: DataView): void {
    const old = this.actual;
    this.actual = config.getUint32(4, true);
    this.trace.setConfig(this.sched.now, this.actual, old);
    this.events.emit('actual', { actual: this.actual, old });
  }

  setStatus(status: number): void {
    void status;
  }

  /**
   * virtio_balloon_device_reset: the held stats element is given up (unpopped); num_pages, actual and
   * the last stats stay as they were (the core keeps the stats too).
   */
  reset(): void {
    this.statsElem = null;
    this.busy.fill(false);
  }

  handleOutput(q: number): void {
    if (q === STATS_Q && hasFeature(this.transport.guestFeatures, VIRTIO_BALLOON_F_STATS_VQ)) {
      this.receiveStats();
      return;
    }
    if (q === INFLATE_Q || q === DEFLATE_Q) this.handleBalloon(q);
  }

  // ── Inflate and deflate ────────────────────────────────────────────────────────────────────────

  /**
   * virtio_balloon_handle_output: every available element in turn. The host's work takes virtual time
   * (madvise per 4 KiB PFN), and the guest must not see the buffer used before that time is up, so the
   * core pops, walks, decodes and pushes the element when the work is done. The trace still shows the
   * pop and the PFNs at kick time, as QEMU prints them, read from guest memory by peeking at the
   * next available buffer; a chain too odd to peek at is traced when the core walks it.
   */
  private handleBalloon(q: number): void {
    if (this.busy[q] || this.core.pending(q) === 0) return;
    this.busy[q] = true;
    const deflate = q === DEFLATE_Q;
    const vq = VQ_BY_QUEUE_INDEX[q];
    const peek = this.peekNext(q);
    const nPfns = peek ? this.peekCount : 0;
    if (peek) {
      const head = this.peekHead;
      this.trace.pop(this.sched.now, vq, traceElemId(vq, head), 0, 1);
      this.traceRuns(this.peekGpa, nPfns);
      this.events.emit('buffer-popped', { queue: QUEUE_NAMES[q], head, pfns: nPfns });
    }
    const cost =
      this.costs.kickUs + nPfns * (deflate ? this.costs.hostDeflatePfnUs : this.costs.hostInflatePfnUs);
    this.sched.after(cost, () => {
      const handled = this.core.balloonHandle(q, deflate, 1);
      if (handled < 0) {
        this.busy[q] = false;
        if (handled === RC_ERROR) this.raiseError(q);
        return;
      }
      if (handled === 1 && !peek) {
        // The element's device-readable buffers, as QEMU reads them, one after another.
        const head = this.lastHead(q);
        this.tracePop(vq, head);
        let pfns = 0;
        for (const seg of this.core.elemSegments()) {
          if (seg.write) continue;
          this.traceRuns(seg.gpa, seg.len >>> 2);
          pfns += seg.len >>> 2;
        }
        this.events.emit('buffer-popped', { queue: QUEUE_NAMES[q], head, pfns });
      }
      if (handled === 1) {
        if (!deflate && this.core.hostPageFrames > 1 && !this.warnedHostPage) {
          this.warnedHostPage = true;
          this.events.emit('warning', {
            message: 'Balloon used with backing page size > 4kiB, this may not be reliable',
          });
        }
        this.trace.flush(this.sched.now, vq, 1);
        this.events.emit('used-push', { queue: QUEUE_NAMES[q] });
        this.transport.notifyQueue(q);
      }
      this.busy[q] = false;
      this.handleBalloon(q); // more buffers may have come while the host was busy
    });
  }

  // What peekNext() found: the head, and peekCount PFNs at peekGpa.
  private peekHead = 0;
  private peekGpa = asGpa(0);
  private peekCount = 0;

  /**
   * Whether the next available buffer is one plain readable descriptor inside guest memory; if so,
   * it is in peekHead, peekGpa and peekCount.
   */
  private peekNext(q: number): boolean {
    const { core } = this;
    const size = core.queueSize(q);
    if (size === 0) return false;
    const avail = core.queueRingGpa(q, 'avail');
    const lastAvail = core.queueLastAvail(q);
    const availIndex = core.readU16(availIdx(avail));
    if (((availIndex - lastAvail) & 0xffff) > size) return false;
    const head = core.readU16(availSlot(avail, lastAvail & (size - 1)));
    if (head >= size) return false;
    const d = descAt(core.queueRingGpa(q, 'desc'), head);
    const addr = core.readU32(d) + core.readU32(descAddrHi(d)) * 2 ** 32;
    const len = core.readU32(descLen(d));
    const flags = core.readU16(descFlags(d));
    const base = core.windowGpa;
    if (flags !== 0 || len === 0 || len % 4 !== 0 || !core.inWindow(addr, len) || (addr - base) % 4 !== 0)
      return false;
    this.peekHead = head;
    this.peekGpa = asGpa(addr);
    this.peekCount = len / 4;
    return true;
  }

  /** virtqueue_pop's trace line for the element the core just popped: its in_num and out_num. */
  private tracePop(vq: number, head: number, us = this.sched.now): void {
    const segs = this.core.elemSegments();
    let inNum = 0;
    for (const s of segs) if (s.write) inNum++;
    this.trace.pop(us, vq, traceElemId(vq, head), inNum, segs.length - inNum);
  }

  /**
   * handle_output's trace lines for n PFNs at `gpa`, as runs the core gathers (two a load), 8,192 PFNs
   * at a time at most: a longer buffer is several records of one moment, which print as one.
   */
  private traceRuns(gpa: number, n: number): void {
    for (let at = 0; this.trace.recording && at < n; at += PFN_RUNS_AT_ONCE) {
      const nRuns = this.core.pfnRuns(asGpa(gpa + at * 4), Math.min(PFN_RUNS_AT_ONCE, n - at));
      this.trace.handleOutputRuns(
        this.sched.now,
        this.core.pfnRunPairs,
        Math.max(0, nRuns),
        this.core.ramFrames,
      );
    }
  }

  /** The head the core just pushed: the last entry of the used ring. */
  private lastHead(q: number): number {
    const ring = this.usedRing(q);
    const used = asGpa(ring.used);
    const idx = this.core.readU16(usedIdx(used));
    return this.core.readU32(usedSlot(used, (idx - 1) & (ring.size - 1)));
  }

  /** Where the guest put queue q's rings (the transport registers; read back from the core). */
  usedRing: (q: number) => { used: number; size: number } = () => {
    throw new Error('BalloonDevice.usedRing is not connected');
  };

  private raiseError(q: number): void {
    const err = this.core.deviceError();
    if (!err) return;
    this.trace.deviceError(this.sched.now, err.name, q, err.message);
    this.events.emit('device-error', { kind: err.name, message: err.message, queue: q });
    // virtio_error: only with VERSION_1 negotiated is DEVICE_NEEDS_RESET set (the core did) and the
    // driver told by a config interrupt; either way the device does nothing more until it is reset.
    if (hasFeature(this.transport.guestFeatures, VIRTIO_F_VERSION_1)) this.transport.notifyConfig();
  }

  // ── Stats ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * virtio_balloon_receive_stats, once per kick: pops one element (a second buffer the driver added
   * waits for the next kick). A buffer while one is held is "never" meant to happen: QEMU gives the
   * held one back, silently. Every stat is unset before the new buffer is parsed (the core does it).
   * Whether or not there was a buffer, the timer is re-armed if polling is on.
   */
  private receiveStats(): void {
    const vq = VQ_BY_QUEUE_INDEX[STATS_Q];
    const popAt = this.sched.now;
    const head = this.core.statsPop(STATS_Q);
    if (head === RC_ERROR) {
      this.guestStatsNow = null;
      this.raiseError(STATS_Q);
      return;
    }
    // A broken device: virtio_queue_notify does not call the handler at all (no pop, no re-arm).
    if (head === RC_BROKEN) return;
    if (head >= 0) {
      this.tracePop(vq, head, popAt);
      this.events.emit('buffer-popped', { queue: 'stats', head, pfns: 0 });
      if (this.statsElem !== null) {
        this.core.push(STATS_Q, this.statsElem, 0);
        this.trace.flush(this.sched.now, vq, 1);
        this.events.emit('used-push', { queue: 'stats' });
        this.transport.notifyQueue(STATS_Q);
      }
      this.statsElem = head;
      this.statsLastUpdateUs = this.sched.now;
      this.guestStatsNow = null; // the core has parsed the buffer
      this.events.emit('stats-received', {});
    }
    if (this.statsPollIntervalS > 0) this.armStatsTimer(this.statsPollIntervalS);
  }

  /** balloon_stats_change_timer: timer_mod(now in whole ms + seconds), run when the main loop gets to it. */
  private armStatsTimer(seconds: number): void {
    this.cancelStatsTimer();
    const delay = qemuMsTimerDelayUs(this.prng, this.sched.now, seconds);
    this.statsTimer = this.sched.after(delay, () => this.statsPoll());
  }

  private cancelStatsTimer(): void {
    if (this.statsTimer !== null) this.sched.cancel(this.statsTimer);
    this.statsTimer = null;
  }

  /** balloon_stats_poll_cb: give the held buffer back, asking the guest for fresh stats. */
  private statsPoll(): void {
    this.statsTimer = null;
    // QEMU asks only whether it holds a buffer and the guest negotiated STATS_VQ (a reset gives the
    // held buffer up and clears the guest's features, so a device being set up has neither).
    if (this.statsElem === null || !hasFeature(this.transport.guestFeatures, VIRTIO_BALLOON_F_STATS_VQ)) {
      this.armStatsTimer(this.statsPollIntervalS); // nothing to ask with yet: try again next period
      return;
    }
    if (this.core.push(STATS_Q, this.statsElem, 0) < 0) return; // a broken device answers nothing
    this.statsElem = null;
    this.trace.flush(this.sched.now, VQ_BY_QUEUE_INDEX[STATS_Q], 1);
    this.events.emit('used-push', { queue: 'stats' });
    this.transport.notifyQueue(STATS_Q);
  }
}

/** What QEMU's virtio-balloon offers: STATS_VQ always, plus the scenario's features. */
export function qemuOffer(features: bigint): bigint {
  return features | bit(VIRTIO_BALLOON_F_STATS_VQ);
}
