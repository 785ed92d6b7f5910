// One virtual machine, simulated: the guest kernel and the seed's balloon driver on it, the virtio
// transport, and QEMU's balloon device on the host, all on one virtual clock. A scenario's steps are
// the operator's commands (QMP) and the guest's own doings (workloads, compaction, suspend). Same
// scenario, same seed ⇒ the same run, event for event, in Node and in the browser.
import {
  FRAME_BALLOON,
  FRAME_DEFLATING,
  FRAME_INFLATING,
  FRAME_ISOLATED,
  HOST_DISCARDED,
} from '../core/abi.ts';
import type { BalloonCore } from '../core/core.ts';
import { asGpa } from '../core/units.ts';
import { secondsToUs } from './clock.ts';
import { type Costs, defaultCosts } from './costs.ts';
import { type DriverFunction, SEED_FUNCTIONS } from './driver/seed-map.ts';
import { VirtioBalloon, virtioDevProbe } from './driver/virtio_balloon.ts';
import { balloonMm } from './guest/balloon-mm.ts';
import { GuestKernel } from './guest/kernel.ts';
import { BalloonDevice, QEMU_STAT_NAMES, qemuOffer } from './host/balloon-device.ts';
import { balloonBytes, workloadPages } from './inputs.ts';
import { KernelLog } from './klog.ts';
import { createPrng, type PrngState } from './prng.ts';
import { BALLOON_FEATURE_BITS, type Scenario } from './scenario.ts';
import type { Step } from './scenario-steps.ts';
import { Scheduler, type Task, WaitQueue, Workqueue, waitEvent } from './sched.ts';
import { NullTraceRecorder, TraceRecorder } from './trace-recorder.ts';
import { WindowAllocator } from './virtio/dma.ts';
import {
  bit,
  featureList,
  statusNames,
  VIRTIO_CONFIG_S_ACKNOWLEDGE,
  VIRTIO_F_VERSION_1,
} from './virtio/features.ts';
import { VirtioTransport } from './virtio/transport.ts';

export type TimelineKind =
  | 'boot'
  | 'target'
  | 'stats-interval'
  | 'workload'
  | 'free'
  | 'compact'
  | 'freeze'
  | 'restore'
  | 'unplug'
  | 'fault'
  | 'out-of-puff'
  | 'oom'
  | 'oom-deflate'
  | 'oom-kill'
  | 'error'
  | 'warning'
  | 'end';

export interface TimelineEvent {
  us: number;
  kind: TimelineKind;
  label: string;
}

export interface DriverCall {
  us: number;
  fn: DriverFunction;
  /**
   * What the port passed with the call ("num=256", "inflate 256 pfns"), or, for a moment inside a
   * function worth a line of its own, what happened: fill_balloon running out of puff is
   * "Out of puff! Can't get 1 pages; msleep(200)".
   */
  detail?: string;
}

/** Values over virtual time for the plots: one sample whenever something they show changes. */
export interface Series {
  us: number[];
  /** The device's target and the guest's actual, in 4 KiB pages. */
  numPages: number[];
  actual: number[];
  /** Bytes. */
  hostRss: number[];
  memFree: number[];
  memAvailable: number[];
  cached: number[];
  // The guest's stats as the host last received them (qom-get guest-stats), one array per tag, in
  // STAT_SERIES order. Bytes, but the fault counters are counts; −1: the guest never sent the tag.
  statSwapIn: number[];
  statSwapOut: number[];
  statMajorFaults: number[];
  statMinorFaults: number[];
  statFreeMemory: number[];
  statTotalMemory: number[];
  statAvailableMemory: number[];
  statDiskCaches: number[];
}

/** The series of each stats tag, by tag: VIRTIO_BALLOON_S_SWAP_IN (0) … VIRTIO_BALLOON_S_CACHES (7). */
export const STAT_SERIES = [
  'statSwapIn',
  'statSwapOut',
  'statMajorFaults',
  'statMinorFaults',
  'statFreeMemory',
  'statTotalMemory',
  'statAvailableMemory',
  'statDiskCaches',
] as const satisfies readonly (keyof Series)[];

/** A Series without a point yet. */
export function emptySeries(): Series {
  return {
    us: [],
    numPages: [],
    actual: [],
    hostRss: [],
    memFree: [],
    memAvailable: [],
    cached: [],
    statSwapIn: [],
    statSwapOut: [],
    statMajorFaults: [],
    statMinorFaults: [],
    statFreeMemory: [],
    statTotalMemory: [],
    statAvailableMemory: [],
    statDiskCaches: [],
  };
}

