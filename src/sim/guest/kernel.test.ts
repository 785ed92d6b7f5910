import { describe, expect, it } from 'vitest';
import {
  FRAME_ANON,
  FRAME_BALLOON,
  FRAME_FILE,
  FRAME_FREE,
  FRAME_KERNEL,
  FRAME_VIRTIO,
  HOST_RESIDENT,
} from '../../core/abi.ts';
import { asKernelPage } from '../../core/units.ts';
import { checkInvariants } from './invariants.ts';
import { deflate, expectNoInvariantErrors, inflate, makeGuest, markPage, run } from './testing.ts';
import { intSqrt } from './watermarks.ts';

// A 64 MiB guest of 4 KiB pages: 16384 pages; kernel image min(16384/50 + 2048, 8192) = 2375 pages.
const MANAGED = 16384 - 2375;

describe('GuestKernel boot', () => {
  it('reserves the kernel image and the virtio window, backed by the host; the rest is free and untouched', () => {
    const { core, kernel, log } = makeGuest({ windowFrame: 8192 });
    expect(kernel.nPages).toBe(16384);
    expect(kernel.reservedPages).toBe(2375 + 16);
    expect(kernel.totalramPages).toBe(MANAGED - 16);
    expect(core.stateCount(FRAME_KERNEL)).toBe(2375);
    expect(core.stateCount(FRAME_VIRTIO)).toBe(16);
    expect(core.stateCount(FRAME_FREE)).toBe(MANAGED - 16);
    expect(core.hostCounts()[HOST_RESIDENT]).toBe(2375 + 16);
    expect(core.frames[8192]).toBe(FRAME_VIRTIO);
    expect(core.frames[2374]).toBe(FRAME_KERNEL);
    expect(core.frames[2375]).toBe(FRAME_FREE);
    expect(log.lines[0].text).toMatch(/^Memory: \d+K\/65536K available/);
    expectNoInvariantErrors(kernel);
  });

  it('a window inside the kernel image is still the window', () => {
    const { core, kernel } = makeGuest({ windowFrame: 256 });
    expect(kernel.reservedPages).toBe(2375);
    expect(core.stateCount(FRAME_VIRTIO)).toBe(16);
    expect(core.stateCount(FRAME_KERNEL)).toBe(2375 - 16);
    expectNoInvariantErrors(kernel);
  });

  it('computes min_free_kbytes and the watermarks like init_per_zone_wmark_min', () => {
    const { kernel } = makeGuest();
    // lowmem = 14009 pages · 4 KiB = 56036 KiB; int_sqrt(56036 · 16) = 946
    expect(intSqrt(56036 * 16)).toBe(946);
    expect(kernel.wmark).toEqual({ minFreeKbytes: 946, min: 236, low: 295, high: 354, totalReserve: 354 });
    // A 16 GiB guest hits neither clamp; a tiny one is clamped to 128 KiB.
    expect(intSqrt(16 * 1024 * 1024 * 16)).toBe(16384);
    const tiny = makeGuest({ ramMiB: 8, windowFrame: 1024 });
    expect(tiny.kernel.wmark.minFreeKbytes).toBe(Math.max(128, intSqrt(tiny.kernel.totalramPages * 4 * 16)));
    expect(intSqrt(0)).toBe(0);
    expect(intSqrt(2 ** 52 + 5)).toBe(2 ** 26);
  });
});

