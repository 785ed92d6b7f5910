// The WebAssembly core and its TypeScript twin agree on every call and every byte, for random guests
// and random operation sequences including malformed rings; fast-check shrinks any counterexample to
// a minimal op list. The long run is `npm run fuzz`.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { type CorePair, caseArb, runCase } from './fuzz.ts';
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
