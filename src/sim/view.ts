// The read model: what the app, the summary and window.balloonLab may know of a run, as selectors
// from a playable (a simulation or a replayed trace) to plain, small values. The app reads the
// simulation only through these and the runner's API (checked by src/app/imports.test.ts), so the
// simulation's insides can change without the panels noticing. Selectors return fresh values that
// compare equal (sameView) when nothing they show has changed: the hook re-renders on a difference.
//
// The memory map is the exception: it reads the frame table itself every animation frame, through
// the core the app already holds, never through React state.
import type { BalloonCore } from '../core/core.ts';
import { asGpa, type Gpa } from '../core/units.ts';
import type { DriverFunction } from './driver/seed-map.ts';
import type { VirtioBalloon } from './driver/virtio_balloon.ts';
import type { GuestKernel, MemInfo } from './guest/kernel.ts';
import type { WorkloadKind } from './guest/workload.ts';
import type { BalloonDevice, GuestStats } from './host/balloon-device.ts';
import { KernelLog, type KlogLine } from './klog.ts';
import type { DriverCall, Series, TimelineEvent } from './observer.ts';
import type { Playable } from './playable.ts';
import type { Scenario } from './scenario.ts';
import type { TraceSummary } from './trace-summary.ts';
import { featureList, statusNames } from './virtio/features.ts';
import type { VirtioTransport } from './virtio/transport.ts';
import type { RingLayout } from './virtio/virtqueue.ts';

export { formatTraceTime } from './clock.ts';
export { DRIVER_FUNCTIONS, type DriverFunction, SEED_FUNCTIONS } from './driver/seed-map.ts';
export type { EventBus, SimEvent, SimEventType } from './events.ts';
export { QEMU_STAT_NAMES, STATS_Q } from './host/balloon-device.ts';
export type { KlogLine } from './klog.ts';
export { type DriverCall, emptySeries, type Series, STAT_SERIES, type TimelineKind } from './observer.ts';
export type { Marker, Playable } from './playable.ts';
export type { SimSummary } from './summary.ts';

/** What a selector may read of a simulation (Simulation has all of it). */
export interface SimParts {
  readonly kind: 'simulation';
  readonly scenario: Scenario;
  readonly core: BalloonCore;
  readonly kernel: GuestKernel;
  readonly device: BalloonDevice;
  readonly transport: VirtioTransport;
  readonly vb: VirtioBalloon;
  readonly log: KernelLog;
  readonly hostLog: KernelLog;
  readonly series: Series;
  /** Moves whenever the series change. */
  readonly seriesRevision: number;
  readonly timeline: readonly TimelineEvent[];
  readonly calls: readonly DriverCall[];
  readonly errors: readonly { us: number; kind: string; message: string }[];
  readonly counters: Readonly<Record<string, number>>;
  readonly target: number | null;
  readonly frozen: boolean;
  readonly unplugged: boolean;
  readonly ramBytes: number;
  readonly nowUs: number;
}

/** What a selector may read of a replayed QEMU trace (TraceReplay has all of it). */
export interface TraceParts {
  readonly kind: 'trace';
  readonly summary: TraceSummary;
  readonly ramFrames: number;
  readonly warnings: readonly string[];
  readonly batchesApplied: number;
  readonly nowUs: number;
  actualAt(us?: number): number;
  balloonFrames(): number[];
}

/** The simulation a playable is, or null (nothing loaded, or a trace). */
export function simulationOf(p: Playable | null): SimParts | null {
  return p?.kind === 'simulation' ? (p as unknown as SimParts) : null;
}

export interface TraceView {
  ramBytes: number;
  /** The last target at or before now (virtio_balloon_to_target), or null. */
  target: { targetBytes: number; numPages: number } | null;
  /** `actual` as the guest last wrote it (4 KiB pages). */
  actual: number;
  batchesApplied: number;
  inflates: number;
  deflates: number;
  stats: number;
  warnings: readonly string[];
}