describe('accounting', () => {
  it('si_mem_available: free − reserve + file LRU − min(file/2, low), shmem not counted', () => {
    const g = makeGuest();
    const k = g.kernel;
    expect(k.siMemAvailable()).toBe(MANAGED - 354);
    run(g, 'cache', k.startWorkload('cache', 'file', 1000));
    // 1000 file pages: keep min(500, 295) = 295 of them
    expect(k.siMemAvailable()).toBe(MANAGED - 1000 - 354 + 1000 - 295);
    run(g, 'tmp', k.startWorkload('tmp', 'shmem', 1000));
    expect(k.siMemAvailable()).toBe(MANAGED - 2000 - 354 + 705);
    k.freeWorkload('cache');
    run(g, 'small', k.startWorkload('small', 'file', 400));
    // 400 file pages: keep min(200, 295) = 200
    expect(k.siMemAvailable()).toBe(MANAGED - 1400 - 354 + 200);
    expect(k.fileCachePages()).toBe(1400);
    expectNoInvariantErrors(k);
  });

  it('never reports less than nothing', () => {
    const { kernel } = makeGuest();
    inflate(kernel, MANAGED);
    expect(kernel.freePages).toBe(236);
    expect(kernel.siMemAvailable()).toBe(0);
  });

  it('meminfo in bytes, with the balloon and the managed-page adjustment', () => {
    const g = makeGuest({ swapMiB: 16 });
    const k = g.kernel;
    run(g, 'a', k.startWorkload('a', 'anon', 300));
    run(g, 's', k.startWorkload('s', 'shmem', 200));
    run(g, 'f', k.startWorkload('f', 'file', 100));
    const pages = inflate(k, 1000);
    for (let i = 0; i < pages.length; i++) k.adjustManagedPageCount(-1);
    const m = k.meminfo();
    const B = 4096;
    expect(m.MemTotal).toBe((MANAGED - 1000) * B);
    expect(m.MemFree).toBe((MANAGED - 1600) * B);
    expect(m.MemAvailable).toBe(k.siMemAvailable() * B);
    expect(m.Cached).toBe(300 * B);
    expect(m.AnonPages).toBe(300 * B);
    expect(m.Shmem).toBe(200 * B);
    expect(m.SwapTotal).toBe(16 * 1024 * 1024);
    expect(m.SwapFree).toBe(16 * 1024 * 1024);
    expect(m.Balloon).toBe(1000 * B);
    expectNoInvariantErrors(k);
  });
});

