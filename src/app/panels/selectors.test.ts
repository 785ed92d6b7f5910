// The panels' selectors: a panel re-renders when its selection changes (sameView), so each one
// must change when what the panel shows changes, and stay equal while it does not.
import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../../core/core.ts';
import { loadCoreModuleSync } from '../../core/wasm-node.ts';
import { bundledScenario } from '../../sim/testing.ts';
import { type Playable, sameView } from '../../sim/view.ts';
import { SimRunner } from '../sim-runner.ts';
import { guestNumbersView } from './GuestNumbers.tsx';
import { guestView } from './GuestPanel.tsx';
import { hostView } from './HostPanel.tsx';
import { mapView } from './MapPanel.tsx';
import { ringsView } from './RingsPanel.tsx';
import { statsView } from './StatsPanel.tsx';
import { traceView } from './TracePanel.tsx';

const module = loadCoreModuleSync();

/** Steps a scenario event by event; counts, per panel, the steps after which its selection changed. */
function changesPerPanel(file: string) {
  const core = BalloonCore.fromWasm(module);
  const r = new SimRunner(core);
  r.load(bundledScenario(file));
  const panels: Record<string, (p: Playable | null) => unknown> = {
    guest: guestView,
    guestNumbers: guestNumbersView,
    host: hostView,
    map: mapView(core),
    rings: ringsView,
    stats: statsView,
    trace: traceView,
  };
  const last = Object.fromEntries(Object.entries(panels).map(([k, f]) => [k, f(r.playable)]));
  const changes = Object.fromEntries(Object.keys(panels).map((k) => [k, 0]));
  let steps = 0;
  while (!r.atEnd) {
    r.stepForward();
    steps++;
    for (const [k, f] of Object.entries(panels)) {
      const now = f(r.playable);
      if (!sameView(last[k], now)) changes[k]++;
      last[k] = now;
    }
  }
  return { steps, changes };
}

describe('panel selectors', () => {
  it('change only with what each panel shows, not on every step of the run', () => {
    const { steps, changes } = changesPerPanel('inflate-deflate.json');
    expect(steps).toBeGreaterThan(100);
    // Each panel shows something that moves during a round trip …
    for (const k of ['guestNumbers', 'host', 'map', 'rings', 'stats']) expect(changes[k]).toBeGreaterThan(0);
    // … but far fewer times than the run has steps (before useRunner, every panel re-rendered on each).
    for (const k of ['guest', 'guestNumbers', 'host', 'stats']) expect(changes[k]).toBeLessThan(steps / 2);
    // A simulation shows no trace panel.
    expect(changes.trace).toBe(0);
  });

  it('are equal for equal values, and differ when one value does', () => {
    expect(sameView({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(sameView({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).toBe(false);
    expect(sameView([1, 2], [1, 2, 3])).toBe(false);
    expect(sameView(null, { a: 1 })).toBe(false);
    // class instances by identity: a new run is a change, even at the same moment
    class Run {}
    expect(sameView({ run: new Run() }, { run: new Run() })).toBe(false);
  });
});