/** What a replayed trace says at its current moment. */
export function traceViewOf(t: TraceParts): TraceView {
  const { summary } = t;
  const target = summary.targets.filter((x) => x.us <= t.nowUs).at(-1);
  const count = (role: string) => summary.batches.filter((b) => b.role === role).length;
  return {
    ramBytes: t.ramFrames * 4096,
    target: target ? { targetBytes: target.targetBytes, numPages: target.numPages } : null,
    actual: t.actualAt(),
    batchesApplied: t.batchesApplied,
    inflates: count('inflate'),
    deflates: count('deflate'),
    stats: count('stats'),
    warnings: t.warnings,
  };
}

/** The trace replay a playable is, or null. */
export function traceOf(p: Playable | null): TraceParts | null {
  return p?.kind === 'trace' ? (p as unknown as TraceParts) : null;
}

// ── Selectors over a simulation's parts (the summary uses these too) ───────────────────────────────

/** The /proc/meminfo lines the panels and the summary show, in bytes. */
export type MeminfoView = Pick<
  MemInfo,
  'MemTotal' | 'MemFree' | 'MemAvailable' | 'Cached' | 'SwapTotal' | 'SwapFree'
>;

/** /proc/meminfo, the lines the app and the summary show (bytes). */
export function meminfoOf(sim: SimParts): MeminfoView {
  const mi = sim.kernel.meminfo();
  return {
    MemTotal: mi.MemTotal,
    MemFree: mi.MemFree,
    MemAvailable: mi.MemAvailable,
    Cached: mi.Cached,
    SwapTotal: mi.SwapTotal,
    SwapFree: mi.SwapFree,
  };
}

/** /proc/vmstat's compaction and migration counters, under their /proc/vmstat names. */
export interface CompactionCounters {
  compact_migrate_scanned: number;
  compact_free_scanned: number;
  compact_isolated: number;
  pgmigrate_success: number;
  pgmigrate_fail: number;
  balloon_migrate: number;
}

/** The compaction counters the guest panel and the summary show. */
export function compactionCountersOf(sim: SimParts): CompactionCounters {
  const vm = sim.kernel.vm;
  return {
    compact_migrate_scanned: vm.compactMigrateScanned,
    compact_free_scanned: vm.compactFreeScanned,
    compact_isolated: vm.compactIsolated,
    pgmigrate_success: vm.compactMigrated,
    pgmigrate_fail: vm.compactFail,
    balloon_migrate: vm.balloonMigrate,
  };
}

export interface BalloonView {
  /** The logical size the operator last asked for (bytes), null before any. */
  targetBytes: number | null;
  /** The device's config: target and actual, in 4 KiB pages. */
  numPages: number;
  actual: number;
  /** query-balloon's actual: the guest's logical size as the host sees it (bytes); null once unplugged. */
  queryActualBytes: number | null;
  /** QEMU's answer to query-balloon when it has none (after unplug); null otherwise. */
  queryError: string | null;
  /** The driver's own count of pages in the balloon (4 KiB pages). */
  driverNumPages: number;
  hostRssBytes: number;
  statsPollingIntervalS: number;
}

export function balloonOf(sim: SimParts): BalloonView {
  const query = sim.device.queryBalloon();
  return {
    targetBytes: sim.target,
    numPages: sim.device.numPages,
    actual: sim.device.actual,
    queryActualBytes: 'actual' in query ? query.actual : null,
    queryError: 'error' in query ? query.error : null,
    driverNumPages: sim.vb.num_pages,
    hostRssBytes: sim.device.hostRss(),
    statsPollingIntervalS: sim.device.statsPollingInterval,
  };
}

export interface DeviceView {
  status: number;
  statusNames: string[];
  /** What the driver negotiated (empty before it did). */
  features: string[];
  negotiated: boolean;
  needsReset: boolean;
  error: { kind: string; message: string } | null;
}

