// Memory compaction as `echo 1 > /proc/sys/vm/compact_memory` runs it (compact_zone with order −1):
// a migrate scanner walks up from the bottom of the zone, a free scanner walks down from the top, and
// every movable page the first finds moves into a free page the second takes, until they meet. Movable
// memory ends up at the top and free memory gathers into large blocks at the bottom.
//
// Balloon pages are movable on purpose (mm/balloon_compaction.c): a balloon holds many scattered pages
// for a long time, and if they were pinned they would break up the free blocks around them for good, so
// a ballooned guest could never again find a huge page. Moving one costs the driver two host round
// trips (inflate the new page, deflate the old), which is why it goes through the driver's migratepage.
import { FRAME_BALLOON } from '../../core/abi.ts';
import { asKernelPage } from '../../core/units.ts';
import { sleep, type Task } from '../sched.ts';
import { MIGRATEPAGE_SUCCESS } from './balloon-dev-info.ts';
import { FrameRuns } from './frameruns.ts';
import type { GuestKernel } from './kernel.ts';
import { K_ANON, K_BALLOON, K_FILE, K_FREE, K_SHMEM, LIST_BALLOON } from './kinds.ts';

/** COMPACT_CLUSTER_MAX: pages migrated between two chances for other tasks to run. */
const COMPACT_CLUSTER_MAX = 32;

export function* compactMemory(k: GuestKernel): Task {
  const kind = k.kind;
  const oldRuns = new FrameRuns(k.core, k.ppp);
  const freshRuns = new FrameRuns(k.core, k.ppp);
  const flush = () => {
    oldRuns.flush();
    freshRuns.flush();
  };
  let migrate = 0;
  let free = k.nPages - 1;
  let moved = 0;
  let movedBalloon = 0;
  let failed = 0;
  let batch = 0;
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
      k.migrateLruPage(page, target, oldRuns, freshRuns);
      k.vm.compactMigrated++;
      moved++;
    }
    if (++batch >= COMPACT_CLUSTER_MAX) {
      batch = 0;
      flush();
      const debt = k.takeCpuDebt();
      if (debt > 0) yield sleep(debt);
    }
  }
  flush();
  const debt = k.takeCpuDebt();
  if (debt > 0) yield sleep(debt);
  k.log.log(
    `compaction: migrated ${moved} pages (${movedBalloon} balloon), ${failed} failed; ` +
      `largest free block order ${k.buddy.largestFreeOrder()}`,
  );
}

/**
 * An LRU page, or a balloon page the host has acknowledged (on the list, frames BALLOON) when the
 * driver can migrate. Pages of an inflate still in flight are left alone: their driver holds
 * balloon_lock, so migratepage would only answer −EAGAIN.
 */
function isMovable(k: GuestKernel, p: number): boolean {
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
function* migrateBalloonPage(k: GuestKernel, page: number, target: number): Task<boolean> {
  const info = k.balloon;
  const newpage = asKernelPage(target);
  k.isolateBalloonPage(page);
  k.takeMigrationTarget(target);
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
    k.freeIsolatedPage(page);
    k.vm.compactMigrated++;
    k.events.emit('migration', { from: page, to: target });
    return true;
  }
  k.putbackBalloonPage(page);
  info.delete(newpage);
  k.returnMigrationTarget(target);
  k.vm.compactFail++;
  return false;
}
