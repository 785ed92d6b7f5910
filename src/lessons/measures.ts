// The named measures a lesson's prose, labels and questions may quote: each is read from the
// simulation at the stop, so a number in the prose is always the simulation's own.
import type { Simulation } from '../sim/sim.ts';
import type { TraceReplay } from '../sim/trace-replay.ts';
import { traceViewOf } from '../sim/view.ts';
import type { EventWatch } from './events.ts';

const MiB = 1024 * 1024;

/** What a measure reads, given the simulation at the stop and what came before. */
interface MeasureContext {
  sim: Simulation;
  events: EventWatch;
  /** Host RSS in bytes at the previous stop of this run (at the run's start for the first stop). */
  previousRss: number;
}

type Measure = { doc: string; read: (c: MeasureContext) => number | string };

/** One decimal at most: 150, 18.3. */
const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
/** The highest host RSS so far (the series samples every change; a loop, as the series can be long). */
function peakRss(sim: Simulation): number {
  let peak = sim.device.hostRss();
  for (const v of sim.series.hostRss) if (v > peak) peak = v;
  return peak;
}
type StatName = keyof ReturnType<Simulation['device']['guestStats']>['stats'];
const stat = (c: MeasureContext, name: StatName) => c.sim.device.guestStats().stats[name] ?? -1;
const statMiB = (c: MeasureContext, name: StatName) => {
  const v = stat(c, name);
  return v < 0 ? -1 : mib(v);
};

export const MEASURES = {
  timeS: { doc: 'virtual time, seconds (3 decimals)', read: (c) => Math.round(c.sim.nowUs / 1000) / 1000 },
  timeMs: { doc: 'virtual time, milliseconds (whole)', read: (c) => Math.round(c.sim.nowUs / 1000) },
  guestMiB: { doc: "the guest's RAM, MiB", read: (c) => c.sim.scenario.guest.memoryMiB },
  hostPageKiB: { doc: "the host's backing page size, KiB", read: (c) => c.sim.scenario.device.hostPageKiB },
  targetMiB: {
    doc: 'the guest size the operator last asked for (QMP balloon), MiB; −1 before any',
    read: (c) => (c.sim.target === null ? -1 : mib(c.sim.target)),
  },
  numPages: {
    doc: 'num_pages in the config space: 4 KiB pages the device wants in the balloon',
    read: (c) => c.sim.device.numPages,
  },
  numPagesMiB: { doc: 'num_pages as MiB', read: (c) => mib(c.sim.device.numPages * 4096) },
  actual: {
    doc: 'actual in the config space: 4 KiB pages the driver says the balloon holds',
    read: (c) => c.sim.device.actual,
  },
  actualMiB: { doc: 'actual as MiB', read: (c) => mib(c.sim.device.actual * 4096) },
  gapPages: {
    doc: 'num_pages − actual: pages the balloon still has to move',
    read: (c) => c.sim.device.numPages - c.sim.device.actual,
  },
  balloonPages: {
    doc: "the driver's own num_pages (pages on its balloon list)",
    read: (c) => c.sim.vb.num_pages,
  },
  hostRssMiB: {
    doc: 'host RSS: guest memory the host backs with real pages, MiB',
    read: (c) => mib(c.sim.device.hostRss()),
  },
  hostRssPeakMiB: {
    doc: 'the highest host RSS so far in the run, MiB',
    read: (c) => mib(peakRss(c.sim)),
  },
  rssDropMiB: {
    doc: 'how far host RSS is below its peak so far, MiB',
    read: (c) => mib(peakRss(c.sim) - c.sim.device.hostRss()),
  },
  rssChangeMiB: {
    doc: 'host RSS now minus at the previous stop, MiB (negative: it fell)',
    read: (c) => mib(c.sim.device.hostRss() - c.previousRss),
  },
  memTotalMiB: {
    doc: "the guest's MemTotal, MiB (falls as the balloon grows)",
    read: (c) => mib(c.sim.kernel.meminfo().MemTotal),
  },
  memFreeMiB: { doc: "the guest's MemFree, MiB", read: (c) => mib(c.sim.kernel.meminfo().MemFree) },
  memAvailableMiB: {
    doc: "the guest's MemAvailable, MiB",
    read: (c) => mib(c.sim.kernel.meminfo().MemAvailable),
  },
  inflateBatches: { doc: 'inflate buffers the driver has sent', read: (c) => c.sim.counters.inflateBatches },
  deflateBatches: { doc: 'deflate buffers the driver has sent', read: (c) => c.sim.counters.deflateBatches },
  inflatePops: {
    doc: 'inflate buffers the device has popped',
    read: (c) => c.events.count('inflate-popped'),
  },
  actualWrites: { doc: 'times the driver has written actual', read: (c) => c.events.count('actual-written') },
  statsBuffers: { doc: 'stats buffers the device has popped', read: (c) => c.events.count('stats-popped') },
  statsAnswers: {
    doc: 'times the driver answered a stats request',
    read: (c) => c.sim.counters.statsAnswers,
  },
  statFreeMiB: {
    doc: 'the last stats buffer: free memory, MiB (−1 never sent)',
    read: (c) => statMiB(c, 'stat-free-memory'),
  },
  statTotalMiB: {
    doc: 'the last stats buffer: total memory, MiB',
    read: (c) => statMiB(c, 'stat-total-memory'),
  },
  statAvailableMiB: {
    doc: 'the last stats buffer: available memory, MiB',
    read: (c) => statMiB(c, 'stat-available-memory'),
  },
  statCachesMiB: {
    doc: 'the last stats buffer: disk caches, MiB',
    read: (c) => statMiB(c, 'stat-disk-caches'),
  },
  statMinorFaults: { doc: 'the last stats buffer: minor faults', read: (c) => stat(c, 'stat-minor-faults') },
  outOfPuff: { doc: '"Out of puff!" lines logged', read: (c) => c.sim.counters.outOfPuff },
  oomKills: { doc: 'processes the OOM killer killed', read: (c) => c.sim.kernel.vm.oomKill },
  oomDeflates: {
    doc: 'times the OOM notifier started deflating',
    read: (c) => c.events.count('oom-deflate'),
  },
  migrations: { doc: 'balloon pages compaction migrated', read: (c) => c.sim.kernel.vm.balloonMigrate },
  deviceErrors: { doc: 'device errors so far', read: (c) => c.sim.errors.length },
  errorMessage: {
    doc: "the device's last error message (QEMU's words); empty if none",
    read: (c) => c.sim.errors.at(-1)?.message ?? '',
  },
  needsReset: {
    doc: '1 when the device status has NEEDS_RESET, else 0',
    read: (c) => ((c.sim.transport.getStatus() & 64) !== 0 ? 1 : 0),
  },
} satisfies Record<string, Measure>;