describe('balloonPageAlloc and putPage', () => {
  it('hands out ascending consecutive pages and leaves their frames to the driver', () => {
    // Window inside the kernel image: free memory is one stretch, split smallest block first.
    const { core, kernel } = makeGuest({ windowFrame: 256 });
    const pages = Array.from({ length: 300 }, () => kernel.balloonPageAlloc());
    expect(pages).toEqual(Array.from({ length: 300 }, (_, i) => 2375 + i));
    expect(core.frames[2375]).toBe(FRAME_FREE);
    expect(kernel.freePages).toBe(MANAGED - 300);
    expect(kernel.driverPages).toBe(300);
    expect(kernel.cpuDebtUs).toBeCloseTo(300 * 0.3, 6);
    expect(kernel.takeCpuDebt()).toBe(90);
    expect(kernel.vm.allocStall).toBe(0);
  });

  it('takes the smallest free block first (__rmqueue_smallest), so a hole is used before fresh memory', () => {
    // The window at frame 8192 leaves an order-4 block [8208, 8224) beside it.
    const { kernel } = makeGuest({ windowFrame: 8192 });
    const pages = Array.from({ length: 41 }, () => kernel.balloonPageAlloc());
    const runs: number[][] = [];
    for (const p of pages) {
      const last = runs.at(-1);
      if (last && p === last[1] + 1) last[1] = p;
      else runs.push([p, p]);
    }
    expect(runs).toEqual([
      [2375, 2399],
      [8208, 8223],
    ]);
  });

  it('putPages frees runs in either direction and marks their frames FREE', () => {
    const { core, kernel } = makeGuest();
    const got = inflate(kernel, 600);
    expect(core.stateCount(FRAME_BALLOON)).toBe(600);
    expect(kernel.vm.balloonInflate).toBe(600);
    const back = deflate(kernel, 600);
    expect(back).toEqual([...got].reverse());
    expect(kernel.vm.balloonDeflate).toBe(600);
    expect(core.stateCount(FRAME_BALLOON)).toBe(0);
    expect(kernel.freePages).toBe(MANAGED);
    expect(kernel.buddy.largestFreeOrder()).toBe(10);
    expectNoInvariantErrors(kernel);
  });

  it('refuses to free a page the balloon does not hold, or one still on its list', () => {
    const { kernel } = makeGuest();
    const [p] = inflate(kernel, 1);
    expect(() => kernel.putPage(asKernelPage(p))).toThrow(/still on a list/);
    expect(() => kernel.putPage(asKernelPage(5000))).toThrow(/is free/);
    expect(() => kernel.putPage(asKernelPage(0))).toThrow(/is kernel/);
  });

  it('dequeue is LIFO and -1 when the balloon is empty', () => {
    const { kernel } = makeGuest();
    const got = inflate(kernel, 3);
    expect(kernel.balloon.count).toBe(3);
    expect([...kernel.balloon.pages()]).toEqual([...got].reverse());
    expect(kernel.balloon.dequeue()).toBe(got[2]);
    expect(kernel.balloon.dequeue()).toBe(got[1]);
    expect(kernel.balloon.dequeue()).toBe(got[0]);
    expect(kernel.balloon.dequeue()).toBe(-1);
  });

  // balloonPageAllocMany, enqueueMany and dequeueMany are the driver's loops in one call each: they
  // must leave the kernel exactly as the one-page calls would.
  describe('the batch calls match the one-page calls', () => {
    type Setup = (g: ReturnType<typeof makeGuest>) => void;
    const setups: [string, Parameters<typeof makeGuest>[0], Setup][] = [
      ['a fresh guest', {}, () => {}],
      ['a hole before fresh memory', { windowFrame: 8192 }, () => {}],
      [
        'page cache to reclaim on the way to the watermark',
        {},
        (g) => {
          run(g, 'cache', g.kernel.startWorkload('cache', 'file', 4000));
          run(g, 'app', g.kernel.startWorkload('app', 'anon', 4000));
        },
      ],
    ];

    function observe(g: ReturnType<typeof makeGuest>, pages: number[]) {
      const k = g.kernel;
      return {
        pages,
        free: k.freePages,
        driver: k.driverPages,
        debt: k.takeCpuDebt(),
        vm: { ...k.vm },
        list: [...k.balloon.pages()],
        next: [k.balloonPageAlloc(), k.balloonPageAlloc()],
      };
    }

    for (const [name, options, setup] of setups) {
      it(`on ${name}, for batches that end before, at and after the memory runs out`, () => {
        for (const n of [1, 256, 5000, MANAGED]) {
          const one = makeGuest(options);
          setup(one);
          const single: number[] = [];
          for (let i = 0; i < n; i++) {
            const p = one.kernel.balloonPageAlloc();
            if (p < 0) break;
            single.push(p);
          }
          for (let i = single.length - 1; i >= 0; i--) one.kernel.balloon.enqueue(asKernelPage(single[i]));

          const many = makeGuest(options);
          setup(many);
          const out = new Int32Array(n);
          const got = many.kernel.balloonPageAllocMany(out, n);
          many.kernel.balloon.enqueueMany(out, got);
          for (const p of out.subarray(0, got)) markPage(many.kernel, p, FRAME_BALLOON); // the driver's part
          expectNoInvariantErrors(many.kernel);

          expect(observe(many, [...out.subarray(0, got)])).toEqual(observe(one, single));
        }
      });
    }

    it('dequeueMany takes what dequeue would, stops when the list is empty, and keeps the rest linked', () => {
      const a = makeGuest();
      const b = makeGuest();
      inflate(a.kernel, 700);
      inflate(b.kernel, 700);
      const singles: number[] = [];
      for (let i = 0; i < 300; i++) singles.push(a.kernel.balloon.dequeue());
      const out = new Int32Array(300);
      expect(b.kernel.balloon.dequeueMany(out, 300)).toBe(300);
      expect([...out]).toEqual(singles);
      expect([...b.kernel.balloon.pages()]).toEqual([...a.kernel.balloon.pages()]);
      expect(b.kernel.vm.balloonDeflate).toBe(a.kernel.vm.balloonDeflate);
      const rest = new Int32Array(1000);
      expect(b.kernel.balloon.dequeueMany(rest, 1000)).toBe(400);
      expect(b.kernel.balloon.count).toBe(0);
      expect(b.kernel.balloon.dequeueMany(rest, 5)).toBe(0);
      b.kernel.putPages([...out, ...rest.subarray(0, 400)].map(asKernelPage));
      expectNoInvariantErrors(b.kernel);
    });
  });

  it('NORETRY: drops page cache (oldest first) before failing, and never calls the OOM killer', () => {
    const g = makeGuest();
    const k = g.kernel;
    run(g, 'cache', k.startWorkload('cache', 'file', 4000));
    run(g, 'app', k.startWorkload('app', 'anon', 4000));
    const firstCachePage = k.lists.last(11);
    const got = inflate(k, MANAGED);
    // Everything but the anon pages and the min watermark: the page cache went to the balloon.
    expect(got.length).toBe(MANAGED - 4000 - 236);
    expect(k.nrFile).toBe(0);
    expect(k.vm.pgsteal).toBe(4000);
    expect(k.vm.allocStall).toBeGreaterThanOrEqual(4000 / 32);
    expect(got).toContain(firstCachePage);
    expect(k.vm.oomKill).toBe(0);
    expect(k.workload('app')!.resident).toBe(4000);
    expect(g.log.lines.some((l) => /Out of memory|oom-killer/.test(l.text))).toBe(false);
    expect(k.balloonPageAlloc()).toBe(-1);
    expectNoInvariantErrors(k);
  });

  it('NORETRY with swap: pushes anon memory out to swap rather than fail', () => {
    const g = makeGuest({ swapMiB: 8 });
    const k = g.kernel;
    run(g, 'app', k.startWorkload('app', 'anon', 12000));
    const got = inflate(k, 3000);
    expect(got.length).toBe(3000);
    expect(k.vm.pswpout).toBeGreaterThan(0);
    expect(k.swapUsedPages).toBe(k.vm.pswpout);
    expect(k.workload('app')!.swapped).toBe(k.swapUsedPages);
    expect(k.vm.oomKill).toBe(0);
    expectNoInvariantErrors(k);
  });
});