export interface SimOptions {
  costs?: Partial<Costs>;
  /** Record every driver function call (for the driver view); off for benchmarks. */
  recordCalls?: boolean;
  /** Record the QEMU-format trace (on by default). */
  trace?: boolean;
  /** Sample the plots' series (on by default). */
  series?: boolean;
}

const MiB = 1024 * 1024;

/** The backed window's size in frames for this queue size: rings of three queues, pfns[], stats[]. */
function windowFramesFor(queueSize: number): number {
  const perQueue = ((queueSize * 18 + 6 + 4095) & ~4095) + queueSize * 8 + 6 + 4096;
  const bytes = 3 * perQueue + 8192;
  return Math.ceil(bytes / 65536) * 16; // whole 64 KiB, so any guest page size divides it
}

export class Simulation {
  readonly sched = new Scheduler();
  /** The guest kernel's log (dmesg). */
  readonly log: KernelLog;
  /** What QEMU prints on its own stderr (warnings): the host's messages, not the guest's. */
  readonly hostLog: KernelLog;
  readonly trace: TraceRecorder;
  readonly kernel: GuestKernel;
  readonly transport: VirtioTransport;
  readonly device: BalloonDevice;
  readonly vb: VirtioBalloon;
  readonly wq: Workqueue;
  readonly timeline: TimelineEvent[] = [];
  readonly calls: DriverCall[] = [];
  readonly prng: PrngState;
  readonly costs: Costs;
  readonly ramBytes: number;
  readonly endUs: number;
  /** The logical size the operator last asked for (QMP balloon), in bytes; null before any. */
  target: number | null = null;
  readonly errors: { us: number; kind: string; message: string }[] = [];
  frozen = false;
  unplugged = false;
  readonly counters = { inflateBatches: 0, deflateBatches: 0, statsAnswers: 0, outOfPuff: 0 };
  readonly series: Series = emptySeries();
  private readonly sampling: boolean;
  private readonly recordCalls: boolean;