export type MeasureName = keyof typeof MEASURES;

/** The measures a replayed QEMU trace carries (traceMeasures): its clock, its targets, its `actual`. */
export const TRACE_MEASURES: MeasureName[] = [
  'timeS',
  'timeMs',
  'targetMiB',
  'numPages',
  'numPagesMiB',
  'actual',
  'actualMiB',
  'gapPages',
];
export const MEASURE_NAMES = Object.keys(MEASURES) as MeasureName[];

export type MeasureValues = Record<MeasureName, number | string>;

/** The measures a replayed trace carries, at its clock (TRACE_MEASURES); the others it has not. */
export function readTraceMeasures(replay: TraceReplay): Partial<MeasureValues> {
  const now = replay.nowUs;
  const { target, actual } = traceViewOf(replay);
  const numPages = target?.numPages ?? 0;
  return {
    timeS: Math.round(now / 1000) / 1000,
    timeMs: Math.round(now / 1000),
    targetMiB: target ? mib(target.targetBytes) : -1,
    numPages,
    numPagesMiB: mib(numPages * 4096),
    actual,
    actualMiB: mib(actual * 4096),
    gapPages: numPages - actual,
  };
}

export function readMeasures(sim: Simulation, events: EventWatch, previousRss: number): MeasureValues {
  const c: MeasureContext = { sim, events, previousRss };
  const out = {} as MeasureValues;
  for (const name of MEASURE_NAMES) out[name] = (MEASURES[name] as Measure).read(c);
  return out;
}
