// Memory compaction as `echo 1 > /proc/sys/vm/compact_memory` runs it (compact_zone with order −1):
// a migrate scanner walks up from the bottom of the zone, a free scanner walks down from the top, and
// every movable page the first finds moves into a free page the second takes, until they meet. Movable
// memory ends up at the top and free memory gathers into large blocks at the bottom.
//
// Balloon pages are movable on purpose (mm/balloon_compaction.c): a balloon holds many scattered pages
// for a long time, and if they were pinned they would break up the free blocks around them for good, so
// a ballooned guest could never again find a huge page. Moving one costs the driver two host round
// trips (inflate the new page, deflate the old), which is why it goes through the driver's migratepage.
//
// The page moves themselves (isolate, put back, free the old page, take a target) are at the bottom:
// the migration core's half of mm/migrate.c and balloon_compaction.c.
import { FRAME_BALLOON, FRAME_FREE, FRAME_ISOLATED } from '../../core/abi.ts';
import { asKernelPage, asPfn } from '../../core/units.ts';
import { type Restart, sleepThenRestart, type Task } from '../sched.ts';
import { EAGAIN, MIGRATEPAGE_SUCCESS } from './balloon-dev-info.ts';
import { FrameRuns } from './frameruns.ts';
import type { KernelState } from './kernel-state.ts';
import {
  K_ANON,
  K_BALLOON,
  K_FILE,
  K_FREE,
  K_ISOLATED,
  K_KERNEL,
  K_SHMEM,
  K_SLAB,
  K_VIRTIO,
  LIST_BALLOON,
  lruFrameState,
} from './kinds.ts';

/** COMPACT_CLUSTER_MAX: the most pages the migrate scanner isolates for one round of migration. */
export const COMPACT_CLUSTER_MAX = 32;
/** pageblock_order on x86-64 (a 2 MiB huge page at 4 KiB pages); the scanners walk pageblock by pageblock. */
export const PAGEBLOCK_ORDER = 9;
const PAGEBLOCK_PAGES = 1 << PAGEBLOCK_ORDER;
/** migrate_pages() retries a page whose migration answered −EAGAIN up to this many passes in all. */
export const MIGRATE_PASSES = 10;

/** The restart kind of a compaction task. */
export const COMPACTION = 'compaction';

/** Where a compaction stands: its two scanners, what it has done, and whether the walk is over. */
export interface CompactionState {
  /** The migrate scanner's next page (it walks up from the zone's start). */
  migrate: number;
  /** The free scanner's pageblock (it walks down from the zone's end) and its next page in it. */
  freeBlock: number;
  free: number;
  /** The free scanner has checked that its pageblock is a suitable target (suitable_migration_target). */
  freeChecked: boolean;
  moved: number;
  movedBalloon: number;
  failed: number;
  /** The scanners have met: what is left is the last sleep and the log line. */
  finished: boolean;
}

/** The restart data of a compaction that has not started. */
export function compactionRestart(k: KernelState): Restart & { state: CompactionState } {
  const lastBlock = Math.floor((k.nPages - 1) / PAGEBLOCK_PAGES) * PAGEBLOCK_PAGES;
  const state: CompactionState = {
    migrate: 0,
    freeBlock: lastBlock,
    free: lastBlock,
    freeChecked: false,
    moved: 0,
    movedBalloon: 0,
    failed: 0,
    finished: false,
  };
  return { kind: COMPACTION, state };
}

/** compact_scanners_met(): the free scanner's pageblock is at or below the migrate scanner's. */
function scannersMet(c: CompactionState): boolean {
  return c.freeBlock >> PAGEBLOCK_ORDER <= c.migrate >> PAGEBLOCK_ORDER;
}