  constructor(
    readonly scenario: Scenario,
    readonly core: BalloonCore,
    opts: SimOptions = {},
  ) {
    const { guest, device } = scenario;
    this.costs = { ...defaultCosts, ...opts.costs };
    this.sampling = opts.series ?? true;
    this.recordCalls = opts.recordCalls ?? true;
    this.prng = createPrng(scenario.seed);
    const ramFrames = guest.memoryMiB * 256;
    this.ramBytes = guest.memoryMiB * MiB;
    const windowFrames = windowFramesFor(device.queueSize);
    const windowFrame = ramFrames - windowFrames;
    core.init({ ramFrames, hostPageFrames: device.hostPageKiB / 4, windowFrame, windowFrames });

    const now = () => this.sched.now;
    this.log = new KernelLog(now);
    this.hostLog = new KernelLog(now);
    this.trace = opts.trace === false ? new NullTraceRecorder() : new TraceRecorder();
    this.trace.comment(`Balloon Lab: ${scenario.name} (seed ${scenario.seed})`);
    this.kernel = new GuestKernel(
      core,
      this.sched,
      { ramFrames, pageKiB: guest.pageKiB, swapMiB: guest.swapMiB, windowFrame, windowFrames },
      this.log,
      this.costs,
    );
    this.transport = new VirtioTransport(this.sched, core, this.costs);

    let offered = 0n;
    for (const f of device.features) offered |= bit(BALLOON_FEATURE_BITS[f]);
    offered = qemuOffer(offered) | bit(28) | bit(29);
    if (!device.legacy) offered |= bit(VIRTIO_F_VERSION_1);
    this.device = new BalloonDevice(
      this.sched,
      core,
      this.transport,
      this.trace,
      this.costs,
      this.ramBytes,
      offered,
      {
        balloonChange: () => this.sample(),
        statsReceived: () => this.sample(),
        deviceError: (name, message) => {
          this.errors.push({ us: now(), kind: name, message });
          this.mark('error', `device error: ${message}`);
        },
        warning: (message) => {
          this.hostLog.log(`qemu-system-x86_64: warning: ${message}`, 'warn');
          this.trace.custom(this.sched.now, 'host_log', { level: 'warn', text: `warning: ${message}` });
          this.mark('warning', message);
        },
      },
    );
    this.device.usedRing = (q) => {
      const vq = [this.vb.inflate_vq, this.vb.deflate_vq, this.vb.stats_vq][q];
      if (!vq) throw new Error(`queue ${q} is not set up`);
      return { used: vq.ring.used, size: vq.ring.size };
    };
    this.transport.device = this.device;
    this.wq = new Workqueue(this.sched, 'events_freezable', this.costs.workqueueUs);

    const mem = new WindowAllocator(asGpa(windowFrame * 4096), windowFrames * 4096);
    this.vb = new VirtioBalloon({
      sched: this.sched,
      core,
      transport: this.transport,
      mm: balloonMm(this.kernel),
      wq: this.wq,
      mem,
      log: this.log,
      costs: this.costs,
      queueSize: device.queueSize,
      hooks: {
        details: this.recordCalls,
        tellHost: (vq) => {
          if (vq === 'inflate') this.counters.inflateBatches++;
          else if (vq === 'deflate') this.counters.deflateBatches++;
        },
        enter: (fn, detail) => {
          if (this.recordCalls)
            this.calls.push(detail === undefined ? { us: now(), fn } : { us: now(), fn, detail });
          if (fn === 'stats_handle_request') {
            this.counters.statsAnswers++;
            this.sample();
          }
          if (fn === 'virtballoon_oom_notify' && this.vb.has_deflate_on_oom()) {
            const last = this.timeline.at(-1);
            if (last?.kind !== 'oom-deflate' || now() - last.us > 100_000) {
              this.mark(
                'oom-deflate',
                'out of memory: the OOM notifier deflates the balloon (256 pages at a time)',
              );
            }
          }
        },
      },
    });
    this.transport.driver = {
      configChanged: () => {
        if (this.vb.bound) this.vb.virtballoon_changed();
      },
      vringInterrupt: (q) => {
        const vq = [this.vb.inflate_vq, this.vb.deflate_vq, this.vb.stats_vq][q];
        vq?.callback?.(vq);
      },
    };
    this.watchLog();

    // Boot: the driver binds to the device; the operator's polling interval comes with the VM.
    this.mark('boot', `boot: ${guest.memoryMiB} MiB guest, ${guest.pageKiB} KiB pages`);
    virtioDevProbe(this.vb, this.transport, this.log);
    if (device.statsPollingIntervalS > 0) this.device.setStatsPollingInterval(device.statsPollingIntervalS);

    const last = scenario.steps.at(-1);
    const endStep = scenario.steps.find((s) => s.do === 'end');
    this.endUs = secondsToUs(endStep ? endStep.at : (last?.at ?? 0) + 30);
    for (const step of scenario.steps) this.sched.at(secondsToUs(step.at), () => this.runStep(step));
  }

  private mark(kind: TimelineKind, label: string): void {
    this.timeline.push({ us: this.sched.now, kind, label });
    this.sample();
  }

  /** One point of every series, now (a point at the same time replaces the last one). */
  private sample(): void {
    if (!this.sampling || !this.kernel) return;
    const s = this.series;
    const now = this.sched.now;
    if (s.us.at(-1) === now) for (const a of Object.values(s)) a.pop();
    const mi = this.kernel.meminfo();
    s.us.push(now);
    s.numPages.push(this.device.numPages);
    s.actual.push(this.device.actual);
    s.hostRss.push(this.device.hostRss());
    s.memFree.push(mi.MemFree);
    s.memAvailable.push(mi.MemAvailable);
    s.cached.push(mi.Cached);
    const { stats } = this.device.guestStats();
    for (let tag = 0; tag < STAT_SERIES.length; tag++) s[STAT_SERIES[tag]].push(stats[QEMU_STAT_NAMES[tag]]);
  }

  /** Kernel log lines that deserve a marker on the timeline. */
  private watchLog(): void {
    const lines = this.log.lines;
    const push = lines.push.bind(lines);
    lines.push = (...items) => {
      for (const line of items) {
        if (line.text.includes('Out of puff')) {
          this.counters.outOfPuff++;
          if (this.counters.outOfPuff === 1 || this.timeline.at(-1)?.kind !== 'out-of-puff') {
            this.mark('out-of-puff', 'Out of puff! (the guest has no free page to give)');
          }
        } else if (line.text.startsWith('Out of memory')) this.mark('oom', line.text);
        else if (line.text.startsWith('Killed process')) this.mark('oom-kill', line.text);
        if (line.level !== 'info')
          this.trace.custom(line.us, 'guest_log', { level: line.level, text: line.text });
      }
      return push(...items);
    };
  }

