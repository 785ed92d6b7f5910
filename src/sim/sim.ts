// One virtual machine, simulated: the guest kernel and the seed's balloon driver on it, the virtio
// transport, and QEMU's balloon device on the host, all on one virtual clock. A scenario's steps are
// the operator's commands (QMP) and the guest's own doings (workloads, compaction, suspend). Same
// scenario, same seed ⇒ the same run, event for event, in Node and in the browser.
import type { BalloonCore } from '../core/core.ts';
import { asGpa } from '../core/units.ts';
import { secondsToUs } from './clock.ts';
import { type Costs, defaultCosts } from './costs.ts';
import { SEED_FUNCTIONS } from './driver/seed-map.ts';
import { VirtioBalloon, virtioDevProbe } from './driver/virtio_balloon.ts';
import type { EventBus } from './events.ts';
import { balloonMm } from './guest/balloon-mm.ts';
import { GuestKernel } from './guest/kernel.ts';
import { BalloonDevice, qemuOffer } from './host/balloon-device.ts';
import { balloonBytes, workloadPages } from './inputs.ts';
import { KernelLog } from './klog.ts';
import {
  type DriverCall,
  type Series,
  SimObserver,
  type TimelineEvent,
  type TimelineKind,
} from './observer.ts';
import type { Marker, Playable } from './playable.ts';
import { PowerManagement } from './power.ts';
import { createPrng, nextInt, type PrngState } from './prng.ts';
import { BALLOON_FEATURE_BITS, type Scenario } from './scenario.ts';
import type { Step } from './scenario-steps.ts';
import { Scheduler, type Task, Workqueue } from './sched.ts';
import { type SimSummary, summarize } from './summary.ts';
import { NullTraceRecorder, TraceRecorder } from './trace-recorder.ts';
import { WindowAllocator } from './virtio/dma.ts';
import { bit, VIRTIO_F_VERSION_1 } from './virtio/features.ts';
import { VirtioTransport } from './virtio/transport.ts';

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

export class Simulation implements Playable {
  readonly kind = 'simulation';
  readonly sched = new Scheduler();
  /** What the driver, the kernel and the device tell (events.ts): the observer and lessons listen. */
  readonly events: EventBus;
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
  /** The series, timeline, driver calls, counters and errors of this run. */
  readonly observer: SimObserver;
  readonly power: PowerManagement;
  /** The backed window's allocator (kmalloc for the kernel data the device reads). */
  readonly window: WindowAllocator;
  readonly prng: PrngState;
  readonly costs: Costs;
  readonly ramBytes: number;
  readonly endUs: number;
  /** The logical size the operator last asked for (QMP balloon), in bytes; null before any. */
  target: number | null = null;

  constructor(
    readonly scenario: Scenario,
    readonly core: BalloonCore,
    private readonly opts: SimOptions = {},
  ) {
    const { guest, device } = scenario;
    this.costs = { ...defaultCosts, ...opts.costs };
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
      {
        ramFrames,
        pageKiB: guest.pageKiB,
        swapMiB: guest.swapMiB,
        windowFrame,
        windowFrames,
        // The boot stub's random choice of where the kernel lies, from the scenario's seed.
        kaslr: (slots) => nextInt(this.prng, 0, slots),
      },
      this.log,
      this.costs,
    );
    // One bus for the whole machine: the kernel's, which the device and the driver emit on too.
    this.events = this.kernel.events;
    this.log.onLine = (line) => {
      if (line.level !== 'info')
        this.trace.custom(line.us, 'guest_log', { level: line.level, text: line.text });
    };
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
      this.events,
      this.prng,
    );
    // QEMU's stderr: its warnings, which the trace keeps too.
    this.events.on('warning', ({ message }) => {
      this.hostLog.log(`qemu-system-x86_64: warning: ${message}`, 'warn');
      this.trace.custom(this.sched.now, 'host_log', { level: 'warn', text: `warning: ${message}` });
    });
    this.observer = new SimObserver(this.kernel, this.device, this.events, {
      sampling: opts.series ?? true,
      recordCalls: opts.recordCalls ?? true,
    });
    this.device.usedRing = (q) => {
      const vq = [this.vb.inflate_vq, this.vb.deflate_vq, this.vb.stats_vq][q];
      if (!vq) throw new Error(`queue ${q} is not set up`);
      return { used: vq.ring.used, size: vq.ring.size };
    };
    this.transport.device = this.device;
    this.wq = new Workqueue(this.sched, 'events_freezable', this.costs.workqueueUs);

    this.window = new WindowAllocator(asGpa(windowFrame * 4096), windowFrames * 4096);
    const mem = this.window;
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
      hooks: this.observer.driverHooks,
      events: this.events,
      prng: this.prng,
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
    this.power = new PowerManagement(this.sched, this.transport, this.vb, this.wq);
    this.power.onRemoved = () => this.device.unrealize();

    // Boot: the driver binds to the device; the operator's polling interval comes with the VM.
    this.mark('boot', `boot: ${guest.memoryMiB} MiB guest, ${guest.pageKiB} KiB pages`);
    virtioDevProbe(this.vb, this.transport, this.log);
    if (device.statsPollingIntervalS > 0) this.device.setStatsPollingInterval(device.statsPollingIntervalS);

    const last = scenario.steps.at(-1);
    const endStep = scenario.steps.find((s) => s.do === 'end');
    this.endUs = secondsToUs(endStep ? endStep.at : (last?.at ?? 0) + 30);
    for (const step of scenario.steps) this.sched.at(secondsToUs(step.at), () => this.runStep(step));
  }

  /** A marker on the timeline, now. */
  private mark(kind: TimelineKind, label: string): void {
    this.observer.mark(kind, label);
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
        this.power.freeze();
        break;
      case 'restore':
        this.mark('restore', 'resume: the balloon inflates again');
        this.power.restore();
        break;
      case 'unplug':
        this.mark('unplug', 'device unplugged: the driver deflates and lets go');
        this.power.unplug();
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

  // What the observer keeps, where the app, the CLI and the tests have always found it.
  get timeline(): readonly TimelineEvent[] {
    return this.observer.timeline;
  }
  get series(): Series {
    return this.observer.series;
  }
  get seriesRevision(): number {
    return this.observer.samples;
  }
  get calls(): readonly DriverCall[] {
    return this.observer.calls;
  }
  get counters(): SimObserver['counters'] {
    return this.observer.counters;
  }
  get errors(): SimObserver['errors'] {
    return this.observer.errors;
  }
  get frozen(): boolean {
    return this.power.frozen;
  }
  get unplugged(): boolean {
    return this.power.unplugged;
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

  /** When the next event runs; undefined when none is left before the scenario's end. */
  nextTime(): number | undefined {
    const t = this.sched.nextTime();
    return t === undefined || t > this.endUs ? undefined : t;
  }

  /** Runs one event; false at the end. */
  step(): boolean {
    if (this.nextTime() === undefined) return false;
    return this.sched.step();
  }

  /** The timeline's moments so far. */
  markers(): readonly Marker[] {
    return this.observer.timeline;
  }

  /** The same scenario from its start, on the same core. */
  restart(): Simulation {
    return new Simulation(this.scenario, this.core, this.opts);
  }

  /** The summary `npm run sim -- --json` prints and window.balloonLab.summary() returns. */
  summary(): SimSummary {
    return summarize(this);
  }
}

export {
  type DriverCall,
  emptySeries,
  type Series,
  STAT_SERIES,
  type TimelineEvent,
  type TimelineKind,
} from './observer.ts';
export type { SimSummary };
export { SEED_FUNCTIONS };
