import { describe, expect, it } from 'vitest';
import { RatelimitState, ratelimit, suppressedLine } from './ratelimit.ts';
import { JIFFY_US } from './timing.ts';

describe('ratelimit: ___ratelimit with the default state (5 * HZ, burst 10)', () => {
  it('prints 10 in an interval, counts the rest, and reports them when a later interval starts', () => {
    const rs = new RatelimitState();
    const said = [];
    // A call every 200 ms for 12 s: the first interval begins at 1 s.
    for (let us = 1_000_000; us < 13_000_000; us += 200_000) said.push({ us, ...ratelimit(rs, us) });
    const printed = said.filter((s) => s.print);
    expect(printed.slice(0, 10).map((s) => s.us)).toEqual(said.slice(0, 10).map((s) => s.us));
    // The interval ends 1250 jiffies after it began; the first call strictly after that starts a new
    // one: at 6.2 s (1 s + 5 s is not yet "after"), having missed the 16 calls of 3 s … 6 s.
    const report = said.find((s) => s.suppressed > 0)!;
    expect(report.us).toBe(6_200_000);
    expect(report.suppressed).toBe(16);
    expect(report.print).toBe(true);
    expect(said.filter((s) => s.suppressed > 0)).toHaveLength(2);
    expect(printed).toHaveLength(28); // 10, 10, then 8 of the last interval before 13 s
  });

  it('an interval of exactly 5 s is not over yet: time_is_before_jiffies is strict', () => {
    const rs = new RatelimitState();
    for (let i = 0; i < 11; i++) ratelimit(rs, 0);
    expect(ratelimit(rs, 1250 * JIFFY_US)).toEqual({ print: false, suppressed: 0 });
    expect(ratelimit(rs, 1251 * JIFFY_US)).toEqual({ print: true, suppressed: 2 });
  });

  it('says nothing about suppression when nothing was missed', () => {
    const rs = new RatelimitState();
    ratelimit(rs, 0);
    expect(ratelimit(rs, 60_000_000)).toEqual({ print: true, suppressed: 0 });
    expect(suppressedLine('fill_balloon', 15)).toBe('fill_balloon: 15 callbacks suppressed');
  });
});