  private spawn(name: string, task: Task): void {
    this.sched.spawn(name, task);
  }

  /** Schedules one more step (an operator's action in the app); it runs at its `at`, never earlier than now. */
  addStep(step: Step): void {
    this.sched.at(secondsToUs(step.at), () => this.runStep(step));
  }

  private runStep(step: Step): void {
    switch (step.do) {
      case 'balloon': {
        this.target = balloonBytes(step.MiB);
        const err = this.device.balloon(this.target);
        this.mark('target', err ?? `balloon ${step.MiB} MiB (logical size)`);
        break;
      }
      case 'stats-interval': {
        const err = this.device.setStatsPollingInterval(step.s);
        this.mark('stats-interval', err ?? `stats polling every ${step.s} s`);
        break;
      }
      case 'workload':
        this.mark('workload', `${step.kind} workload "${step.name}": ${step.MiB} MiB`);
        this.spawn(
          `workload ${step.name}`,
          this.kernel.startWorkload(
            step.name,
            step.kind,
            workloadPages(step.MiB, this.scenario.guest.pageKiB),
          ),
        );
        break;
      case 'free':
        this.mark('free', `free workload "${step.name}"`);
        this.kernel.freeWorkload(step.name);
        break;
      case 'compact':
        this.mark('compact', 'compaction (echo 1 > /proc/sys/vm/compact_memory)');
        this.spawn('compaction', this.kernel.compactMemory());
        break;
      case 'freeze':
        this.mark('freeze', 'suspend: the balloon gives everything back');
        this.frozen = true;
        this.spawn('pm: freeze', this.suspend());
        break;
      case 'restore':
        this.mark('restore', 'resume: the balloon inflates again');
        this.spawn('pm: restore', this.resume());
        break;
      case 'unplug':
        this.mark('unplug', 'device unplugged: the driver deflates and lets go');
        this.unplugged = true;
        this.spawn('unplug', this.unplug());
        break;
      case 'fault':
        this.mark('fault', `fault: ${step.kind} on the next buffer`);
        this.vb.pendingFault = step.kind;
        this.trace.custom(this.sched.now, 'fault', { kind: step.kind });
        break;
      case 'end':
        this.mark('end', 'end');
        break;
    }
  }

  /** virtio_device_restore: reset, renegotiate, then the driver's restore; the workqueue thaws. */
  private restore(): void {
    const t = this.transport;
    const features = t.driverFeatures;
    t.reset();
    t.setStatus(VIRTIO_CONFIG_S_ACKNOWLEDGE);
    t.setStatus(t.getStatus() | 2);
    t.setGuestFeatures(features);
    if (t.isModern()) t.setStatus(t.getStatus() | 8);
    this.vb.virtballoon_restore();
    this.wq.thaw([this.vb.update_balloon_size_work, this.vb.update_balloon_stats_work]);
  }

  /** The PM core freezes the freezable workqueue (letting running work finish), then the driver. */
  private *suspend(): Task {
    this.suspending = true;
    yield* this.wq.freezeSync([this.vb.update_balloon_size_work, this.vb.update_balloon_stats_work]);
    yield* this.vb.virtballoon_freeze();
    this.suspending = false;
    this.sched.wakeUp(this.pm);
  }

  /** Resume waits for a suspend still in progress: the PM core never runs the two at once. */
  private *resume(): Task {
    yield* waitEvent(this.pm, () => !this.suspending);
    this.frozen = false;
    this.restore();
  }

  private suspending = false;
  private readonly pm = new WaitQueue('pm');

  private *unplug(): Task {
    yield* this.vb.virtballoon_remove();
    // virtio_dev_remove: the driver reset the device; acknowledge its existence again.
    this.transport.setStatus(VIRTIO_CONFIG_S_ACKNOWLEDGE);
  }

  get nowUs(): number {
    return this.sched.now;
  }

  /** Runs the simulation to virtual time `us` (not past the scenario's end). */
  runUntilUs(us: number): void {
    this.sched.runUntil(Math.min(us, this.endUs));
  }

  runToEnd(): void {
    this.runUntilUs(this.endUs);
  }

  /** Runs one event; false at the end. */
  step(): boolean {
    const t = this.sched.nextTime();
    if (t === undefined || t > this.endUs) return false;
    return this.sched.step();
  }