export function deviceOf(sim: SimParts): DeviceView {
  const status = sim.transport.getStatus();
  const err = sim.core.deviceError();
  return {
    status,
    statusNames: statusNames(status),
    features: featureList(sim.transport.driverFeatures),
    negotiated: sim.transport.driverFeatures !== 0n,
    needsReset: (status & 64) !== 0,
    error: err ? { kind: err.name, message: err.message } : null,
  };
}

/** qom-get guest-stats (the same object until the guest answers again). */
export function guestStatsOf(sim: SimParts): GuestStats {
  return sim.device.guestStats();
}

export interface MachineView {
  memoryMiB: number;
  guestPageKiB: number;
  hostPageKiB: number;
  legacy: boolean;
  featuresOffered: readonly string[];
}

/** The VM as the scenario made it. */
export function machineOf(sim: SimParts): MachineView {
  const { guest, device } = sim.scenario;
  return {
    memoryMiB: guest.memoryMiB,
    guestPageKiB: guest.pageKiB,
    hostPageKiB: device.hostPageKiB,
    legacy: device.legacy,
    featuresOffered: device.features,
  };
}

export interface WorkloadView {
  name: string;
  kind: WorkloadKind;
  residentBytes: number;
}

/** The workloads still running or resident. */
export function workloadsOf(sim: SimParts): WorkloadView[] {
  const out: WorkloadView[] = [];
  for (const w of sim.kernel.workloads.values()) {
    if (w.state === 'running' || w.state === 'resident')
      out.push({ name: w.name, kind: w.kind, residentBytes: w.resident * sim.kernel.pageBytes });
  }
  return out;
}

/** The plots' series (the same arrays, growing) and a number that moves when they change. */
export function seriesOf(sim: SimParts): { series: Series; revision: number } {
  return { series: sim.series, revision: sim.seriesRevision };
}

export function powerOf(sim: SimParts): { frozen: boolean; unplugged: boolean } {
  return { frozen: sim.frozen, unplugged: sim.unplugged };
}

/** The last `max` lines of a log, each with its number (a stable key) and its text as printed. */
export function logTail(
  log: KernelLog,
  max: number,
  format: (line: KlogLine) => string = KernelLog.format,
): { n: number; level: KlogLine['level']; text: string }[] {
  const lines = log.lines;
  const from = Math.max(0, lines.length - max);
  const out = [];
  for (let n = from; n < lines.length; n++) out.push({ n, level: lines[n].level, text: format(lines[n]) });
  return out;
}

export interface QueueView {
  index: number;
  name: string;
  ring: RingLayout;
}

/** The driver's virtqueues (none while the device is reset or unplugged). */
export function queuesOf(sim: SimParts): QueueView[] {
  const { vb } = sim;
  return [vb.inflate_vq, vb.deflate_vq, vb.stats_vq].flatMap((vq) =>
    vq ? [{ index: vq.index, name: vq.name, ring: vq.ring }] : [],
  );
}

/** The driver's pfns[] array: where it is and how many entries the last request used. */
export function pfnsOf(sim: SimParts): { gpa: Gpa; count: number } {
  return { gpa: sim.vb.pfns, count: sim.vb.num_pfns };
}

/**
 * What the virtqueue inspector shows moves with these: each queue's avail and used index, the
 * driver's calls and pfns[]; equal signatures, the same picture.
 */
export function ringsSignature(sim: SimParts): number[] {
  const { core } = sim;
  const sig = [sim.calls.length, sim.vb.num_pfns, sim.transport.getStatus()];
  for (const q of queuesOf(sim)) {
    sig.push(
      q.index,
      core.readU16(asGpa(q.ring.avail + 2)),
      core.readU16(asGpa(q.ring.used + 2)),
      core.queueLastAvail(q.index),
    );
  }
  return sig;
}

export function lastCallOf(sim: SimParts): DriverFunction | null {
  return sim.calls.at(-1)?.fn ?? null;
}

