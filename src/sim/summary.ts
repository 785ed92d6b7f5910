// The summary `npm run sim -- --json` prints and window.balloonLab.summary() returns: one run's
// state in numbers, read through the same selectors as the app's panels (view.ts).
import type { GuestStats } from './host/balloon-device.ts';
import {
  balloonOf,
  compactionCountersOf,
  deviceOf,
  guestStatsOf,
  type MeminfoView,
  meminfoOf,
  type SimParts,
} from './view.ts';

export interface SimSummary {
  scenario: string;
  seed: number;
  time_s: number;
  target_bytes: number | null;
  num_pages: number;
  actual: number;
  /** null once the device is unplugged: QEMU answers "No balloon device has been activated". */
  query_balloon_actual_bytes: number | null;
  driver_num_pages: number;
  guest: MeminfoView;
  host: { rss_bytes: number; page_bytes: number };
  device: {
    status: number;
    status_names: string[];
    features: string[];
    needs_reset: boolean;
    error: { kind: string; message: string } | null;
  };
  errors: { at_s: number; kind: string; message: string }[];
  stats: GuestStats;
  counters: Record<string, number>;
}

export function summarize(sim: SimParts): SimSummary {
  const b = balloonOf(sim);
  const d = deviceOf(sim);
  return {
    scenario: sim.scenario.name,
    seed: sim.scenario.seed,
    time_s: sim.nowUs / 1e6,
    target_bytes: b.targetBytes,
    num_pages: b.numPages,
    actual: b.actual,
    query_balloon_actual_bytes: b.queryActualBytes,
    driver_num_pages: b.driverNumPages,
    guest: meminfoOf(sim),
    host: { rss_bytes: b.hostRssBytes, page_bytes: sim.scenario.device.hostPageKiB * 1024 },
    device: {
      status: d.status,
      status_names: d.statusNames,
      features: d.features,
      needs_reset: d.needsReset,
      error: d.error,
    },
    errors: sim.errors.map((e) => ({ at_s: e.us / 1e6, kind: e.kind, message: e.message })),
    stats: guestStatsOf(sim),
    counters: {
      ...sim.counters,
      oom_kills: sim.kernel.vm.oomKill,
      ...compactionCountersOf(sim),
    },
  };
}