  /** What is wrong with the state right now (empty when every invariant holds). */
  checkInvariants(): string[] {
    const problems = this.kernel.checkInvariants({ pagesInHand: 0 });
    const { core, vb } = this;
    const ppp = this.scenario.guest.pageKiB / 4;
    const inBalloon =
      core.stateCount(FRAME_BALLOON) +
      core.stateCount(FRAME_INFLATING) +
      core.stateCount(FRAME_DEFLATING) +
      core.stateCount(FRAME_ISOLATED);
    // num_pages counts pages on the list; a deflate in flight has taken its pages off already.
    const listed =
      inBalloon - core.stateCount(FRAME_DEFLATING) - core.stateCount(FRAME_ISOLATED) - vb.pagesInHand * ppp;
    const isolated = core.stateCount(FRAME_ISOLATED);
    if (vb.num_pages !== listed && vb.num_pages !== listed + isolated) {
      problems.push(
        `num_pages ${vb.num_pages} ≠ balloon pages on the list × PAGES_PER_PAGE (${listed} frames)`,
      );
    }
    if (vb.num_pages % ppp !== 0)
      problems.push(`num_pages ${vb.num_pages} is not a whole number of kernel pages`);
    if (this.device.actual > vb.num_pages && vb.num_pfns === 0) {
      problems.push(`actual ${this.device.actual} above num_pages ${vb.num_pages}`);
    }
    // The host discards only what the guest ballooned (with 4 KiB host pages, exactly that).
    if (core.hostPageFrames === 1) {
      const discarded = core.hostCounts()[HOST_DISCARDED];
      const hidden = new Set(vb.clobberedPfns);
      let notBalloon = 0;
      for (let f = 0; f < core.ramFrames; f++) {
        if (core.host[f] === HOST_DISCARDED && !hidden.has(f)) {
          const s = core.frames[f];
          if (s !== FRAME_BALLOON && s !== FRAME_INFLATING && s !== FRAME_DEFLATING && s !== FRAME_ISOLATED)
            notBalloon++;
        }
      }
      if (notBalloon > 0)
        problems.push(`${notBalloon} of ${discarded} discarded frames are in use by the guest`);
    }
    return problems;
  }

  /** The summary `npm run sim -- --json` prints and window.balloonLab.summary() returns. */
  summary(): SimSummary {
    const mi = this.kernel.meminfo();
    const err = this.core.deviceError();
    const status = this.transport.getStatus();
    return {
      scenario: this.scenario.name,
      seed: this.scenario.seed,
      time_s: this.sched.now / 1e6,
      target_bytes: this.target,
      num_pages: this.device.numPages,
      actual: this.device.actual,
      query_balloon_actual_bytes: this.device.queryBalloon().actual,
      driver_num_pages: this.vb.num_pages,
      guest: {
        MemTotal: mi.MemTotal,
        MemFree: mi.MemFree,
        MemAvailable: mi.MemAvailable,
        Cached: mi.Cached,
        SwapTotal: mi.SwapTotal,
        SwapFree: mi.SwapFree,
      },
      host: { rss_bytes: this.device.hostRss(), page_bytes: this.scenario.device.hostPageKiB * 1024 },
      device: {
        status,
        status_names: statusNames(status),
        features: featureList(this.transport.driverFeatures),
        needs_reset: (status & 64) !== 0,
        error: err ? { kind: err.name, message: err.message } : null,
      },
      errors: this.errors.map((e) => ({ at_s: e.us / 1e6, kind: e.kind, message: e.message })),
      stats: this.device.guestStats(),
      counters: {
        ...this.counters,
        balloon_migrate: this.kernel.vm.balloonMigrate,
        oom_kills: this.kernel.vm.oomKill,
      },
    };
  }
}

export interface SimSummary {
  scenario: string;
  seed: number;
  time_s: number;
  target_bytes: number | null;
  num_pages: number;
  actual: number;
  query_balloon_actual_bytes: number;
  driver_num_pages: number;
  guest: {
    MemTotal: number;
    MemFree: number;
    MemAvailable: number;
    Cached: number;
    SwapTotal: number;
    SwapFree: number;
  };
  host: { rss_bytes: number; page_bytes: number };
  device: {
    status: number;
    status_names: string[];
    features: string[];
    needs_reset: boolean;
    error: { kind: string; message: string } | null;
  };
  errors: { at_s: number; kind: string; message: string }[];
  stats: ReturnType<BalloonDevice['guestStats']>;
  counters: Record<string, number>;
}

export { SEED_FUNCTIONS };