/**
 * The compaction task (compact_zone with order −1, as compact_memory runs it): the migrate scanner
 * isolates up to COMPACT_CLUSTER_MAX movable pages, one pageblock at a time; each is migrated into a
 * free page the free scanner isolates, walking down from the zone's end; the walk ends when the
 * scanners meet, or when the free scanner finds no target. The task sleeps off its CPU time after
 * each round at a restart point: the scanners and counts are in `restart.state`, and a fresh
 * compactMemory made from it goes on from the loop's top, as this one does after the sleep.
 */
export function* compactMemory(
  k: KernelState,
  restart: Restart & { state: CompactionState } = compactionRestart(k),
): Task {
  const c = restart.state;
  const oldRuns = new FrameRuns(k.core, k.ppp);
  const freshRuns = new FrameRuns(k.core, k.ppp);
  const flush = () => {
    oldRuns.flush();
    freshRuns.flush();
  };
  const isolated: number[] = [];
  while (!c.finished) {
    isolateMigratePages(k, c, isolated);
    let outOfTargets = false;
    // migrate_pages(): LRU pages at once; balloon pages through migratepage, retried on −EAGAIN.
    let pending = isolated.filter((p) => k.kind[p] === K_ISOLATED);
    for (const page of isolated) {
      const kd = k.kind[page];
      if (kd !== K_ANON && kd !== K_FILE && kd !== K_SHMEM) continue;
      const fresh = outOfTargets ? -1 : isolateFreePage(k, c);
      if (fresh < 0) {
        outOfTargets = true;
        continue;
      }
      migrateLruPage(k, page, fresh, oldRuns, freshRuns);
      k.cpuDebtUs += k.costs.migratePageUs;
      k.vm.compactMigrated++;
      c.moved++;
    }
    flush();
    for (let pass = 0; pass < MIGRATE_PASSES && pending.length > 0 && !outOfTargets; pass++) {
      const again: number[] = [];
      for (const page of pending) {
        const fresh = outOfTargets ? -1 : isolateFreePage(k, c);
        if (fresh < 0) {
          outOfTargets = true;
          again.push(page);
          continue;
        }
        takeMigrationTarget(k, fresh);
        k.cpuDebtUs += k.costs.migratePageUs;
        const rc = yield* migrateBalloonPage(k, page, fresh);
        if (rc === MIGRATEPAGE_SUCCESS) {
          c.moved++;
          c.movedBalloon++;
          continue;
        }
        // The target goes back (compaction_free); the page is tried again on the next pass.
        returnMigrationTarget(k, fresh);
        if (rc === -EAGAIN) again.push(page);
        else {
          putbackBalloonPage(k, page);
          k.vm.compactFail++;
          c.failed++;
        }
      }
      pending = again;
    }
    // What is still pending goes back on the list. After the last pass each counts as a failure;
    // with no target left (−ENOMEM) migrate_pages counts the one page that found none and stops.
    for (const page of pending) {
      putbackBalloonPage(k, page);
      if (!outOfTargets) {
        k.vm.compactFail++;
        c.failed++;
      }
    }
    // pgmigrate_fail; the log line's count is of pages that failed to move, not of the walk's end.
    if (outOfTargets) k.vm.compactFail++;
    isolated.length = 0;
    if (outOfTargets || scannersMet(c)) c.finished = true;
    const debt = k.takeCpuDebt();
    if (debt > 0) yield sleepThenRestart(debt, restart);
  }
  k.log.log(
    `compaction: migrated ${c.moved} pages (${c.movedBalloon} balloon), ${c.failed} failed; ` +
      `largest free block order ${k.buddy.largestFreeOrder()}`,
  );
}

/**
 * isolate_migratepages(): from the migrate scanner's page up, to the end of its pageblock, isolates
 * LRU pages and balloon pages (into `out`, balloon pages off their list) until COMPACT_CLUSTER_MAX are
 * isolated; a pageblock with nothing to isolate does not end the round. Stops where the scanners meet.
 */
