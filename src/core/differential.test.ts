// The WebAssembly core and its TypeScript twin agree on every call and every byte, for random guests
// and random operation sequences including malformed rings; fast-check shrinks any counterexample to
// a minimal op list. The long run is `npm run fuzz`.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { type CorePair, caseArb, type FuzzSetup, type Op, runCase } from './fuzz.ts';
import { TwinCore } from './twin.ts';
import { instantiateWasmCore } from './wasm.ts';
import { loadCoreModuleSync } from './wasm-node.ts';

const pair: CorePair = { wasm: instantiateWasmCore(loadCoreModuleSync()), twin: new TwinCore() };

it('wasm and twin agree on random operation sequences (property, shrinking)', () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(caseArb, ([setup, ops]) => {
      const out = runCase(pair, setup, ops);
      for (const e of out.errors) seen.add(e);
      if (out.failure) throw new Error(out.failure);
    }),
    { numRuns: 1500, seed: 20261126 },
  );
  // the generator reaches the device's checks, not only the happy path
  expect(seen.size).toBeGreaterThanOrEqual(8);
});

it('wasm and twin agree on batches of consecutive PFNs over mixed frame and host states (the word-at-a-time paths)', () => {
  // The cores take runs of ≥ 16 consecutive PFNs eight frames at a time (asm/frames.ts, "Runs of
  // consecutive frames"). Random PFNs rarely make such runs, so these cases are built of them: runs
  // up and down, over frames and host pages left in mixed states, across dirty chunks and the end of RAM, inflated,
  // partly touched again, deflated, and marked by the driver, with per-page events on and off.
  const run = fc.tuple(fc.nat(5000), fc.integer({ min: 1, max: 200 }), fc.boolean());
  const pfns = fc
    .array(run, { minLength: 1, maxLength: 3 })
    .map((runs) =>
      runs
        .flatMap(([first, n, down]) =>
          Array.from({ length: n }, (_, k) => (down ? first - k : first + k) >>> 0),
        )
        .slice(0, 256),
    );
  const batch = (q: number, n: number): Op[] => [
    {
      t: 'sgs',
      q,
      out: 1,
      segs: [{ at: { base: 'pfns', off: 0 }, len: n * 4 }],
      indirect: false,
      table: { base: 'pfns', off: 0 },
    },
    { t: 'kick', q },
    { t: 'handle', q, deflate: q === 1, max: 4 },
    { t: 'get', q },
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 12, max: 13 }),
      fc.boolean(),
      fc.array(fc.tuple(fc.nat(5000), fc.nat(600), fc.integer({ min: 0, max: 9 })), { maxLength: 4 }),
      fc.array(fc.tuple(fc.nat(5000), fc.nat(600)), { maxLength: 3 }),
      pfns,
      fc.integer({ min: 0, max: 9 }),
      (ramExp, events, paint, touches, values, state) => {
        const setup: FuzzSetup = {
          ramFrames: 1 << ramExp,
          hostPageFrames: 1,
          windowFrames: 4,
          windowAt: 0.99,
          queues: [0, 1, 2].map(() => ({ size: 8, eventIdx: false, indirect: false })),
        };
        const n = values.length;
        const ops: Op[] = [
          { t: 'mask', mask: events ? 0xffffffff : 0 },
          ...paint.map(([first, k, s]): Op => ({ t: 'frames', first, n: k, state: s })),
          { t: 'pfns', values, outside: true },
          ...batch(0, n),
          ...touches.map(([first, k]): Op => ({ t: 'touch', first, n: k })),
          ...batch(1, n),
          { t: 'set-states', n, state },
          { t: 'encode', at: 0, runs: [[values[0], n]], ppp: 1, state },
        ];
        const out = runCase(pair, setup, ops);
        if (out.failure) throw new Error(out.failure);
      },
    ),
    { numRuns: 400, seed: 20261205 },
  );
});
