import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../../core/core.ts';
import { loadCoreModuleSync } from '../../core/wasm-node.ts';
import { bundledScenario } from '../../sim/testing.ts';
import { SimRunner } from '../sim-runner.ts';
import { difference, KEY_NUMBERS, readKeyNumbers } from './key-numbers.ts';

describe('key numbers', () => {
  it('reads every row from a run, and nothing from no run', () => {
    const r = new SimRunner(BalloonCore.fromWasm(loadCoreModuleSync()));
    expect(readKeyNumbers(r)).toEqual({});
    r.load(bundledScenario('lesson-host-2m.json'));
    r.seek(r.endUs);
    const v = readKeyNumbers(r);
    expect(Object.keys(v).sort()).toEqual(KEY_NUMBERS.map((k) => k.measure).sort());
    // lesson-host-2m.json: 2 MiB host pages, a 128 MiB balloon (32,768 pages of 4 KiB) at the end.
    expect(v.hostPageKiB).toBe(2048);
    expect(v.actual).toBe(32_768);
  });

  it('takes the difference right − left as the measures round, and none when a side has none', () => {
    expect(difference(85.2, 214)).toBe(128.8);
    expect(difference(0.3, 0.1)).toBe(-0.2);
    expect(difference(4, 4)).toBe(0);
    expect(difference(undefined, 4)).toBeUndefined();
  });
});
