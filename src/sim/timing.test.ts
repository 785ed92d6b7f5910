import { describe, expect, it } from 'vitest';
import { createPrng } from './prng.ts';
import {
  JIFFY_US,
  msleepUs,
  QEMU_TIMER_LATENCY_MAX_US,
  qemuMsTimerDelayUs,
  WAKE_LATENCY_MAX_US,
} from './timing.ts';

describe('msleepUs: msleep(ms) on a HZ=250 guest', () => {
  it('sleeps to the tick msecs_to_jiffies(ms) + 1 jiffies on, then waits to be scheduled', () => {
    const prng = createPrng(3);
    for (const now of [0, 1, 3_999, 4_000, 1_234_567]) {
      for (let k = 0; k < 50; k++) {
        const us = msleepUs(prng, 200, now);
        // 51 jiffies from the jiffy `now` falls in: more than 200 ms, at most 204 ms, plus latency.
        const tick = (Math.floor(now / JIFFY_US) + 51) * JIFFY_US;
        expect(now + us).toBeGreaterThanOrEqual(tick);
        expect(now + us).toBeLessThan(tick + WAKE_LATENCY_MAX_US);
        expect(us).toBeGreaterThan(200_000);
      }
    }
  });

  it('draws from the PRNG: the same state gives the same sleeps, another seed others', () => {
    const a = createPrng(1);
    const b = createPrng(1);
    const c = createPrng(2);
    const sa = Array.from({ length: 20 }, () => msleepUs(a, 200, 0));
    const sb = Array.from({ length: 20 }, () => msleepUs(b, 200, 0));
    const sc = Array.from({ length: 20 }, () => msleepUs(c, 200, 0));
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    expect(new Set(sa).size).toBeGreaterThan(10);
  });
});

describe('qemuMsTimerDelayUs: timer_mod(qemu_clock_get_ms() + s * 1000)', () => {
  it('is due at the whole millisecond, up to 1 ms before now + s, and runs within the latency', () => {
    const prng = createPrng(9);
    for (const now of [0, 999, 1_000, 2_500_321]) {
      for (let k = 0; k < 50; k++) {
        const due = now + qemuMsTimerDelayUs(prng, now, 1);
        expect(due).toBeGreaterThan(now + 1_000_000 - 1_000);
        expect(due).toBeLessThan(now + 1_000_000 + QEMU_TIMER_LATENCY_MAX_US);
        expect(due - (Math.floor(now / 1000) * 1000 + 1_000_000)).toBeLessThan(QEMU_TIMER_LATENCY_MAX_US);
      }
    }
  });

  it('a deadline already due (0 s) runs as soon as the main loop gets to it, never in the past', () => {
    const prng = createPrng(4);
    for (let k = 0; k < 50; k++) {
      const d = qemuMsTimerDelayUs(prng, 1_234_567, 0);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(QEMU_TIMER_LATENCY_MAX_US);
    }
  });
});
