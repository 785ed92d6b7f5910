import { describe, expect, it } from 'vitest';
import { expectNoInvariantErrors, inflate, makeGuest, run } from './testing.ts';

describe('kswapd', () => {
  it('is woken by an allocation at the low watermark and reclaims page cache until free is above high', () => {
    const g = makeGuest();
    const k = g.kernel;
    run(g, 'cache', k.startWorkload('cache', 'file', 3000));
    const w = k.wmark;
    // Down to one page above low: nothing woken yet.
    inflate(k, k.freePages - w.low - 1);
    expect(k.kswapdAwake).toBe(false);
    // The next page takes free memory to the low watermark: the fast path fails, kswapd is woken.
    inflate(k, 1);
    expect(k.freePages).toBe(w.low);
    expect(k.kswapdAwake).toBe(true);
    expect(g.sched.liveTasks).toBe(1);
    g.sched.runUntil(1e9);
    expect(k.kswapdAwake).toBe(false);
    // It stopped at the first round past the high watermark, in rounds of SWAP_CLUSTER_MAX.
    expect(k.freePages).toBeGreaterThan(w.high);
    expect(k.freePages - w.low).toBe(Math.ceil((w.high + 1 - w.low) / 32) * 32);
    expect(k.vm.kswapdSteal).toBe(k.vm.pgsteal);
    expect(k.vm.allocStall).toBe(0);
    expect(k.nrFile).toBe(3000 - k.vm.kswapdSteal);
    expectNoInvariantErrors(k);
  });

  it('is not woken when there is nothing it could reclaim', () => {
    const g = makeGuest();
    const k = g.kernel;
    run(g, 'app', k.startWorkload('app', 'anon', 3000));
    inflate(k, k.freePages);
    expect(k.freePages).toBe(k.wmark.min);
    expect(k.kswapdAwake).toBe(false);
    expect(k.vm.pgsteal).toBe(0);
  });
});
