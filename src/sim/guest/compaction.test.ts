import { describe, expect, it } from 'vitest';
import {
  FRAME_BALLOON,
  FRAME_DEFLATING,
  FRAME_FILE,
  FRAME_INFLATING,
  HOST_RESIDENT,
} from '../../core/abi.ts';
import { asKernelPage } from '../../core/units.ts';
import { sleep } from '../sched.ts';
import { EAGAIN, MIGRATEPAGE_SUCCESS } from './balloon-dev-info.ts';
import { checkInvariants } from './invariants.ts';
import {
  expectNoInvariantErrors,
  inflate,
  makeGuest,
  markPage,
  run,
  seedMigratepage,
  type TestGuest,
} from './testing.ts';

/**
 * A fragmented guest: a balloon page pinned in every 64-page stretch, the rest of memory given back,
 * then 2000 pages of page cache scattered into the holes (smallest blocks first).
 */
function fragmented(): TestGuest {
  const g = makeGuest();
  const k = g.kernel;
  inflate(k, k.freePages - k.wmark.min);
  for (const p of [...k.balloon.pages()]) {
    if (p % 64 === 5) continue;
    k.balloon.delete(asKernelPage(p));
    markPage(k, p, FRAME_DEFLATING);
    k.putPage(asKernelPage(p));
  }
  run(g, 'cache', k.startWorkload('cache', 'file', 2000));
  return g;
}

describe('compaction', () => {
  it('moves LRU and balloon pages to the top and frees a whole order-10 block', () => {
    const g = fragmented();
    const k = g.kernel;
    const balloonPages = k.balloon.count;
    expect(balloonPages).toBeGreaterThan(200);
    expect(k.buddy.largestFreeOrder()).toBeLessThanOrEqual(7); // the min-watermark pages left at the top
    expectNoInvariantErrors(k);
    const checks: string[][] = [];
    k.balloon.migratepage = seedMigratepage(k, () => checks.push(checkInvariants(k)));
    const hostBefore = g.core.hostCounts()[HOST_RESIDENT];
    run(g, 'kcompactd', k.compactMemory());
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.flat()).toEqual([]);
    expect(k.buddy.largestFreeOrder()).toBe(10);
    expect(k.balloon.count).toBe(balloonPages);
    expect(k.balloon.isolatedPages).toBe(0);
    expect(k.vm.balloonMigrate).toBeGreaterThan(100);
    expect(k.vm.compactMigrated).toBeGreaterThan(k.vm.balloonMigrate);
    expect(k.vm.compactFail).toBe(0);
    // Page cache moved with its owner, and the copies were written (host-backed).
    expect(k.workload('cache')!.resident).toBe(2000);
    expect(g.core.stateCount(FRAME_FILE)).toBe(2000);
    expect(g.core.stateCount(FRAME_BALLOON)).toBe(balloonPages);
    expect(g.core.hostCounts()[HOST_RESIDENT]).toBeGreaterThan(hostBefore);
    // Everything movable now sits above everything free.
    let lowestMovable = k.nPages;
    for (const p of k.balloon.pages()) lowestMovable = Math.min(lowestMovable, p);
    k.lists.forEach(11, (p) => {
      lowestMovable = Math.min(lowestMovable, p);
    });
    let highestFree = -1;
    k.buddy.forEachFreeBlock((h, order) => {
      highestFree = Math.max(highestFree, h + (1 << order) - 1);
    });
    expect(highestFree).toBeLessThan(lowestMovable + 64);
    expect(g.log.lines.at(-1)!.text).toMatch(
      /^compaction: migrated \d+ pages \(\d+ balloon\), 0 failed; largest free block order 10$/,
    );
    expectNoInvariantErrors(k);
  });

  it('a driver that leaves the bookkeeping to the kernel still migrates cleanly', () => {
    const g = fragmented();
    const k = g.kernel;
    k.balloon.migratepage = function* (newpage, page) {
      k.balloon.insert(newpage);
      markPage(k, newpage, FRAME_BALLOON);
      markPage(k, page, FRAME_DEFLATING);
      yield sleep(10);
      return MIGRATEPAGE_SUCCESS;
    };
    const before = k.balloon.count;
    run(g, 'kcompactd', k.compactMemory());
    expect(k.balloon.count).toBe(before);
    expect(k.balloon.isolatedPages).toBe(0);
    expect(k.vm.balloonMigrate).toBeGreaterThan(0);
    expect(k.buddy.largestFreeOrder()).toBe(10);
    expectNoInvariantErrors(k);
  });

  it('puts balloon pages back when migratepage answers -EAGAIN, and the target page back too', () => {
    const g = fragmented();
    const k = g.kernel;
    const positions = [...k.balloon.pages()].sort((a, b) => a - b);
    let calls = 0;
    k.balloon.migratepage = function* () {
      calls++;
      yield sleep(0);
      return -EAGAIN;
    };
    run(g, 'kcompactd', k.compactMemory());
    expect(calls).toBeGreaterThan(0);
    expect(k.vm.compactFail).toBe(calls);
    expect(k.vm.balloonMigrate).toBe(0);
    expect([...k.balloon.pages()].sort((a, b) => a - b)).toEqual(positions);
    expect(g.core.stateCount(FRAME_BALLOON)).toBe(positions.length);
    expect(k.balloon.isolatedPages).toBe(0);
    // The pinned balloon pages keep memory fragmented.
    expect(k.buddy.largestFreeOrder()).toBeLessThanOrEqual(7);
    expect(g.log.lines.at(-1)!.text).toContain(`${calls} failed`);
    expectNoInvariantErrors(k);
  });

  it('leaves alone balloon pages whose inflate the host has not acknowledged, and all of them without a driver', () => {
    const g = makeGuest();
    const k = g.kernel;
    run(g, 'cache', k.startWorkload('cache', 'file', 100));
    const p = k.balloonPageAlloc();
    if (p === -1) throw new Error('no page');
    markPage(k, p, FRAME_INFLATING);
    k.balloon.enqueue(p);
    const inflight = p;
    let calls = 0;
    k.balloon.migratepage = function* () {
      calls++;
      yield sleep(0);
      return MIGRATEPAGE_SUCCESS;
    };
    run(g, 'kcompactd', k.compactMemory());
    expect(calls).toBe(0);
    expect(k.balloon.has(inflight)).toBe(true);
    expect(k.vm.compactMigrated).toBe(100);
    markPage(k, inflight, FRAME_BALLOON);
    k.balloon.migratepage = null;
    run(g, 'kcompactd', k.compactMemory());
    expect(k.balloon.has(inflight)).toBe(true);
    expectNoInvariantErrors(k);
  });
});
