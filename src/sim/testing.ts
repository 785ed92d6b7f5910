// Test helpers for whole simulations.
import { readFileSync } from 'node:fs';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { createPrng, nextFloat, nextInt, type PrngState } from './prng.ts';
import { parseScenario, type Scenario } from './scenario.ts';
import { FAULT_KINDS } from './scenario-steps.ts';
import { type SimOptions, Simulation } from './sim.ts';
import { machineInvariants } from './sim-invariants.ts';

export function bundledScenario(file: string): Scenario {
  const r = parseScenario(readFileSync(new URL(`../../public/scenarios/${file}`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${r.errors.join('; ')}`);
  return r.scenario;
}

export function scenario(input: unknown): Scenario {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.scenario;
}

let module: WebAssembly.Module | undefined;
export function newSim(s: Scenario, opts: SimOptions = {}): Simulation {
  module ??= loadCoreModuleSync();
  return new Simulation(s, BalloonCore.fromWasm(module), opts);
}

/** Runs to the end, checking every invariant after every event; returns the first problems found. */
export function runChecked(sim: Simulation, every = 1): { events: number; problems: string[] } {
  let events = 0;
  while (sim.step()) {
    events++;
    if (events % every === 0) {
      const problems = machineInvariants(sim);
      if (problems.length) return { events, problems: [`at ${sim.nowUs} µs, event ${events}:`, ...problems] };
    }
  }
  return { events, problems: machineInvariants(sim) };
}

/** A random scenario on a small guest: targets, workloads, compaction, suspend/resume, unplug, faults. */
export function randomScenario(seed: number): Scenario {
  const r: PrngState = createPrng(seed);
  const pick = <T>(xs: readonly T[]) => xs[nextInt(r, 0, xs.length)];
  const memoryMiB = pick([16, 16, 24, 32]);
  const pageKiB = pick([4, 4, 16, 64]);
  const features = [
    'STATS_VQ',
    ...(nextFloat(r) < 0.5 ? ['DEFLATE_ON_OOM'] : []),
    ...(nextFloat(r) < 0.2 ? ['MUST_TELL_HOST'] : []),
  ];
  const steps: Record<string, unknown>[] = [];
  let t = 0.2;
  const live: string[] = [];
  let frozen = false;
  let unplugged = false;
  let faults = 0;
  for (let i = 0; i < 7; i++) {
    t += 0.1 + nextFloat(r) * 0.6;
    const at = Math.round(t * 1000) / 1000;
    const roll = nextFloat(r);
    if (frozen) {
      steps.push({ at, do: 'restore' });
      frozen = false;
    } else if (roll < 0.35) steps.push({ at, do: 'balloon', MiB: nextInt(r, 4, memoryMiB + 8) });
    else if (roll < 0.55) {
      const name = `w${i}`;
      steps.push({
        at,
        do: 'workload',
        kind: pick(['anon', 'file', 'shmem']),
        MiB: nextInt(r, 1, memoryMiB),
        name,
      });
      live.push(name);
    } else if (roll < 0.65 && live.length)
      steps.push({ at, do: 'free', name: live.splice(nextInt(r, 0, live.length), 1)[0] });
    else if (roll < 0.75) steps.push({ at, do: 'compact' });
    else if (roll < 0.83 && !unplugged) {
      steps.push({ at, do: 'freeze' });
      frozen = true;
    } else if (roll < 0.88 && !unplugged && !frozen) {
      steps.push({ at, do: 'unplug' });
      unplugged = true;
    } else if (roll < 0.95 && faults === 0) {
      steps.push({ at, do: 'fault', kind: pick(FAULT_KINDS.filter((k) => k !== 'second-stats-buffer')) });
      faults++;
    } else steps.push({ at, do: 'stats-interval', s: nextInt(r, 0, 3) });
  }
  steps.push({ at: Math.round((t + 1) * 1000) / 1000, do: 'end' });
  return scenario({
    version: 1,
    name: `soak ${seed}`,
    seed,
    guest: { memoryMiB, pageKiB, swapMiB: pick([0, 0, 16]) },
    device: {
      features,
      statsPollingIntervalS: pick([0, 1]),
      hostPageKiB: pick([4, 4, 64, 2048]),
      legacy: nextFloat(r) < 0.2,
    },
    steps,
  });
}
