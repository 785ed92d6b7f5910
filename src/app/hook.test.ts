// window.balloonLab from the console: whatever a person passes, load() answers with the problems or
// loads, runUntil() runs or throws a TypeError/RangeError that says what it wanted, and a refusal
// changes nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { bundledScenario } from '../sim/testing.ts';
import { installHook } from './hook.ts';
import { SimRunner } from './sim-runner.ts';

(globalThis as { window?: unknown }).window ??= {};
const runner = new SimRunner(BalloonCore.fromWasm(loadCoreModuleSync()));
runner.load(bundledScenario('inflate-deflate.json'));
const hook = installHook(runner, () => undefined);

describe('window.balloonLab with anything in its arguments', () => {
  it('runUntil runs to the time asked (at most the end), or says what it wanted', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.anything(), fc.constantFrom(3, 1e300, -1, '5', null)), (s) => {
        const before = runner.nowUs;
        try {
          const t = hook.runUntil(s as number);
          expect(t).toBeLessThanOrEqual(runner.endUs / 1e6);
        } catch (e) {
          expect(e instanceof TypeError || e instanceof RangeError).toBe(true);
          expect((e as Error).message).toMatch(/^runUntil\(seconds\): /);
          expect(runner.nowUs).toBe(before);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('load answers a bad scenario with its problems and keeps the one loaded', () => {
    const name = runner.scenario?.name;
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), fc.string()), (input) => {
        const r = hook.load(input);
        if (!r.ok) {
          expect(r.errors.length).toBeGreaterThan(0);
          expect(runner.scenario?.name).toBe(name);
        }
      }),
      { numRuns: 300 },
    );
  });
});