describe('16 and 64 KiB pages', () => {
  for (const pageKiB of [16, 64] as const) {
    it(`${pageKiB} KiB: every kernel page covers ${pageKiB / 4} frames, marked together`, () => {
      const g = makeGuest({ pageKiB, swapMiB: 4 });
      const k = g.kernel;
      const ppp = pageKiB / 4;
      expect(k.ppp).toBe(ppp);
      expect(k.nPages).toBe(16384 / ppp);
      expect(k.reservedPages).toBe(Math.ceil(2375 / ppp));
      const got = inflate(k, 100);
      expect(g.core.stateCount(FRAME_BALLOON)).toBe(100 * ppp);
      run(g, 'f', k.startWorkload('f', 'file', 50));
      run(g, 'a', k.startWorkload('a', 'anon', 60));
      expect(g.core.stateCount(FRAME_FILE)).toBe(50 * ppp);
      expect(g.core.stateCount(FRAME_ANON)).toBe(60 * ppp);
      expect(k.meminfo().Cached).toBe(50 * pageKiB * 1024);
      expectNoInvariantErrors(k);
      deflate(k, 100);
      expect(got.length).toBe(100);
      expect(g.core.stateCount(FRAME_FREE)).toBe(k.freePages * ppp);
      expect(k.wmark.min).toBe(Math.floor(k.wmark.minFreeKbytes / pageKiB));
      expectNoInvariantErrors(k);
    });
  }
});

describe('checkInvariants', () => {
  it('accepts pages the driver holds unmarked only when told how many it has in hand', () => {
    const { kernel } = makeGuest();
    const a = kernel.balloonPageAlloc();
    const b = kernel.balloonPageAlloc();
    expect(a).not.toBe(-1);
    expect(b).not.toBe(-1);
    expect(checkInvariants(kernel)).toEqual([
      '2 balloon pages still show FREE frames; the driver has 0 in hand',
    ]);
    expect(checkInvariants(kernel, { pagesInHand: 2 })).toEqual([]);
    kernel.putPages([asKernelPage(a), asKernelPage(b)]);
    expectNoInvariantErrors(kernel);
  });
});
