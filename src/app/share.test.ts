import { describe, expect, it } from 'vitest';
import { parseScenario } from '../sim/scenario.ts';
import type { Step } from '../sim/scenario-steps.ts';
import { decodeShare, encodeShare, MAX_ACTIONS, userActions, withActions } from './share.ts';

const bundled = ['inflate-deflate.json', 'out-of-puff.json'];
const scenario = (() => {
  const r = parseScenario({
    version: 1,
    name: 'mine — ünïcode',
    seed: 7,
    guest: { memoryMiB: 256, pageKiB: 4, swapMiB: 0 },
    steps: [{ at: 1, do: 'balloon', MiB: 128 }],
  });
  if (!r.ok) throw new Error(r.errors.join());
  return r.scenario;
})();

describe('share links', () => {
  it('round-trip a bundled scenario, its seed and the step cursor', () => {
    const hash = encodeShare({
      kind: 'bundled',
      file: 'out-of-puff.json',
      seed: 42,
      event: 1234,
      us: 4_200_000,
    });
    expect(decodeShare(hash, bundled)).toEqual({
      ok: true,
      state: { kind: 'bundled', file: 'out-of-puff.json', seed: 42, event: 1234, us: 4_200_000 },
    });
  });

  it('round-trip a whole custom scenario, unicode included', () => {
    const hash = encodeShare({ kind: 'custom', scenario, event: 5 });
    const back = decodeShare(hash, bundled);
    expect(back).toEqual({ ok: true, state: { kind: 'custom', scenario, event: 5 } });
  });

  it("round-trip the user's actions and the exact moment (version 2)", () => {
    const actions: Step[] = [
      { at: 1.5, do: 'balloon', MiB: 100 },
      { at: 2.25, do: 'workload', kind: 'anon', MiB: 20, name: 'w1' } as Step,
      { at: 3, do: 'stats-interval', s: 2 },
    ];
    const hash = encodeShare({
      kind: 'bundled',
      file: 'out-of-puff.json',
      seed: 3,
      actions,
      event: 77,
      us: 1_500_000,
    });
    expect(hash).toMatch(/^#v=2&/);
    expect(decodeShare(hash, bundled)).toEqual({
      ok: true,
      state: { kind: 'bundled', file: 'out-of-puff.json', seed: 3, actions, event: 77, us: 1_500_000 },
    });
  });

  it('still open a version 1 link (it carries no actions)', () => {
    expect(decodeShare('#v=1&scenario=out-of-puff.json&seed=42&e=12&t=900', bundled)).toEqual({
      ok: true,
      state: { kind: 'bundled', file: 'out-of-puff.json', seed: 42, event: 12, us: 900 },
    });
  });

  it('refuse more actions than a session makes', () => {
    const many = Array.from({ length: MAX_ACTIONS + 1 }, () => ({ at: 1, do: 'compact' }) as Step);
    const r = decodeShare(
      encodeShare({ kind: 'bundled', file: 'out-of-puff.json', actions: many, event: 0 }),
      bundled,
    );
    expect(r).toEqual({ ok: false, error: `actions: at most ${MAX_ACTIONS} steps, got ${MAX_ACTIONS + 1}` });
  });

  it('an empty hash restores nothing, without an error', () => {
    expect(decodeShare('', bundled)).toEqual({ ok: true, state: null });
  });

  it.each([
    ['#scenario=out-of-puff.json', /no version/],
    ['#v=9&scenario=out-of-puff.json', /version 9/],
    ['#v=2.0&scenario=out-of-puff.json', /version 2.0/],
    ['#%00%ff garbage', /no version/],
    ['#v=2&scenario=out-of-puff.json&actions=%%%', /actions: damaged/],
    ['#v=2&scenario=out-of-puff.json&actions=e30', /actions: must be a list/],
    ['#v=2&custom=bm90IGpzb24', /custom: .*not valid JSON/],
    ['#v=1&scenario=nope.json', /not one of the bundled/],
    ['#v=1&scenario=out-of-puff.json&e=-1', /step cursor/],
    ['#v=1&scenario=out-of-puff.json&e=1e9', /step cursor/],
    ['#v=1&scenario=out-of-puff.json&seed=abc', /seed must be/],
    ['#v=1&custom=%%%', /damaged/],
    ['#v=1&custom=eyJ2ZXJzaW9uIjoyfQ', /custom: /],
    ['#v=1', /names no scenario/],
    ['#v=1&scenario=out-of-puff.json&t=1.5', /t \(virtual µs\)/],
  ])('refuses %s with a message that names the problem', (hash, message) => {
    const r = decodeShare(hash, bundled);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});

describe("the user's actions", () => {
  it('are the steps the scenario gained, and placing them again gives the same scenario back', () => {
    const actions: Step[] = [
      { at: 0.5, do: 'balloon', MiB: 100 },
      { at: 1, do: 'balloon', MiB: 128 },
    ];
    const made = withActions(scenario, actions);
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    // Placed as the runner places an action: after the file's own step at the same time.
    expect(made.scenario.steps.map((s) => [s.at, s.do === 'balloon' ? s.MiB : s.do])).toEqual([
      [0.5, 100],
      [1, 128],
      [1, 128],
    ]);
    expect(userActions(scenario, made.scenario)).toEqual(actions);
    expect(userActions(scenario, scenario)).toEqual([]);
  });

  it("go before an end step, and a seed from the link replaces the file's", () => {
    const withEnd = parseScenario({ ...JSON.parse(JSON.stringify(scenario)), steps: [{ at: 5, do: 'end' }] });
    if (!withEnd.ok) throw new Error(withEnd.errors.join());
    const made = withActions(withEnd.scenario, [{ at: 3, do: 'compact' }], 99);
    expect(made.ok && made.scenario.steps.map((s) => s.do)).toEqual(['compact', 'end']);
    expect(made.ok && made.scenario.seed).toBe(99);
  });

  it.each([
    [[{ at: 1, do: 'balloon', MiB: -5 }], /actions: steps\[\d\]/],
    [[{ at: 1, do: 'fly' }], /actions: /],
    [['not a step'], /actions: /],
    [[null], /actions: /],
  ])('that fail validation are refused with the field: %j', (actions, message) => {
    const made = withActions(scenario, actions);
    expect(made.ok).toBe(false);
    if (!made.ok) expect(made.error).toMatch(message);
  });
});
