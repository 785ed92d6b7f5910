import { describe, expect, it } from 'vitest';
import { parseScenario } from '../sim/scenario.ts';
import { decodeShare, encodeShare } from './share.ts';

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

  it('an empty hash restores nothing, without an error', () => {
    expect(decodeShare('', bundled)).toEqual({ ok: true, state: null });
  });

  it.each([
    ['#scenario=out-of-puff.json', /no version/],
    ['#v=9&scenario=out-of-puff.json', /version 9/],
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
