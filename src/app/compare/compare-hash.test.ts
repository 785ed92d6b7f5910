import { describe, expect, it } from 'vitest';
import { compareHash, isCompareHash, parseCompareHash } from './compare-hash.ts';

const BUNDLED = ['lesson-host-4k.json', 'lesson-host-2m.json', 'inflate-deflate.json'];

describe('parseCompareHash', () => {
  it('reads two bundled scenario files, left then right', () => {
    expect(parseCompareHash('#compare=lesson-host-4k.json,lesson-host-2m.json', BUNDLED)).toEqual({
      ok: true,
      left: 'lesson-host-4k.json',
      right: 'lesson-host-2m.json',
    });
    // Without the list, any file name will do; %-encoding is undone.
    expect(parseCompareHash('compare=a.json,b%2Dc.json')).toEqual({
      ok: true,
      left: 'a.json',
      right: 'b-c.json',
    });
  });

  it('round-trips compareHash', () => {
    const hash = compareHash('inflate-deflate.json', 'lesson-host-2m.json');
    expect(isCompareHash(hash)).toBe(true);
    expect(parseCompareHash(hash, BUNDLED)).toEqual({
      ok: true,
      left: 'inflate-deflate.json',
      right: 'lesson-host-2m.json',
    });
  });

  it.each([
    ['#v=1&s=inflate-deflate.json', 'a comparison link starts with #compare='],
    ['#compare=', 'compare= names no scenarios: give two, as compare=left.json,right.json'],
    ['#compare=inflate-deflate.json', 'compare= needs two scenario files separated by a comma, got 1'],
    ['#compare=a.json,b.json,c.json', 'compare= needs two scenario files separated by a comma, got 3'],
    ['#compare=,lesson-host-2m.json', 'compare=: the left scenario is missing'],
    [
      '#compare=inflate-deflate.json,%E0%A4%A',
      "compare=: the right scenario's name is damaged (bad %-encoding)",
    ],
    [
      '#compare=../secret.json,inflate-deflate.json',
      'compare=: the left scenario "../secret.json" is not a scenario file name (like inflate-deflate.json)',
    ],
    [
      '#compare=inflate-deflate.json,nope.json',
      'compare=: the right scenario "nope.json" is not one of the bundled scenarios',
    ],
    [
      '#compare=inflate-deflate.json,lesson-host-2m.json&t=5',
      'compare= takes two scenario files and nothing after them, got "&t=5"',
    ],
  ])('%s: %s', (hash, error) => {
    expect(parseCompareHash(hash, BUNDLED)).toEqual({ ok: false, error });
  });

  it('tells a comparison link from a share link', () => {
    expect(isCompareHash('#compare=x')).toBe(true);
    expect(isCompareHash('#v=2&s=inflate-deflate.json')).toBe(false);
    expect(isCompareHash('')).toBe(false);
  });
});