function isolateMigratePages(k: KernelState, c: CompactionState, out: number[]): void {
  const buddy = k.buddy;
  const kind = k.kind;
  while (out.length === 0 && !scannersMet(c)) {
    const blockEnd = Math.min(k.nPages, ((c.migrate >> PAGEBLOCK_ORDER) + 1) << PAGEBLOCK_ORDER);
    let p = c.migrate;
    while (p < blockEnd && out.length < COMPACT_CLUSTER_MAX) {
      k.vm.compactMigrateScanned++;
      const kd = kind[p];
      if (kd === K_FREE) {
        // A free block is stepped over whole.
        const h = buddy.freeBlockOf(p);
        p = h >= 0 ? Math.max(p + 1, h + (1 << buddy.order[h])) : p + 1;
        continue;
      }
      if (kd === K_ANON || kd === K_FILE || kd === K_SHMEM) out.push(p);
      else if (isMovableBalloonPage(k, p)) {
        isolateBalloonPage(k, p);
        out.push(p);
      }
      p++;
    }
    c.migrate = Math.min(p, blockEnd);
    k.vm.compactIsolated += out.length;
  }
}

/**
 * The free scanner (isolate_freepages): a free page to migrate into, from the pageblock it is in,
 * scanned upwards, then the pageblocks below it; −1 once it reaches the migrate scanner's pageblock.
 * It passes over pageblocks that are free as a whole (filling one would only break a huge page up)
 * and those holding the kernel's own memory (not movable), as suitable_migration_target does, and
 * takes nothing while free memory is at the min watermark (__isolate_free_page).
 */
function isolateFreePage(k: KernelState, c: CompactionState): number {
  const buddy = k.buddy;
  const kind = k.kind;
  if (buddy.freePages <= k.wmark.min + 1) return -1;
  while (!scannersMet(c)) {
    const start = c.freeBlock;
    const end = Math.min(k.nPages, start + PAGEBLOCK_PAGES);
    if (!c.freeChecked) {
      c.freeChecked = true;
      if (!suitableTarget(k, start, end)) c.free = end;
    }
    while (c.free < end) {
      const p = c.free++;
      k.vm.compactFreeScanned++;
      if (kind[p] === K_FREE && buddy.takeFree(p)) {
        k.vm.compactIsolated++;
        return p;
      }
    }
    c.freeBlock = start - PAGEBLOCK_PAGES;
    c.free = c.freeBlock;
    c.freeChecked = false;
  }
  return -1;
}

/** suitable_migration_target(): not a wholly free pageblock, and no unmovable (kernel) page in it. */
function suitableTarget(k: KernelState, start: number, end: number): boolean {
  const h = k.buddy.freeBlockOf(start);
  if (h >= 0 && k.buddy.order[h] >= PAGEBLOCK_ORDER) return false;
  const kind = k.kind;
  for (let p = start; p < end; p++) {
    const kd = kind[p];
    if (kd === K_KERNEL || kd === K_SLAB || kd === K_VIRTIO) return false;
  }
  return true;
}

/**
 * A balloon page the migrate scanner may isolate (balloon pages are movable_ops pages): on the list
 * and acknowledged by the host (frames BALLOON), with a driver that can migrate. Pages of an inflate
 * still in flight are left alone: their driver holds balloon_lock, so migratepage would only answer
 * −EAGAIN.
 */
function isMovableBalloonPage(k: KernelState, p: number): boolean {
  return (
    k.kind[p] === K_BALLOON &&
    k.balloon.migratepage !== null &&
    k.lists.on[p] === LIST_BALLOON &&
    k.core.frames[p * k.ppp] === FRAME_BALLOON
  );
}

/**
 * migratepage for an isolated balloon page into `target` (already taken by the free scanner): frees
 * the old page on success; on failure leaves the page isolated and the target with the caller, who
 * retries (−EAGAIN) or puts them back. Returns migratepage's answer.
 */
