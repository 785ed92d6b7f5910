import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { bundledScenario } from '../sim/testing.ts';
import { SimRunner } from './sim-runner.ts';

const runner = () => new SimRunner(BalloonCore.fromWasm(loadCoreModuleSync()));

describe('SimRunner.markers', () => {
  it('keeps what lies ahead on the timeline after going back (the run is deterministic)', () => {
    const r = runner();
    r.load(bundledScenario('deflate-on-oom.json'));
    r.seek(10_000_000);
    const all = r.markers().map((m) => `${m.us} ${m.kind}`);
    expect(all).toContain('4001871 oom-deflate');
    r.seek(2_000_000);
    expect(r.sim?.timeline.at(-1)?.us).toBeLessThanOrEqual(2_000_000);
    expect(r.markers().map((m) => `${m.us} ${m.kind}`)).toEqual(all);
    r.replayToEvent(3);
    expect(r.markers().map((m) => `${m.us} ${m.kind}`)).toEqual(all);
  });

  it('forgets them when the run changes: an operator’s action, another scenario', () => {
    const r = runner();
    r.load(bundledScenario('deflate-on-oom.json'));
    r.seek(10_000_000);
    r.seek(2_000_000);
    r.act({ at: 0, do: 'balloon', MiB: 200 });
    expect(r.markers().every((m) => m.us <= 2_000_000)).toBe(true);
    r.seek(10_000_000);
    r.load(bundledScenario('inflate-deflate.json'));
    expect(r.markers().every((m) => m.us === 0)).toBe(true);
  });

  it('marks the deflate-on-OOM moment apart from the OOM killer’s', () => {
    const r = runner();
    r.load(bundledScenario('deflate-on-oom.json'));
    r.seek(10_000_000);
    const oom = r.markers().filter((m) => m.kind === 'oom-deflate');
    expect(oom.map((m) => m.us)).toEqual([4_001_871]);
    expect(oom[0].label).toContain('the OOM notifier deflates the balloon');
    r.load(bundledScenario('oom-kill.json'));
    r.seek(10_000_000);
    expect(r.markers().some((m) => m.kind === 'oom-deflate')).toBe(false);
  });
});
