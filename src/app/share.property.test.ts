// Share links from anywhere (typed, truncated, edited, from another version): decoding answers with
// a state or a reason, never an exception, and every state it answers with is one the app can open.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../sim/scenario.ts';
import { decodeShare, encodeShare } from './share.ts';

const bundled = ['inflate-deflate.json', 'out-of-puff.json'];

/** A real link with a piece of it changed: a value replaced, cut short, or a key doubled. */
const hash = fc.oneof(
  fc.string(),
  fc.webFragments().map((f) => `#${f}`),
  fc
    .tuple(
      fc.constantFrom(
        encodeShare({ kind: 'bundled', file: 'out-of-puff.json', seed: 3, event: 12, us: 4_000_000 }),
        encodeShare({
          kind: 'bundled',
          file: 'inflate-deflate.json',
          actions: [{ at: 2.5, do: 'balloon', MiB: 100 }],
          event: 40,
          us: 2_600_000,
        }),
        '#v=1&scenario=inflate-deflate.json&seed=1&e=3&t=1000',
      ),
      fc.nat(),
      fc.nat(),
      fc.constantFrom('', '=', '&', 'x', '-1', '1e9', '%', '%ZZ', '&e=&e=5', 'NaN', '12.7'),
    )
    .map(([link, a, b, piece]) => {
      const i = a % link.length;
      const j = i + (b % 6);
      return link.slice(0, i) + piece + link.slice(j);
    }),
);

describe('share links from anywhere', () => {
  it('decode to a state or a reason, never an exception; a custom scenario is a valid one', () => {
    fc.assert(
      fc.property(hash, (h) => {
        const r = decodeShare(h, bundled);
        if (!r.ok) {
          expect(r.error.length).toBeGreaterThan(5);
          return;
        }
        if (r.state?.kind === 'custom')
          expect(parseScenario(JSON.parse(JSON.stringify(r.state.scenario))).ok).toBe(true);
        if (r.state) {
          expect(Number.isInteger(r.state.event) && r.state.event >= 0).toBe(true);
          if (r.state.us !== undefined) expect(Number.isFinite(r.state.us) && r.state.us >= 0).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
