// Soak: random scenarios (targets, workloads, OOM, compaction, suspend/resume, unplug, faults) on
// small guests, every invariant checked after every event. `npm test` runs 75 seeds (about half a
// minute); SOAK_SEEDS=n runs more (the README's long soak: 2,000).
import { describe, expect, it } from 'vitest';
import { newSim, randomScenario, runChecked } from './testing.ts';

const SEEDS = Number(process.env.SOAK_SEEDS ?? 75);
const CHUNK = 25;
const chunks = Array.from({ length: Math.ceil(SEEDS / CHUNK) }, (_, i) => [
  i * CHUNK + 1,
  Math.min(SEEDS, (i + 1) * CHUNK),
]);

describe('soak', () => {
  it.each(chunks)(
    'random scenarios, seeds %i to %i, keep every invariant after every event',
    (first, last) => {
      let events = 0;
      for (let seed = first; seed <= last; seed++) {
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
      expect(events).toBeGreaterThan((last - first + 1) * 20);
    },
    // A chunk takes a few seconds alone; on two busy cores with every other test file, far longer.
    300_000,
  );
});
