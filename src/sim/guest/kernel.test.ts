import { describe, expect, it } from 'vitest';
import {
  FRAME_ANON,
  FRAME_BALLOON,
  FRAME_DEFLATING,
  FRAME_FILE,
  FRAME_FREE,
  FRAME_KERNEL,
  FRAME_VIRTIO,
  HOST_RESIDENT,
} from '../../core/abi.ts';
import { asKernelPage, type KernelPage } from '../../core/units.ts';
import { PageRuns } from '../page-runs.ts';
import { KNOWN_RUNS_MAX } from './balloon-dev-info.ts';
import { checkInvariants } from './invariants.ts';
import { LIST_BALLOON } from './kinds.ts';
import { checkPageLists, forEachFreeBlock } from './list-checks.ts';
import { NOT_ON_LIST } from './pagelists.ts';
import { deflate, expectNoInvariantErrors, inflate, makeGuest, markPage, run } from './testing.ts';
import { computeWatermarks, intSqrt, memAvailable } from './watermarks.ts';

// A 64 MiB guest of 4 KiB pages: 16384 pages, laid out by boot-layout.ts (the calibrated figures a
// quarter of a 256 MiB guest's, calibration.test.ts checks them against the real guest). What is free
// at boot, each test reads from the kernel.

describe('GuestKernel boot', () => {
  it('reserves boot memory and the virtio window, backed by the host; the rest is free, untouched but the image it freed', () => {
    const { core, kernel, log } = makeGuest({ windowFrame: 8192 });
    expect(kernel.nPages).toBe(16384);
    const inUse = kernel.bootInUsePages;
    expect(kernel.totalramPages).toBe(16384 - kernel.reservedPages);
    expect(kernel.freePages).toBe(kernel.totalramPages - inUse);
    expect(core.stateCount(FRAME_KERNEL)).toBe(kernel.reservedPages - 16 + inUse);
    expect(core.stateCount(FRAME_VIRTIO)).toBe(16);
    expect(core.stateCount(FRAME_FREE)).toBe(kernel.freePages);
    // The init sections and gaps the kernel freed inside its image are free, and still backed.
    expect(kernel.imageFreedPages).toBeGreaterThan(0);
    expect(core.hostCounts()[HOST_RESIDENT]).toBe(16384 - kernel.freePages + kernel.imageFreedPages);
    expect(core.frames[8192]).toBe(FRAME_VIRTIO);
    // The first 1 MiB (scaled: 256 KiB) is reserved, the next page is free.
    expect(core.frames[63]).toBe(FRAME_KERNEL);
    expect(core.frames[64]).toBe(FRAME_FREE);
    expect(core.frames[16383]).toBe(FRAME_KERNEL);
    expect(log.lines[0].text).toMatch(/^Memory: \d+K\/65536K available/);
    expectNoInvariantErrors(kernel);
  });

  it('a window inside the reserved low memory still counts as the window, and reserves no more', () => {
    const elsewhere = makeGuest({ windowFrame: 8192 }).kernel;
    const { core, kernel } = makeGuest({ windowFrame: 16 });
    expect(kernel.reservedPages).toBe(elsewhere.reservedPages);
    expect(core.stateCount(FRAME_VIRTIO)).toBe(16);
    expect(core.frames[16]).toBe(FRAME_VIRTIO);
    expectNoInvariantErrors(kernel);
  });

  it('computes min_free_kbytes and the watermarks as Linux 6.1 does', () => {
    // 213,940 kB managed when init_per_zone_wmark_min runs (the 256 MiB guest):
    // int_sqrt(213940 · 16) = 1850; min 462; gap max(462/4, 53485 · 10/10000) = 115.
    expect(computeWatermarks(53_485, 4)).toEqual({
      minFreeKbytes: 1850,
      min: 462,
      low: 577,
      high: 692,
      totalReserve: 692,
    });
    // 16 GiB: the scale factor's gap (0.1 % of the zone) is the larger one.
    const big = computeWatermarks(4_100_000, 4);
    expect(big.minFreeKbytes).toBe(intSqrt(16_400_000 * 16));
    expect(big.low - big.min).toBe(4100);
    expect(big.high - big.min).toBe(8200);
    // A tiny guest is clamped to 128 KiB.
    expect(computeWatermarks(100, 4).minFreeKbytes).toBe(128);
    expect(intSqrt(0)).toBe(0);
    expect(intSqrt(2 ** 52 + 5)).toBe(2 ** 26);
  });
});

