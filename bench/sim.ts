// The whole-simulation benchmark (design.md, "Performance budgets"): a 16 GiB guest inflated to a
// 1 GiB logical size and back — 3.9 million pages each way, 30,720 batches — with the allocator, the
// driver, the transport, the device and the core all in the loop. Measured in a thread of its own.
import { Worker } from 'node:worker_threads';
import { BalloonCore } from '../src/core/core.ts';
import { loadCoreModuleSync } from '../src/core/wasm-node.ts';
import { parseScenario } from '../src/sim/scenario.ts';
import { Simulation } from '../src/sim/sim.ts';

export interface SimRow {
  guest_mib: number;
  pages_each_way: number;
  batches: number;
  wall_ms: number;
  wall_ms_no_trace: number;
  ns_per_page: number;
}

const scenario = parseScenario({
  version: 1,
  name: '16 GiB round trip',
  seed: 1,
  guest: { memoryMiB: 16384, pageKiB: 4, swapMiB: 0 },
  device: { features: ['STATS_VQ'], statsPollingIntervalS: 0 },
  steps: [
    { at: 1, do: 'balloon', MiB: 1024 },
    { at: 40, do: 'balloon', MiB: 16384 },
    { at: 80, do: 'end' },
  ],
});

/** Best of `reps` runs (after one warm-up), with and without the trace recorded. */
export function measureSim(reps = 3): SimRow {
  if (!scenario.ok) throw new Error(scenario.errors.join('; '));
  const core = BalloonCore.fromWasm(loadCoreModuleSync());
  const once = (trace: boolean) => {
    const sim = new Simulation(scenario.scenario, core, { recordCalls: false, trace, series: false });
    const t0 = performance.now();
    sim.runToEnd();
    const ms = performance.now() - t0;
    const s = sim.summary();
    if (s.actual !== 0 || s.counters.inflateBatches !== 15360)
      throw new Error('bench: the round trip did not complete');
    return { ms, batches: s.counters.inflateBatches + s.counters.deflateBatches };
  };
  once(true);
  let best = Number.POSITIVE_INFINITY;
  let bestNoTrace = Number.POSITIVE_INFINITY;
  let batches = 0;
  for (let r = 0; r < reps; r++) {
    const a = once(true);
    best = Math.min(best, a.ms);
    batches = a.batches;
    bestNoTrace = Math.min(bestNoTrace, once(false).ms);
  }
  const pages = (16384 - 1024) * 256;
  return {
    guest_mib: 16384,
    pages_each_way: pages,
    batches,
    wall_ms: Math.round(best),
    wall_ms_no_trace: Math.round(bestNoTrace),
    ns_per_page: Math.round((best * 1e6) / (2 * pages)),
  };
}

export function runSimBench(): Promise<SimRow> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../scripts/ts-worker.mjs', import.meta.url), {
      workerData: { entry: new URL('./sim-worker.ts', import.meta.url).href },
    });
    worker.once('message', (row: SimRow) => {
      void worker.terminate();
      resolve(row);
    });
    worker.once('error', reject);
  });
}
