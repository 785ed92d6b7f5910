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
import { MIGRATEPAGE_SUCCESS } from './balloon-dev-info.ts';
import { FrameRuns } from './frameruns.ts';
import type { KernelState } from './kernel-state.ts';
import {
  K_ANON,
  K_BALLOON,
  K_FILE,
  K_FREE,
  K_ISOLATED,
  K_SHMEM,
  LIST_BALLOON,
  lruFrameState,
} from './kinds.ts';

/** COMPACT_CLUSTER_MAX: pages migrated between two chances for other tasks to run. */
const COMPACT_CLUSTER_MAX = 32;

/** The restart kind of a compaction task. */
export const COMPACTION = 'compaction';

/** Where a compaction stands: its two scanners, what it has done, and whether the walk is over. */
export interface CompactionState {
  /** The migrate scanner's next page (walks up) and the free scanner's (walks down). */
  migrate: number;
  free: number;
  moved: number;
  movedBalloon: number;
  failed: number;
  /** Pages migrated since the last sleep. */
  batch: number;
  /** The scanners have met: what is left is the last sleep and the log line. */
  finished: boolean;
}

/** The restart data of a compaction that has not started. */
export function compactionRestart(k: KernelState): Restart & { state: CompactionState } {
  const state: CompactionState = {
    migrate: 0,
    free: k.nPages - 1,
    moved: 0,
    movedBalloon: 0,
    failed: 0,
    batch: 0,
    finished: false,
  };
  return { kind: COMPACTION, state };
}

/**
 * The compaction task. It sleeps off its CPU time every COMPACT_CLUSTER_MAX pages, at a restart
 * point: the scanners' positions and counts go into `restart.state` first, and a fresh compactMemory
 * made from that state goes on from the loop's top, as this one does after the sleep.
 */
export function* compactMemory(
  k: KernelState,
  restart: Restart & { state: CompactionState } = compactionRestart(k),
): Task {
  const c = restart.state;
  const kind = k.kind;
  const oldRuns = new FrameRuns(k.core, k.ppp);
  const freshRuns = new FrameRuns(k.core, k.ppp);
  const flush = () => {
    oldRuns.flush();
    freshRuns.flush();
  };
  let { migrate, free, moved, movedBalloon, failed, batch } = c;
  const save = () => {
    c.migrate = migrate;
    c.free = free;
    c.moved = moved;
    c.movedBalloon = movedBalloon;
    c.failed = failed;
    c.batch = batch;
  };
  if (!c.finished) {
    for (;;) {
      while (migrate < free && !isMovable(k, migrate)) migrate++;
      while (free > migrate && kind[free] !== K_FREE) free--;
      if (free <= migrate) break;
      const page = migrate++;
      const target = free--;
      k.cpuDebtUs += k.costs.migratePageUs;
      if (kind[page] === K_BALLOON) {
        flush();
        if (yield* migrateBalloonPage(k, page, target)) {
          moved++;
          movedBalloon++;
        } else {
          failed++;
        }
      } else {
        migrateLruPage(k, page, target, oldRuns, freshRuns);
        k.vm.compactMigrated++;
        moved++;
      }
      if (++batch >= COMPACT_CLUSTER_MAX) {
        batch = 0;
        flush();
        const debt = k.takeCpuDebt();
        save();
        if (debt > 0) yield sleepThenRestart(debt, restart);
      }
    }
    flush();
    save();
    c.finished = true;
    const debt = k.takeCpuDebt();
    if (debt > 0) yield sleepThenRestart(debt, restart);
  }
  k.log.log(
    `compaction: migrated ${c.moved} pages (${c.movedBalloon} balloon), ${c.failed} failed; ` +
      `largest free block order ${k.buddy.largestFreeOrder()}`,
  );
}

/**
 * An LRU page, or a balloon page the host has acknowledged (on the list, frames BALLOON) when the
 * driver can migrate. Pages of an inflate still in flight are left alone: their driver holds
 * balloon_lock, so migratepage would only answer −EAGAIN.
 */
function isMovable(k: KernelState, p: number): boolean {
  const kd = k.kind[p];
  if (kd === K_ANON || kd === K_FILE || kd === K_SHMEM) return true;
  return (
    kd === K_BALLOON &&
    k.balloon.migratepage !== null &&
    k.lists.on[p] === LIST_BALLOON &&
    k.core.frames[p * k.ppp] === FRAME_BALLOON
  );
}

/** isolate → migratepage → free the old page, or put it back on −EAGAIN. True if it moved. */
function* migrateBalloonPage(k: KernelState, page: number, target: number): Task<boolean> {
  const info = k.balloon;
  const newpage = asKernelPage(target);
  isolateBalloonPage(k, page);
  takeMigrationTarget(k, target);
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
    return true;
  }
  putbackBalloonPage(k, page);
  info.delete(newpage);
  returnMigrationTarget(k, target);
  k.vm.compactFail++;
  return false;
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

/** A free page taken by compaction's free scanner, handed to the driver as migratepage's newpage. */
export function takeMigrationTarget(k: KernelState, p: number): void {
  k.buddy.takeFree(p);
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
 * Moves LRU page `old` to free page `fresh` (migrate_pages for an LRU page): the copy writes fresh
 * (the host backs it), the owner's list entry moves over, old is freed. The caller flushes the runs.
 */
export function migrateLruPage(
  k: KernelState,
  old: number,
  fresh: number,
  oldRuns: FrameRuns,
  freshRuns: FrameRuns,
): void {
  k.buddy.takeFree(fresh);
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
