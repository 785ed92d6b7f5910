// The lesson link and the first screen's routes: every hash reads as one route, never a throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lessonHash, parseRoute } from './route.ts';

describe('parseRoute', () => {
  it('reads the first screen, the lab, a lesson stop and a share link', () => {
    expect(parseRoute('')).toEqual({ kind: 'home' });
    expect(parseRoute('#')).toEqual({ kind: 'home' });
    expect(parseRoute('#lab')).toEqual({ kind: 'lab' });
    expect(parseRoute('#lesson=why-a-balloon&stop=3')).toEqual({
      kind: 'lesson',
      id: 'why-a-balloon',
      stop: 2,
    });
    expect(parseRoute('#v=2&lesson=one-batch')).toEqual({ kind: 'lesson', id: 'one-batch', stop: 0 });
    expect(parseRoute('#v=2&scenario=out-of-puff.json&e=3')).toEqual({
      kind: 'share',
      hash: '#v=2&scenario=out-of-puff.json&e=3',
    });
  });

  it('names what is wrong with a bad lesson link', () => {
    expect(parseRoute('#lesson=Why%20A&stop=1')).toEqual({
      kind: 'bad',
      error: 'lesson "Why A" is not a lesson name (lower-case words joined by -)',
    });
    expect(parseRoute('#lesson=one-batch&stop=0')).toMatchObject({
      kind: 'bad',
      error: expect.stringMatching(/^stop must be/),
    });
    expect(parseRoute('#lesson=one-batch&stop=-1')).toMatchObject({ kind: 'bad' });
    expect(parseRoute('#lesson=one-batch&stop=1.5')).toMatchObject({ kind: 'bad' });
    expect(parseRoute('#lesson=one-batch&stop=1000')).toMatchObject({ kind: 'bad' });
    expect(parseRoute('#v=1&lesson=one-batch')).toEqual({
      kind: 'bad',
      error: 'link version 1 has no lessons (2 has)',
    });
  });

  it('round-trips the link a stop writes', () => {
    expect(lessonHash('compaction', 1)).toBe('#lesson=compaction&stop=2');
    expect(parseRoute(lessonHash('compaction', 1))).toEqual({ kind: 'lesson', id: 'compaction', stop: 1 });
  });

  it('reads any hash as one route without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `#lesson=${s}&stop=${s}`),
        ),
        (hash) => {
          const r = parseRoute(hash);
          expect(['home', 'lab', 'lesson', 'share', 'bad']).toContain(r.kind);
          if (r.kind === 'lesson') expect(r.stop).toBeGreaterThanOrEqual(0);
          if (r.kind === 'bad') expect(r.error.length).toBeLessThan(200);
        },
      ),
    );
  });
});