function* migrateBalloonPage(k: KernelState, page: number, target: number): Task<number> {
  const info = k.balloon;
  const newpage = asKernelPage(target);
  const isolatedBefore = info.isolatedPages;
  const migrateEventsBefore = k.vm.balloonMigrate;
  // Two compactions may overlap (one stuck in a migratepage whose host never answers, another
  // trying the lock), so this is a count, not a page.
  k.migrating++;
  let rc: number;
  try {
    rc = yield* info.migratepage!(newpage, asKernelPage(page));
  } finally {
    k.migrating--;
  }
  if (rc === MIGRATEPAGE_SUCCESS) {
    if (!info.has(newpage)) {
      k.log.log(`balloon: migratepage succeeded without inserting page ${target}; inserting it`, 'warn');
      info.insert(newpage);
    }
    // The seed's migratepage does both of these itself; do them if this driver did not.
    if (info.isolatedPages === isolatedBefore) info.isolatedPages--;
    if (k.vm.balloonMigrate === migrateEventsBefore) k.vm.balloonMigrate++;
    freeIsolatedPage(k, page);
    k.vm.compactMigrated++;
    k.events.emit('migration', { from: page, to: target });
    return rc;
  }
  info.delete(newpage);
  return rc;
}

// ── The page moves ───────────────────────────────────────────────────────────────────────────────

/** Isolates balloon page p for migration (balloon_page_isolate): off the list, frames ISOLATED. */
export function isolateBalloonPage(k: KernelState, p: number): void {
  k.lists.remove(p);
  k.kind[p] = K_ISOLATED;
  k.isolatedKernelPages++;
  k.balloon.isolatedPages++;
  k.core.setFrames(asPfn(p * k.ppp), k.ppp, FRAME_ISOLATED);
}

/** balloon_page_putback: a page migratepage refused goes back on the list, frames BALLOON. */
export function putbackBalloonPage(k: KernelState, p: number): void {
  k.kind[p] = K_BALLOON;
  k.isolatedKernelPages--;
  k.balloon.isolatedPages--;
  k.lists.addHead(LIST_BALLOON, p);
  k.core.setFrames(asPfn(p * k.ppp), k.ppp, FRAME_BALLOON);
}

/** The migration core's put_page of an old balloon page after a successful migration. */
export function freeIsolatedPage(k: KernelState, p: number): void {
  k.kind[p] = K_FREE;
  k.touch(p);
  k.isolatedKernelPages--;
  k.driverPages--;
  k.buddy.free(p, 0);
  k.core.setFrames(asPfn(p * k.ppp), k.ppp, FRAME_FREE);
}

/** A free page compaction's free scanner took, handed to the driver as migratepage's newpage. */
export function takeMigrationTarget(k: KernelState, p: number): void {
  k.kind[p] = K_BALLOON;
  k.touch(p);
  k.driverPages++;
}

/** A migration target migratepage did not use, back to the free lists. */
export function returnMigrationTarget(k: KernelState, p: number): void {
  k.kind[p] = K_FREE;
  k.touch(p);
  k.driverPages--;
  k.buddy.free(p, 0);
  k.core.setFrames(asPfn(p * k.ppp), k.ppp, FRAME_FREE);
}

/**
 * Moves LRU page `old` to page `fresh`, which the free scanner took (migrate_pages for an LRU page):
 * the copy writes fresh (the host backs it), the owner's list entry moves over, old is freed. The
 * caller flushes the runs.
 */
export function migrateLruPage(
  k: KernelState,
  old: number,
  fresh: number,
  oldRuns: FrameRuns,
  freshRuns: FrameRuns,
): void {
  const kd = k.kind[old];
  k.lists.replace(old, fresh);
  k.kind[fresh] = kd;
  k.owner[fresh] = k.owner[old];
  k.kind[old] = K_FREE;
  k.owner[old] = 0;
  k.buddy.free(old, 0);
  freshRuns.add(fresh, lruFrameState(kd), true);
  oldRuns.add(old, FRAME_FREE);
}