// ── Equality ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Whether two views show the same: equal primitives, or arrays and plain objects whose members are
 * the same view, to a few levels; anything else (a class instance, a typed array) by identity.
 */
export function sameView(a: unknown, b: unknown, depth = 4): boolean {
  if (Object.is(a, b)) return true;
  if (depth === 0 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameView(a[i], b[i], depth - 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype)
    return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!sameView((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth - 1))
      return false;
  }
  return true;
}

/** The kinds of step a person would name, besides one event (the app's Step … by). */
export type NamedStep = 'batch' | 'function' | 'marker';

/**
 * What changes exactly when a named step is over; the same value means "still inside it": the buffers
 * the device has handled (inflate, deflate, stats), the driver function running, the timeline's length.
 */
export function stepMark(sim: SimParts, kind: NamedStep): number | string {
  switch (kind) {
    case 'batch': {
      const c = sim.counters;
      return (c.inflateBatches ?? 0) + (c.deflateBatches ?? 0) + (c.statsAnswers ?? 0);
    }
    case 'function':
      return sim.calls.at(-1)?.fn ?? '';
    case 'marker':
      return sim.timeline.length;
  }
}

// ── Frame sets (a lesson's highlight on the map) ─────────────────────────────────────────────────

/** The sets of frames a lesson can outline on the map (docs/lessons.md, "Highlights"). */
export type FrameSet = 'balloon' | 'last-batch' | 'workload' | 'discarded' | 'free' | 'free-backed';

// Frame and host states of the core's tables (asm/constants.ts, through the core's ABI).
const FRAME_FREE = 0;
const FRAME_BALLOON = 5;
const FRAME_INFLATING = 6;
const FRAME_DEFLATING = 7;
const FRAME_ISOLATED = 8;
const HOST_RESIDENT = 1;
const HOST_DISCARDED = 2;

/**
 * The PFNs of one set, ascending: the balloon's frames (acknowledged, in flight or being migrated);
 * the PFNs of the last buffer the driver filled (pfns[]); a workload's frames; the frames the host
 * gave back (MADV_DONTNEED); the guest's free frames; and the free frames the host still backs
 * (freed inside the guest, still paid for by the host: what a balloon takes back).
 */
export function framesIn(sim: SimParts, set: FrameSet, workload?: string): number[] {
  const { core } = sim;
  const frames = core.frames;
  const host = core.host;
  const n = core.ramFrames;
  const out: number[] = [];
  switch (set) {
    case 'balloon':
      for (let p = 0; p < n; p++) {
        const s = frames[p];
        if (s === FRAME_BALLOON || s === FRAME_INFLATING || s === FRAME_DEFLATING || s === FRAME_ISOLATED)
          out.push(p);
      }
      return out;
    case 'free':
      for (let p = 0; p < n; p++) if (frames[p] === FRAME_FREE) out.push(p);
      return out;
    case 'free-backed':
      for (let p = 0; p < n; p++) if (frames[p] === FRAME_FREE && host[p] === HOST_RESIDENT) out.push(p);
      return out;
    case 'discarded':
      for (let p = 0; p < n; p++) if (host[p] === HOST_DISCARDED) out.push(p);
      return out;
    case 'last-batch': {
      const { gpa, count } = pfnsOf(sim);
      for (let i = 0; i < count; i++) out.push(core.readU32(asGpa(gpa + i * 4)));
      return out.sort((a, b) => a - b);
    }
    case 'workload': {
      const { kernel } = sim;
      let id = -1;
      for (const w of kernel.workloads.values()) if (w.name === workload) id = w.id;
      if (id < 0) return out;
      const owner = kernel.owner;
      for (let page = 0; page < owner.length; page++) {
        if (owner[page] !== id) continue;
        for (let k = 0; k < kernel.ppp; k++) out.push(page * kernel.ppp + k);
      }
      return out;
    }
  }
}
