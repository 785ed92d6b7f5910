import { describe, expect, it } from 'vitest';
import { FRAME_ANON, FRAME_FREE, FRAME_SHMEM, HOST_RESIDENT } from '../../core/abi.ts';
import { sleep, type Task } from '../sched.ts';
import { K_ANON } from './kinds.ts';
import { deflate, expectNoInvariantErrors, inflate, makeGuest, run } from './testing.ts';

// 64 MiB of 4 KiB pages: what is free at boot, and the min watermark (boot-layout.ts lays it out).
const { freePages: MANAGED, wmark } = makeGuest().kernel;
const MIN = wmark.min;

describe('workloads', () => {
  it('fault their pages in, in chunks, backed by the host, costing faultPageUs a page', () => {
    const g = makeGuest();
    const k = g.kernel;
    const hostBefore = g.core.hostCounts()[HOST_RESIDENT];
    run(g, 'a', k.startWorkload('a', 'anon', 1000));
    const w = k.workload('a')!;
    expect(w).toMatchObject({ pid: 1000, resident: 1000, faulted: 1000, swapped: 0, state: 'resident' });
    expect(k.vm.pgfault).toBe(1000);
    expect(g.core.stateCount(FRAME_ANON)).toBe(1000);
    // The host backs each page as it is touched, except those in the image's freed part, which the
    // kernel wrote when it was decompressed there: the first pages anyone allocates after boot.
    let inFreedImage = 0;
    for (const [first, end] of k.imageFreedRuns) {
      for (let p = first; p < end; p++) if (k.kind[p] === K_ANON) inFreedImage++;
    }
    expect(inFreedImage).toBeGreaterThan(0);
    expect(g.core.hostCounts()[HOST_RESIDENT]).toBe(hostBefore + 1000 - inFreedImage);
    expect(g.sched.now).toBe(250);
    expect(k.nrAnon).toBe(1000);
    run(g, 'b', k.startWorkload('b', 'shmem', 10));
    expect(k.workload('b')!.pid).toBe(1001);
    expect(() => k.startWorkload('a', 'file', 1)).toThrow(/already exists/);
    expectNoInvariantErrors(k);
  });

  it('freeWorkload gives back resident pages and swap slots, and the name can be used again', () => {
    const g = makeGuest({ swapMiB: 16 });
    const k = g.kernel;
    run(g, 'big', k.startWorkload('big', 'shmem', 15000));
    expect(k.swapUsedPages).toBeGreaterThan(0);
    expect(k.freeWorkload('big')).toBe(true);
    expect(k.swapUsedPages).toBe(0);
    expect(k.nrShmem).toBe(0);
    expect(g.core.stateCount(FRAME_SHMEM)).toBe(0);
    expect(g.core.stateCount(FRAME_FREE)).toBe(MANAGED);
    expect(k.freeWorkload('big')).toBe(false);
    run(g, 'big', k.startWorkload('big', 'anon', 5));
    expectNoInvariantErrors(k);
  });

  it('direct reclaim drops page cache first, oldest first, before anything else', () => {
    const g = makeGuest();
    const k = g.kernel;
    run(g, 'old', k.startWorkload('old', 'file', 3000));
    run(g, 'new', k.startWorkload('new', 'file', 3000));
    run(g, 'app', k.startWorkload('app', 'anon', 8000));
    const stolen = k.vm.pgsteal;
    // Free was MANAGED − 6000: the app needed 8000 − (MANAGED − 6000 − MIN) more, in rounds of 32,
    // some taken by kswapd (woken at the low watermark, reclaiming to the high one), the rest by the
    // app's own direct reclaim.
    const needed = 8000 - (MANAGED - 6000 - MIN);
    expect(needed).toBeGreaterThan(1000);
    expect(stolen).toBeGreaterThanOrEqual(needed);
    expect(stolen).toBeLessThanOrEqual(needed + wmark.high + 64);
    expect(stolen % 32).toBe(0);
    expect(k.vm.kswapdSteal).toBeGreaterThan(0);
    expect(k.workload('old')!.resident).toBe(3000 - stolen);
    expect(k.workload('new')!.resident).toBe(3000);
    expect(k.vm.allocStall).toBe((stolen - k.vm.kswapdSteal) / 32);
    expect(k.vm.oomKill).toBe(0);
    expect(k.workload('app')!.state).toBe('resident');
    expectNoInvariantErrors(k);
  });

  it('with swap, anon and shmem go to swap (pswpout) and nobody is killed', () => {
    const g = makeGuest({ swapMiB: 16 });
    const k = g.kernel;
    run(g, 'app', k.startWorkload('app', 'anon', 16000));
    const w = k.workload('app')!;
    expect(w.state).toBe('resident');
    expect(w.resident + w.swapped).toBe(16000);
    expect(k.vm.pswpout).toBe(w.swapped);
    expect(k.swapUsedPages).toBe(w.swapped);
    expect(k.meminfo().SwapFree).toBe((4096 - w.swapped) * 4096);
    expect(k.vm.oomKill).toBe(0);
    // Each swapped page cost swapOutPageUs (20 µs), slept by whoever swapped it: kswapd and the app's
    // direct reclaim each took at least their own share of time.
    const byKswapd = k.vm.kswapdSteal;
    expect(g.sched.now).toBeGreaterThan(Math.max(byKswapd, w.swapped - byKswapd) * 20);
    expectNoInvariantErrors(k);
  });

  it('without swap, the OOM killer kills the largest workload, logging like 4.16', () => {
    const g = makeGuest();
    const k = g.kernel;
    run(g, 'big', k.startWorkload('big', 'anon', 8000));
    run(g, 'small', k.startWorkload('small', 'anon', 8000));
    expect(k.workload('big')!.state).toBe('killed');
    expect(k.workload('big')!.resident).toBe(0);
    expect(k.workload('small')!).toMatchObject({ state: 'resident', resident: 8000 });
    expect(k.vm.oomKill).toBe(1);
    const text = g.log.lines.filter((l) => l.level !== 'info').map((l) => `${l.level}: ${l.text}`);
    expect(text).toEqual([
      'warn: small invoked oom-killer: gfp_mask=0x14200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null), order=0, oom_score_adj=0',
      `err: Out of memory: Kill process 1000 (big) score ${Math.floor((8000 * 1000) / k.totalramPages)} or sacrifice child`,
      'err: Killed process 1000 (big) total-vm:32000kB, anon-rss:32000kB, file-rss:0kB, shmem-rss:0kB',
    ]);
    expectNoInvariantErrors(k);
  });

  it('the allocating workload itself is killed when it is the largest, and stops faulting', () => {
    const g = makeGuest();
    const k = g.kernel;
    run(g, 'small', k.startWorkload('small', 'shmem', 2000));
    run(g, 'hog', k.startWorkload('hog', 'anon', 20000));
    const hog = k.workload('hog')!;
    expect(hog.state).toBe('killed');
    expect(hog.faulted).toBe(MANAGED - 2000 - MIN);
    expect(k.workload('small')!.resident).toBe(2000);
    expect(g.log.lines.at(-1)!.text).toBe(
      `Killed process 1001 (hog) total-vm:80000kB, anon-rss:${hog.faulted * 4}kB, file-rss:0kB, shmem-rss:0kB`,
    );
    expectNoInvariantErrors(k);
  });

  it('fails the allocation with a log line when nothing can be freed or killed', () => {
    const g = makeGuest();
    const k = g.kernel;
    inflate(k, MANAGED);
    run(g, 'late', k.startWorkload('late', 'anon', 10));
    expect(k.workload('late')!.state).toBe('failed');
    expect(k.vm.oomKill).toBe(0);
    expect(g.log.lines.at(-1)).toMatchObject({
      level: 'warn',
      text: 'late: page allocation failure: order:0, mode:0x14200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null)',
    });
    expectNoInvariantErrors(k);
  });

  it('the OOM notifier chain runs in priority order; pages it frees prevent the kill', () => {
    const g = makeGuest();
    const k = g.kernel;
    inflate(k, 4000);
    const calls: number[] = [];
    const balloonNotifier = {
      priority: 80,
      *call(freed: { value: number }): Task {
        calls.push(80);
        yield sleep(1000); // leak_balloon waits for the host
        freed.value += deflate(k, 256).length;
      },
    };
    k.registerOomNotifier({
      priority: 10,
      *call(): Task {
        calls.push(10);
        yield sleep(0);
      },
    });
    k.registerOomNotifier(balloonNotifier);
    run(g, 'app', k.startWorkload('app', 'anon', 11000));
    expect(k.workload('app')!.state).toBe('resident');
    expect(k.vm.oomKill).toBe(0);
    const deflates = Math.ceil((11000 - (MANAGED - 4000 - MIN)) / 256);
    expect(calls).toEqual(Array.from({ length: deflates * 2 }, (_, i) => (i % 2 === 0 ? 80 : 10)));
    expect(k.balloon.count).toBe(4000 - deflates * 256);
    expect(g.log.lines.some((l) => l.level === 'err')).toBe(false);
    expect(k.unregisterOomNotifier(balloonNotifier)).toBe(true);
    expect(k.oomNotifiers.length).toBe(1);
    expectNoInvariantErrors(k);
  });

  it('a second allocator finding oom_lock taken backs off for a jiffy and retries', () => {
    const g = makeGuest();
    const k = g.kernel;
    inflate(k, 4000);
    k.registerOomNotifier({
      priority: 80,
      *call(freed: { value: number }): Task {
        yield sleep(5000);
        freed.value += deflate(k, 512).length;
      },
    });
    g.sched.spawn('a', k.startWorkload('a', 'anon', 5500));
    g.sched.spawn('b', k.startWorkload('b', 'anon', 5500));
    g.sched.runUntil(1e9);
    expect(k.workload('a')!.state).toBe('resident');
    expect(k.workload('b')!.state).toBe('resident');
    expect(k.vm.oomKill).toBe(0);
    expectNoInvariantErrors(k);
  });
});
