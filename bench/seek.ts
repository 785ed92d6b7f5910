// Seeking in the bundled 16 GiB scenario (public/scenarios/big-guest.json), as the app does it:
// through SimRunner, whose checkpoints are taken as the run plays (wall clock spacing, memory cap).
//
//   before: a step back at the end as it was, a replay from the start (a new Simulation run to the
//           event before the last one);
//   after:  the scenario played to its end once (checkpoints taken on the way), then a step back at
//           the end, and seeks to times spread over the run, back and forth, each timed.
//
// Also: what taking checkpoints costs while playing, and the memory they hold. Measured in a thread
// of its own, after one warm-up pass; e2e/seek.bench.spec.ts measures the same in Chromium.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { SimRunner } from '../src/app/sim-runner.ts';
import { BalloonCore } from '../src/core/core.ts';
import { loadCoreModuleSync } from '../src/core/wasm-node.ts';
import { parseScenario } from '../src/sim/scenario.ts';
import { Simulation } from '../src/sim/sim.ts';

export interface SeekRow {
  events: number;
  /** Playing to the end through the runner, with checkpoints (ms). */
  play_ms: number;
  /** The same run as a bare Simulation, no checkpoints (ms). */
  play_bare_ms: number;
  checkpoints: number;
  checkpoint_mb: number;
  /** A step back at the end: a replay from the start (the old way), and from a checkpoint. */
  step_back_before_ms: number;
  step_back_ms: number;
  /** Seeks to times spread over the run, in an order that goes back and forth. */
  seeks: number;
  seek_median_ms: number;
  seek_max_ms: number;
}

const file = new URL('../public/scenarios/big-guest.json', import.meta.url);

function once(module: WebAssembly.Module): SeekRow {
  const parsed = parseScenario(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const scenario = parsed.scenario;

  const bare = new Simulation(scenario, BalloonCore.fromWasm(module));
  let t = performance.now();
  let events = 0;
  while (bare.step()) events++;
  const play_bare_ms = performance.now() - t;

  const runner = new SimRunner(BalloonCore.fromWasm(module));
  runner.load(scenario);
  t = performance.now();
  runner.advanceTo(runner.endUs);
  const play_ms = performance.now() - t;
  if (runner.eventIndex !== events) throw new Error('bench: the runner ran another number of events');

  // The old step back: a new simulation, replayed to the event before the end.
  t = performance.now();
  const replay = new Simulation(scenario, BalloonCore.fromWasm(module));
  for (let i = 0; i < events - 1; i++) replay.step();
  const step_back_before_ms = performance.now() - t;

  t = performance.now();
  runner.stepBack();
  const step_back_ms = performance.now() - t;
  if (runner.eventIndex !== events - 1) throw new Error('bench: the step back went elsewhere');

  // 24 times spread over the run, visited in an order that jumps back and forth.
  const n = 24;
  const order = Array.from({ length: n }, (_, i) => (i * 7) % n);
  const times: number[] = [];
  for (const k of order) {
    const us = Math.round(((k + 0.5) / n) * runner.endUs);
    t = performance.now();
    runner.seek(us);
    times.push(performance.now() - t);
    if (runner.nowUs !== us) throw new Error('bench: a seek went elsewhere');
  }
  times.sort((a, b) => a - b);
  const stats = runner.checkpointStats();
  if (stats.count === 0) throw new Error('bench: the runner took no checkpoints (is their code loaded?)');
  return {
    events,
    play_ms: Math.round(play_ms),
    play_bare_ms: Math.round(play_bare_ms),
    checkpoints: stats.count,
    checkpoint_mb: Math.round(stats.bytes / 1e5) / 10,
    step_back_before_ms: Math.round(step_back_before_ms),
    step_back_ms: Math.round(step_back_ms * 10) / 10,
    seeks: n,
    seek_median_ms: Math.round(times[n >> 1] * 10) / 10,
    seek_max_ms: Math.round(times[n - 1] * 10) / 10,
  };
}

/** One warm-up pass, then the measured one. */
export async function measureSeek(): Promise<SeekRow> {
  // The checkpoints' code loads beside the page's first paint; the app has it long before a run plays.
  await SimRunner.ready();
  const module = loadCoreModuleSync();
  once(module);
  return once(module);
}

export function runSeekBench(): Promise<SeekRow> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../scripts/ts-worker.mjs', import.meta.url), {
      workerData: { entry: new URL('./seek-worker.ts', import.meta.url).href },
    });
    worker.once('message', (row: SeekRow) => {
      void worker.terminate();
      resolve(row);
    });
    worker.once('error', reject);
  });
}
