// The runner's generation: the map starts over only when the simulation is replaced.
import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { bundledScenario } from '../sim/testing.ts';
import { SimRunner } from './sim-runner.ts';

const module = loadCoreModuleSync();

function runner(file = 'inflate-deflate.json'): SimRunner {
  const r = new SimRunner(BalloonCore.fromWasm(module));
  r.load(bundledScenario(file));
  return r;
}

describe('SimRunner.generation', () => {
  it('moves only when the simulation is replaced, not as it runs', () => {
    const r = runner();
    const g = r.generation;
    r.seek(4_000_000);
    r.stepForward();
    r.seek(5_000_000);
    expect(r.generation).toBe(g);
    r.seek(1_000_000); // back in time: a new simulation, replayed from the start
    expect(r.generation).toBe(g + 1);
    r.replayToEvent(0);
    expect(r.generation).toBe(g + 2);
    r.load(bundledScenario('legacy.json'));
    expect(r.generation).toBe(g + 3);
  });
});
