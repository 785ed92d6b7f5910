// The driver view shows the seed's line numbers beside the port: hold them against the seed itself.
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SEED_FUNCTIONS } from './seed-map.ts';

const seed = new URL('../../../../shared/seed/virtio_balloon.readable.c', import.meta.url);

it('every ported function starts in the seed on the line the map says', () => {
  expect(existsSync(seed), `${seed.pathname} (the shared folder beside the repository)`).toBe(true);
  const lines = readFileSync(seed, 'utf8').split('\n');
  for (const [fn, [first, last]] of Object.entries(SEED_FUNCTIONS)) {
    expect(lines[first - 1], `${fn} at line ${first}`).toMatch(new RegExp(`\\b${fn}\\(`));
    expect(last).toBeGreaterThanOrEqual(first);
  }
});
