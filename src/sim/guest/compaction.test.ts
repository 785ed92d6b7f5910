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
import {
  COMPACT_CLUSTER_MAX,
  compactionRestart,
  compactMemory,
  MIGRATE_PASSES,
  PAGEBLOCK_ORDER,
} from './compaction.ts';
import { checkInvariants } from './invariants.ts';
import { K_ANON, K_FILE, K_SHMEM, LIST_LRU_FILE } from './kinds.ts';
import {
  deflate,
  expectNoInvariantErrors,
  inflate,
  makeGuest,
  markPage,
  run,
  seedMigratepage,
  type TestGuest,
} from './testing.ts';

/** A 64 MiB guest with the virtio window at the top, as the simulation places it. */
function guest(): TestGuest {
  return makeGuest({ windowFrame: 64 * 256 - 16, windowFrames: 16 });
}

/**
 * A fragmented guest: a balloon page pinned in every 64-page stretch, the rest of memory given back,
 * then 2000 pages of page cache scattered into the holes (smallest blocks first). Every pageblock
 * holds balloon pages, so every one is a target the free scanner may use.
 */
function fragmented(): TestGuest {
  const g = guest();
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

function isLru(kind: number): boolean {
  return kind === K_ANON || kind === K_FILE || kind === K_SHMEM;
}

describe('compaction as Linux 6.1 runs it', () => {
  it('migrates what lies below the point where the scanners meet, and nothing above it', () => {
    const g = fragmented();
    const k = g.kernel;
    const balloonBefore = [...k.balloon.pages()];
    const balloonPages = balloonBefore.length;
    expect(balloonPages).toBeGreaterThan(150);
    expectNoInvariantErrors(k);
    const checks: string[][] = [];
    let mostIsolated = 0;
    k.balloon.migratepage = seedMigratepage(k, () => {
      checks.push(checkInvariants(k));
      mostIsolated = Math.max(mostIsolated, k.isolatedKernelPages);
    });
    const moves: { from: number; to: number }[] = [];
    k.events.on('migration', (m) => moves.push(m));
    const hostBefore = g.core.hostCounts()[HOST_RESIDENT];
    const r = compactionRestart(k);
    run(g, 'compact', compactMemory(k, r));
    const { migrate, freeBlock } = r.state;
    // The pass ended where the free scanner's pageblock reached the migrate scanner's.
    expect(freeBlock >> PAGEBLOCK_ORDER).toBeLessThanOrEqual(migrate >> PAGEBLOCK_ORDER);
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.flat()).toEqual([]);
    // Balloon pages moved only from below the meeting point, into pages above it.
    expect(moves.length).toBe(k.vm.balloonMigrate);
    for (const m of moves) {
      expect(m.from).toBeLessThan(migrate);
      expect(m.to).toBeGreaterThanOrEqual(migrate);
    }
    const movedFrom = new Set(moves.map((m) => m.from));
    const stayed = balloonBefore.filter((p) => !movedFrom.has(p));
    expect(stayed.every((p) => p >= migrate || k.balloon.has(asKernelPage(p)))).toBe(true);
    expect(balloonBefore.filter((p) => p < migrate).length).toBe(moves.length);
    // Not the whole balloon: the pages above the meeting point stay where they are.
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.length).toBeLessThan(balloonPages);
    // The balloon keeps its size; at most one cluster was isolated at a time.
    expect(k.balloon.count).toBe(balloonPages);
    expect(k.balloon.isolatedPages).toBe(0);
    expect(mostIsolated).toBeLessThanOrEqual(COMPACT_CLUSTER_MAX);
    expect(k.vm.compactFail).toBe(0);
    // Every migration isolated a page on each side: compact_isolated counts both.
    expect(k.vm.compactIsolated).toBe(2 * k.vm.compactMigrated);
    expect(k.vm.compactMigrateScanned).toBeGreaterThan(0);
    expect(k.vm.compactMigrateScanned).toBeLessThanOrEqual(migrate);
    expect(k.vm.compactFreeScanned).toBeGreaterThanOrEqual(k.vm.compactMigrated);
    // No LRU page left below the meeting point either (none failed).
    let lruBelow = 0;
    for (let p = 0; p < migrate; p++) if (isLru(k.kind[p])) lruBelow++;
    expect(lruBelow).toBe(0);
    // Page cache moved with its owner; the copies were written (host-backed).
    expect(k.workload('cache')!.resident).toBe(2000);
    expect(g.core.stateCount(FRAME_FILE)).toBe(2000);
    expect(g.core.stateCount(FRAME_BALLOON)).toBe(balloonPages);
    expect(g.core.hostCounts()[HOST_RESIDENT]).toBeGreaterThan(hostBefore);
    expect(g.log.lines.at(-1)!.text).toMatch(/^compaction: migrated \d+ pages \(\d+ balloon\), 0 failed;/);
    expectNoInvariantErrors(k);
  });

  it('passes over wholly free pageblocks: a balloon below free memory stays where it is', () => {
    // The balloon fills memory from the bottom; above it whole pageblocks are free, and filling one
    // would break up a huge page: the free scanner takes only the last, partly used, block's pages.
    const g = guest();
    const k = g.kernel;
    const pages = inflate(k, 3000);
    k.balloon.migratepage = seedMigratepage(k);
    const top = Math.max(...pages);
    const blockEnd = ((top >> PAGEBLOCK_ORDER) + 1) << PAGEBLOCK_ORDER;
    run(g, 'compact', k.compactMemory());
    // At most the free pages of the balloon's last, partly used pageblock were targets.
    expect(k.vm.balloonMigrate).toBeLessThanOrEqual(blockEnd - top - 1);
    expect(k.vm.balloonMigrate).toBeLessThan(COMPACT_CLUSTER_MAX * 20);
    expectNoInvariantErrors(k);
  });

  it('moves no balloon page when free memory is at the min watermark (no free page to isolate)', () => {
    const g = fragmented();
    const k = g.kernel;
    k.freeWorkload('cache');
    inflate(k, k.freePages); // down to the min watermark: nothing left to reclaim
    expect(k.freePages).toBe(k.wmark.min);
    k.balloon.migratepage = seedMigratepage(k);
    run(g, 'compact', k.compactMemory());
    expect(k.vm.compactMigrated).toBe(0);
    expect(k.vm.compactIsolated).toBeGreaterThan(0); // the migrate scanner's; they all went back
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
    run(g, 'compact', k.compactMemory());
    expect(k.balloon.count).toBe(before);
    expect(k.balloon.isolatedPages).toBe(0);
    expect(k.vm.balloonMigrate).toBeGreaterThan(0);
    expectNoInvariantErrors(k);
  });

  it('retries a page that answers -EAGAIN, up to 10 passes, then puts it back', () => {
    const g = fragmented();
    const k = g.kernel;
    const positions = [...k.balloon.pages()].sort((a, b) => a - b);
    const calls = new Map<number, number>();
    k.balloon.migratepage = function* (_newpage, page) {
      calls.set(page, (calls.get(page) ?? 0) + 1);
      yield sleep(0);
      return -EAGAIN;
    };
    run(g, 'compact', k.compactMemory());
    expect(calls.size).toBeGreaterThan(0);
    for (const n of calls.values()) expect(n).toBe(MIGRATE_PASSES);
    expect(k.vm.compactFail).toBe(calls.size);
    expect(k.vm.balloonMigrate).toBe(0);
    expect([...k.balloon.pages()].sort((a, b) => a - b)).toEqual(positions);
    expect(g.core.stateCount(FRAME_BALLOON)).toBe(positions.length);
    expect(k.balloon.isolatedPages).toBe(0);
    expect(g.log.lines.at(-1)!.text).toContain(`${calls.size} failed`);
    expectNoInvariantErrors(k);
  });

  it('a page that answers -EAGAIN and then succeeds is migrated on a later pass', () => {
    const g = fragmented();
    const k = g.kernel;
    const tries = new Map<number, number>();
    const seed = seedMigratepage(k);
    k.balloon.migratepage = function* (newpage, page) {
      const n = (tries.get(page) ?? 0) + 1;
      tries.set(page, n);
      if (n < 3) return -EAGAIN;
      return yield* seed(newpage, page);
    };
    run(g, 'compact', k.compactMemory());
    expect(k.vm.balloonMigrate).toBeGreaterThan(0);
    expect(k.vm.compactFail).toBe(0);
    for (const n of tries.values()) expect(n).toBe(3);
    expectNoInvariantErrors(k);
  });

  it('leaves alone balloon pages whose inflate the host has not acknowledged, and all of them without a driver', () => {
    const g = fragmented();
    const k = g.kernel;
    k.freeWorkload('cache');
    const inflight: number[] = [];
    for (const p of k.balloon.pages()) {
      markPage(k, p, FRAME_INFLATING);
      inflight.push(p);
    }
    let calls = 0;
    k.balloon.migratepage = function* () {
      calls++;
      yield sleep(0);
      return MIGRATEPAGE_SUCCESS;
    };
    run(g, 'compact', k.compactMemory());
    expect(calls).toBe(0);
    for (const p of inflight) markPage(k, p, FRAME_BALLOON);
    k.balloon.migratepage = null;
    run(g, 'compact', k.compactMemory());
    expect(k.vm.compactMigrated).toBe(0);
    expect(inflight.every((p) => k.balloon.has(asKernelPage(p)))).toBe(true);
    expect(k.lists.count(LIST_LRU_FILE)).toBe(0);
    deflate(k, inflight.length);
    expectNoInvariantErrors(k);
  });
});
