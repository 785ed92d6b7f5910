// Scenario files from anywhere (a hand-edited file, a share link, window.balloonLab.load): whatever the
// JSON, the parser answers with problems or a scenario, never an exception; and a scenario it accepts
// runs to its end with every invariant holding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.ts';
import { FAULT_KINDS } from './scenario-steps.ts';
import { newSim, runChecked } from './testing.ts';

/** Values that have broken forms and parsers before: fractions, huge, zero, negative, wrong types. */
const nasty = fc.oneof(
  fc.constantFrom(0, -0, -1, 0.5, 12.7, 100.3, 1e9, 1e300, 4294967295, 4294967296, Number.MAX_SAFE_INTEGER),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(null, true, [], {}, '64', 'anon', 'w'),
);

const at = fc.double({ min: 0, max: 3, noNaN: true });
const MiB = fc.double({ min: 0.01, max: 40, noNaN: true });
const name = fc.constantFrom('a', 'b');
// Weighted so that most sequences are ones the rules accept (free and restore need a past).
const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ at, do: fc.constant('balloon'), MiB }) },
  {
    weight: 2,
    arbitrary: fc.record({ at, do: fc.constant('stats-interval'), s: fc.integer({ min: 0, max: 3 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      at,
      do: fc.constant('workload'),
      kind: fc.constantFrom('anon', 'file', 'shmem'),
      MiB,
      name,
    }),
  },
  fc.record({ at, do: fc.constant('free'), name }),
  fc.record({ at, do: fc.constant('fault'), kind: fc.constantFrom(...FAULT_KINDS) }),
  fc.record({ at, do: fc.constantFrom('compact', 'freeze', 'unplug') }),
);

type Json = Record<string, unknown>;
const saneScenario = fc.record({
  version: fc.constant(1),
  name: fc.constant('random'),
  seed: fc.integer({ min: 0, max: 1000 }),
  guest: fc.record({
    memoryMiB: fc.constantFrom(16, 24, 32),
    pageKiB: fc.constantFrom(4, 16, 64),
    swapMiB: fc.constantFrom(0, 8),
  }),
  device: fc.record({
    features: fc.subarray(['STATS_VQ', 'DEFLATE_ON_OOM', 'MUST_TELL_HOST']),
    statsPollingIntervalS: fc.integer({ min: 0, max: 2 }),
    hostPageKiB: fc.constantFrom(4, 2048),
  }),
  steps: fc
    .array(step, { maxLength: 4 })
    .map((steps): Json[] => [...steps.sort((a, b) => a.at - b.at), { at: 4, do: 'end' }]),
});

/** Every place a value sits in a scenario: [object, key] pairs, steps included. */
function places(json: Json): [Json, string][] {
  const out: [Json, string][] = [];
  const walk = (o: Json) => {
    for (const [k, v] of Object.entries(o)) {
      out.push([o, k]);
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Json);
    }
  };
  walk(json);
  for (const st of json.steps as Json[]) walk(st);
  return out;
}

/** A sane scenario, and half the time one value in it replaced by a nasty one. */
const scenarioJson = fc
  .tuple(saneScenario, fc.option(fc.tuple(fc.nat(), nasty), { freq: 2 }))
  .map(([json, mutation]) => {
    if (mutation) {
      const all = places(json);
      const [obj, key] = all[mutation[0] % all.length];
      obj[key] = mutation[1];
    }
    return json;
  });

describe('parseScenario over random files', () => {
  it('never throws, whatever the JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        const r = parseScenario(json);
        if (!r.ok) expect(r.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('names the field and the reason in every problem', () => {
    fc.assert(
      fc.property(scenarioJson, (json) => {
        const r = parseScenario(json);
        if (!r.ok) for (const e of r.errors) expect(e).toMatch(/^[^:]+: \S/);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts only scenarios that run to their end with every invariant holding', () => {
    let ran = 0;
    fc.assert(
      fc.property(scenarioJson, (json) => {
        const r = parseScenario(json);
        if (!r.ok) {
          return;
        }
        ran++;
        const sim = newSim(r.scenario);
        const { problems } = runChecked(sim, 200);
        expect(problems).toEqual([]);
        // Nothing is left to run before the end (an idle guest may stop earlier: no events).
        const next = sim.sched.nextTime();
        expect(next === undefined || next > sim.endUs).toBe(true);
        expect(sim.nowUs).toBeLessThanOrEqual(sim.endUs);
      }),
      { numRuns: 80, seed: 20261204 },
    );
    // The generator must reach the runs, not only the refusals.
    expect(ran).toBeGreaterThan(25);
  });
});
