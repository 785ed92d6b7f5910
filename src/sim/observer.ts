// What the app and the CLI keep of a run, watched from outside the machine: the plots' series,
// the timeline's markers, the driver's calls, a few counters and the device's errors. The observer
// listens on the event bus and the driver's hooks; it never changes the machine.
import type { DriverFunction } from './driver/seed-map.ts';
import type { DriverHooks } from './driver/virtio_balloon.ts';
import type { EventBus } from './events.ts';
import type { GuestKernel } from './guest/kernel.ts';
import { type BalloonDevice, QEMU_STAT_NAMES } from './host/balloon-device.ts';

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

/** Two OOM-notifier markers closer than this are one moment on the timeline. */
const OOM_DEFLATE_GAP_US = 100_000;

export class SimObserver {
  readonly timeline: TimelineEvent[] = [];
  readonly calls: DriverCall[] = [];
  readonly series: Series = emptySeries();
  readonly errors: { us: number; kind: string; message: string }[] = [];
  readonly counters = { inflateBatches: 0, deflateBatches: 0, statsAnswers: 0, outOfPuff: 0 };
  /** Samples taken so far: moves whenever the series change (a sample may replace the last point). */
  samples = 0;
  /** The driver's hooks, to pass in its environment: its calls and its buffers, counted. */
  readonly driverHooks: DriverHooks;

  constructor(
    private readonly kernel: GuestKernel,
    private readonly device: BalloonDevice,
    events: EventBus,
    private readonly opts: { sampling: boolean; recordCalls: boolean },
  ) {
    const now = () => kernel.sched.now;
    this.driverHooks = {
      details: opts.recordCalls,
      tellHost: (vq) => {
        if (vq === 'inflate') this.counters.inflateBatches++;
        else if (vq === 'deflate') this.counters.deflateBatches++;
      },
      enter: (fn, detail) => {
        if (opts.recordCalls)
          this.calls.push(detail === undefined ? { us: now(), fn } : { us: now(), fn, detail });
        if (fn === 'stats_handle_request') {
          this.counters.statsAnswers++;
          this.sample();
        }
      },
    };
    if (opts.sampling) {
      // The only listeners that do nothing else: a run without series leaves these events unheard.
      events.on('actual', (e) => {
        if (e.actual !== e.old) this.sample();
      });
      events.on('stats-received', () => this.sample());
    }
    events.on('device-error', (e) => {
      this.errors.push({ us: e.us, kind: e.kind, message: e.message });
      this.mark('error', `device error: ${e.message}`);
    });
    events.on('warning', (e) => this.mark('warning', e.message));
    events.on('out-of-puff', () => {
      this.counters.outOfPuff++;
      if (this.counters.outOfPuff === 1 || this.timeline.at(-1)?.kind !== 'out-of-puff') {
        this.mark('out-of-puff', 'Out of puff! (the guest has no free page to give)');
      }
    });
    events.on('oom-notify', (e) => {
      if (!e.deflates) return;
      const last = this.timeline.at(-1);
      if (last?.kind !== 'oom-deflate' || e.us - last.us > OOM_DEFLATE_GAP_US) {
        this.mark(
          'oom-deflate',
          'out of memory: the OOM notifier deflates the balloon (256 pages at a time)',
        );
      }
    });
    events.on('oom', (e) => this.mark('oom', e.text));
    events.on('oom-kill', (e) => this.mark('oom-kill', e.text));
  }

  /** A marker on the timeline, now (and a point of every series). */
  mark(kind: TimelineKind, label: string): void {
    this.timeline.push({ us: this.kernel.sched.now, kind, label });
    this.sample();
  }

  /** One point of every series, now (a point at the same time replaces the last one). */
  sample(): void {
    if (!this.opts.sampling) return;
    this.samples++;
    const s = this.series;
    const now = this.kernel.sched.now;
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
}
