// Test helpers for whole simulations.
import { readFileSync } from 'node:fs';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { parseScenario, type Scenario } from './scenario.ts';
import { type SimOptions, Simulation } from './sim.ts';

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
      const problems = sim.checkInvariants();
      if (problems.length) return { events, problems: [`at ${sim.nowUs} µs, event ${events}:`, ...problems] };
    }
  }
  return { events, problems: sim.checkInvariants() };
}