describe('accounting', () => {
  it('si_mem_available: free − reserve + file LRU − min(file/2, low) + the same of reclaimable slab', () => {
    const g = makeGuest();
    const k = g.kernel;
    const w = k.wmark;
    const free0 = k.freePages;
    const slab = k.sReclaimablePages - Math.min(Math.floor(k.sReclaimablePages / 2), w.low);
    expect(slab).toBeGreaterThan(0);
    expect(k.siMemAvailable()).toBe(free0 - w.high + slab);
    run(g, 'cache', k.startWorkload('cache', 'file', 1000));
    // 1000 file pages: keep min(500, low) of them
    expect(k.siMemAvailable()).toBe(free0 - 1000 - w.high + 1000 - Math.min(500, w.low) + slab);
    run(g, 'tmp', k.startWorkload('tmp', 'shmem', 1000));
    expect(k.siMemAvailable()).toBe(free0 - 2000 - w.high + 1000 - Math.min(500, w.low) + slab);
    k.freeWorkload('cache');
    run(g, 'small', k.startWorkload('small', 'file', 400));
    // 400 file pages: keep min(200, low) = 200
    expect(k.siMemAvailable()).toBe(free0 - 1400 - w.high + 200 + slab);
    expect(k.fileCachePages()).toBe(1400);
    expectNoInvariantErrors(k);
  });

  it('never reports less than nothing', () => {
    const w = computeWatermarks(16_000, 4);
    expect(memAvailable(w.min, 0, w)).toBe(0);
    expect(memAvailable(0, 10, w, 10)).toBe(0);
  });

  it('meminfo in bytes, with the balloon and the managed-page adjustment', () => {
    const g = makeGuest({ swapMiB: 16 });
    const k = g.kernel;
    const total0 = k.totalramPages;
    const free0 = k.freePages;
    run(g, 'a', k.startWorkload('a', 'anon', 300));
    run(g, 's', k.startWorkload('s', 'shmem', 200));
    run(g, 'f', k.startWorkload('f', 'file', 100));
    const pages = inflate(k, 1000);
    for (let i = 0; i < pages.length; i++) k.adjustManagedPageCount(-1);
    const m = k.meminfo();
    const B = 4096;
    expect(m.MemTotal).toBe((total0 - 1000) * B);
    expect(m.MemFree).toBe((free0 - 1600) * B);
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
    // Once the blocks below order 9 are used up, the lowest order-9 block, [512, 1024) between the
    // first (scaled) MiB and the kernel image, is split: its pages come out ascending.
    const { core, kernel } = makeGuest({ windowFrame: 16384 - 16 });
    let small = 0;
    forEachFreeBlock(kernel.buddy, (_h, order) => {
      if (order < 9) small += 1 << order;
    });
    for (let i = 0; i < small; i++) kernel.balloonPageAlloc();
    kernel.takeCpuDebt();
    const debt0 = kernel.cpuDebtUs; // the fraction of a µs takeCpuDebt keeps
    const free0 = kernel.freePages;
    const pages = Array.from({ length: 300 }, () => kernel.balloonPageAlloc());
    expect(pages).toEqual(Array.from({ length: 300 }, (_, i) => 512 + i));
    expect(core.frames[512]).toBe(FRAME_FREE);
    expect(kernel.freePages).toBe(free0 - 300);
    expect(kernel.driverPages).toBe(small + 300);
    expect(kernel.cpuDebtUs - debt0).toBeCloseTo(300 * 0.3, 6);
    expect(kernel.takeCpuDebt()).toBe(Math.floor(debt0 + 90));
    expect(kernel.vm.allocStall).toBe(0);
  });

  it('takes the smallest free block first (__rmqueue_smallest), so a hole is used before fresh memory', () => {
    // The window at frame 8192 leaves an order-4 block [8208, 8224) beside it: it goes before any
    // block of order 5 or more, and every block of order 4 or less goes before it is done.
    const { kernel } = makeGuest({ windowFrame: 8192 });
    const small = new Set<number>();
    forEachFreeBlock(kernel.buddy, (h, order) => {
      if (order <= 4) for (let p = h; p < h + (1 << order); p++) small.add(p);
    });
    expect(small.has(8208) && small.has(8223)).toBe(true);
    const pages = Array.from({ length: small.size }, () => kernel.balloonPageAlloc());
    expect(new Set(pages)).toEqual(small);
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
    expect(kernel.freePages).toBe(kernel.totalramPages - kernel.bootInUsePages);
    expect(kernel.buddy.largestFreeOrder()).toBe(10);
    expectNoInvariantErrors(kernel);
  });

  it('refuses to free a page the balloon does not hold, or one still on its list', () => {
    const { kernel } = makeGuest();
    const [p] = inflate(kernel, 1);
    expect(() => kernel.putPage(asKernelPage(p))).toThrow(/still on a list/);
    expect(() => kernel.putPage(asKernelPage(9000))).toThrow(/is free/);
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

  // balloonPageAllocRuns, enqueueRuns, dequeueRuns and putRuns are the driver's loops in one call
  // each: they must leave the kernel exactly as the one-page calls would.
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
        for (const n of [1, 256, 5000, 16384]) {
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
          const out = new PageRuns(n);
          const got = many.kernel.balloonPageAllocRuns(out, n);
          expect(out.pages).toBe(got);
          many.kernel.balloon.enqueueRuns(out);
          for (const p of out.toArray()) markPage(many.kernel, p, FRAME_BALLOON); // the driver's part
          expectNoInvariantErrors(many.kernel);

          expect(observe(many, out.toArray())).toEqual(observe(one, single));
        }
      });
    }

    it('dequeueRuns takes what dequeue would, stops when the list is empty, and keeps the rest linked', () => {
      const a = makeGuest();
      const b = makeGuest();
      inflate(a.kernel, 700);
      inflate(b.kernel, 700);
      const singles: number[] = [];
      for (let i = 0; i < 300; i++) singles.push(a.kernel.balloon.dequeue());
      const out = new PageRuns();
      expect(b.kernel.balloon.dequeueRuns(out, 300)).toBe(300);
      expect(out.toArray()).toEqual(singles);
      expect(out.runs).toBeLessThan(4); // consecutive pages come back as runs
      expect([...b.kernel.balloon.pages()]).toEqual([...a.kernel.balloon.pages()]);
      expect(b.kernel.vm.balloonDeflate).toBe(a.kernel.vm.balloonDeflate);
      const rest = new PageRuns();
      expect(b.kernel.balloon.dequeueRuns(rest, 1000)).toBe(400);
      expect(b.kernel.balloon.count).toBe(0);
      expect(b.kernel.balloon.dequeueRuns(rest, 5)).toBe(0);
      b.kernel.putPages([...out.toArray(), ...rest.toArray()].map(asKernelPage));
      expectNoInvariantErrors(b.kernel);
    });

    // A balloon list in any order: pages enqueued singly in a shuffled order (as compaction's moves
    // and the slow path leave it), in runs up, down and of one page, next to each other or not.
    function shuffledBalloon(seed: number, viaRuns = false) {
      const g = makeGuest();
      const got = inflate(g.kernel, 900);
      for (const p of got) g.kernel.balloon.delete(asKernelPage(p));
      const order = [...got];
      // pieces of the allocation order, some reversed, in a scrambled order
      let x = seed;
      const rand = (n: number) => {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        return x % n;
      };
      const pieces: number[][] = [];
      while (order.length > 0) {
        const piece = order.splice(0, 1 + rand(40));
        pieces.push(rand(3) === 0 ? piece.reverse() : piece);
      }
      for (let i = pieces.length - 1; i > 0; i--) {
        const j = rand(i + 1);
        [pieces[i], pieces[j]] = [pieces[j], pieces[i]];
      }
      const listed = pieces.flat();
      if (viaRuns) {
        // as one batch of runs: the list's summary of itself holds them
        const runs = new PageRuns(listed.length);
        for (const p of listed) runs.add(p);
        g.kernel.balloon.enqueueRuns(runs);
      } else {
        // one page at a time, last first
        for (let i = listed.length - 1; i >= 0; i--) g.kernel.balloon.enqueue(asKernelPage(listed[i]));
      }
      return { g, listed };
    }

    it('enqueueRuns and dequeueRuns keep any order: runs up, down, of one page', () => {
      for (const [seed, viaRuns] of [1, 2, 3, 4, 5].flatMap((x) => [
        [x, false] as const,
        [x, true] as const,
      ])) {
        const { g, listed } = shuffledBalloon(seed, viaRuns);
        expect([...g.kernel.balloon.pages()]).toEqual(listed);
        const out = new PageRuns();
        expect(g.kernel.balloon.dequeueRuns(out, 256)).toBe(256);
        expect(out.toArray()).toEqual(listed.slice(0, 256));
        // and back on, as a batch: the list reads as it did
        g.kernel.balloon.enqueueRuns(out);
        expect([...g.kernel.balloon.pages()]).toEqual(listed);
        expect(checkPageLists(g.kernel.lists)).toEqual([]);
        expectNoInvariantErrors(g.kernel);
      }
    });

    // dequeueRuns takes its pages from a summary of the list as runs while nothing else changed the
    // list; these change it behind the summary's back, and the links must win.
    it('dequeueRuns follows the links once anything else changed the list', () => {
      const cases: [string, (g: ReturnType<typeof makeGuest>, listed: number[]) => number[]][] = [
        [
          'a page isolated from the middle',
          (g, listed) => {
            g.kernel.balloon.delete(asKernelPage(listed[100]));
            return listed.filter((_, i) => i !== 100);
          },
        ],
        [
          'a page isolated and another put at the head (a migration)',
          (g, listed) => {
            g.kernel.balloon.delete(asKernelPage(listed[5]));
            g.kernel.balloon.insert(asKernelPage(listed[5]));
            return [listed[5], ...listed.filter((_, i) => i !== 5)];
          },
        ],
        [
          'a page moved through the lists directly',
          (g, listed) => {
            g.kernel.lists.remove(listed[300]);
            g.kernel.lists.addTail(LIST_BALLOON, listed[300]);
            return [...listed.filter((_, i) => i !== 300), listed[300]];
          },
        ],
      ];
      for (const [name, change] of cases) {
        const g = makeGuest();
        const runs = new PageRuns();
        g.kernel.balloonPageAllocRuns(runs, 512);
        g.kernel.balloon.enqueueRuns(runs);
        for (const p of runs.toArray()) markPage(g.kernel, p, FRAME_BALLOON);
        const expected = change(g, runs.toArray());
        const out = new PageRuns(1024);
        const got = g.kernel.balloon.dequeueRuns(out, 1000);
        expect({ name, pages: out.toArray() }).toEqual({ name, pages: expected });
        expect(got).toBe(expected.length);
        expect(g.kernel.balloon.count).toBe(0);
        expect(checkPageLists(g.kernel.lists)).toEqual([]);
      }
    });

    it('dequeueRuns follows the links when the list is too scattered to summarise', () => {
      const g = makeGuest({ ramMiB: 256 });
      const runs = new PageRuns(65536);
      g.kernel.balloonPageAllocRuns(runs, 2 * KNOWN_RUNS_MAX + 10);
      const pages = runs.toArray();
      // every other page, one at a time: more runs than the summary keeps
      const odd = pages.filter((_, i) => i % 2 === 1);
      for (const p of odd) g.kernel.balloon.enqueue(asKernelPage(p));
      const out = new PageRuns(65536);
      expect(g.kernel.balloon.dequeueRuns(out, odd.length)).toBe(odd.length);
      expect(out.toArray()).toEqual([...odd].reverse());
      expect(checkPageLists(g.kernel.lists)).toEqual([]);
    });

    it('putRuns frees exactly as putPages does, whatever the runs', () => {
      for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
        const a = shuffledBalloon(seed);
        const b = shuffledBalloon(seed);
        for (let left = 900; left > 0; ) {
          const runs = new PageRuns();
          const n = Math.min(left, 1 + ((seed * 37 + left) % 256));
          expect(b.g.kernel.balloon.dequeueRuns(runs, n)).toBe(n);
          const singles: KernelPage[] = [];
          for (let i = 0; i < n; i++) singles.push(asKernelPage(a.g.kernel.balloon.dequeue()));
          for (const p of singles) markPage(a.g.kernel, p, FRAME_DEFLATING);
          for (const p of runs.toArray()) markPage(b.g.kernel, p, FRAME_DEFLATING);
          a.g.kernel.putPages(singles);
          b.g.kernel.putRuns(runs);
          left -= n;
        }
        const ka = a.g.kernel;
        const kb = b.g.kernel;
        // The links of every page on a list and of every head (an unlisted page's links are stale)
        const links = (k: typeof ka) =>
          Array.from(k.lists.next, (n, i) =>
            i >= k.lists.nPages || k.lists.on[i] !== NOT_ON_LIST ? [n, k.lists.prev[i]] : null,
          );
        expect(links(kb)).toEqual(links(ka));
        expect(kb.lists.on).toEqual(ka.lists.on);
        expect(kb.buddy.order).toEqual(ka.buddy.order);
        expect(kb.kind).toEqual(ka.kind);
        expect(kb.freePages).toBe(ka.freePages);
        expect(kb.driverPages).toBe(0);
        expect(b.g.core.frames).toEqual(a.g.core.frames);
        expectNoInvariantErrors(kb);
      }
    });

    it('putRuns of a page the balloon does not hold says which, as putPages does', () => {
      const { kernel } = makeGuest();
      const [p] = inflate(kernel, 1);
      const runs = new PageRuns();
      runs.add(p);
      expect(() => kernel.putRuns(runs)).toThrow(/still on a list/);
      runs.clear();
      runs.add(9000);
      expect(() => kernel.putRuns(runs)).toThrow(/is free/);
    });

    it('putRuns checks every page of a long run, not only its ends', () => {
      const { kernel } = makeGuest();
      inflate(kernel, 600);
      const runs = new PageRuns();
      expect(kernel.balloon.dequeueRuns(runs, 600)).toBe(600);
      let longest = 0;
      for (let r = 1; r < runs.runs; r++) if (runs.count[r] > runs.count[longest]) longest = r;
      expect(runs.count[longest]).toBeGreaterThan(100);
      const mid = runs.low(longest) + 50;
      for (const middle of [mid, mid + 1, mid + 2, mid + 3]) {
        kernel.balloon.insert(asKernelPage(middle)); // back on the list: it may not be freed
        expect(() => kernel.putRuns(runs)).toThrow(new RegExp(`page ${middle} is still on a list`));
        kernel.balloon.delete(asKernelPage(middle));
      }
      expect(kernel.driverPages).toBe(600); // nothing was freed on the way
      kernel.putRuns(runs);
      expect(kernel.driverPages).toBe(0);
      expectNoInvariantErrors(kernel);
    });
  });

  it('NORETRY: drops page cache (oldest first) before failing, and never calls the OOM killer', () => {
    const g = makeGuest();
    const k = g.kernel;
    run(g, 'cache', k.startWorkload('cache', 'file', 4000));
    run(g, 'app', k.startWorkload('app', 'anon', 4000));
    const firstCachePage = k.lists.last(11);
    const free = k.freePages;
    const got = inflate(k, 16384);
    // Everything but the anon pages and the min watermark: the page cache went to the balloon.
    expect(got.length).toBe(free + 4000 - k.wmark.min);
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
    run(g, 'app', k.startWorkload('app', 'anon', k.freePages - 2000));
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
      expect(k.totalramPages).toBe(k.nPages - k.reservedPages);
      expect(g.core.stateCount(FRAME_KERNEL)).toBe((k.reservedPages - 16 / ppp + k.bootInUsePages) * ppp);
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
