// Soak: random scenarios (targets, workloads, OOM, compaction, suspend/resume, unplug, faults) on
// small guests, every invariant checked after every event. SOAK_SEEDS=n runs more seeds.
import { describe, expect, it } from 'vitest';
import { newSim, randomScenario, runChecked } from './testing.ts';

const SEEDS = Number(process.env.SOAK_SEEDS ?? 200);

describe('soak', () => {
  it(`${SEEDS} random scenarios keep every invariant after every event`, () => {
    let events = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const s = randomScenario(seed);
      const sim = newSim(s, { recordCalls: false, trace: false });
      let result: ReturnType<typeof runChecked>;
      try {
        result = runChecked(sim);
      } catch (e) {
        throw new Error(`seed ${seed} threw: ${(e as Error).stack}\n${JSON.stringify(s)}`);
      }
      events += result.events;
      if (result.problems.length)
        throw new Error(`seed ${seed}: ${result.problems.join('\n')}\n${JSON.stringify(s)}`);
    }
    expect(events).toBeGreaterThan(SEEDS * 20);
  });
});
