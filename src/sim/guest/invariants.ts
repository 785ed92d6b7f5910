// checkInvariants: the kernel's books against each other and against the core's frame table.
//
// Precondition: call it between events. Every page balloonPageAlloc handed out must have had its
// frames marked by the driver (INFLATING at the latest), except pages the driver holds in hand between
// allocating and marking them (fill_balloon's local list while it sleeps after "Out of puff!" or waits
// for balloon_lock): pass their number as `pagesInHand` and that many unmarked pages are accepted.
import {
  FRAME_ANON,
  FRAME_BALLOON,
  FRAME_FILE,
  FRAME_FREE,
  FRAME_INFLATING,
  FRAME_KERNEL,
  FRAME_SHMEM,
  FRAME_VIRTIO,
} from '../../core/abi.ts';
import { NOT_HEAD } from './buddy.ts';
import type { KernelState } from './kernel-state.ts';
import {
  allowedFrameStates,
  K_ANON,
  K_BALLOON,
  K_FILE,
  K_FREE,
  K_ISOLATED,
  K_ISOLATED_PUT,
  K_KERNEL,
  K_SHMEM,
  K_SLAB,
  K_VIRTIO,
  KIND_COUNT,
  kindNames,
  LIST_BALLOON,
  LIST_BUDDY,
  LIST_LRU_ANON,
  LIST_LRU_FILE,
} from './kinds.ts';
import { checkBuddy, checkPageLists, isFreePage } from './list-checks.ts';
import { NOT_ON_LIST } from './pagelists.ts';

const MAX_PAGE_ERRORS = 20;

export interface InvariantOptions {
  /** Balloon pages the driver has allocated and not yet marked (off every list, frames still FREE). */
  pagesInHand?: number;
}

export function checkInvariants(k: KernelState, opts: InvariantOptions = {}): string[] {
  const errors: string[] = [...checkPageLists(k.lists), ...checkBuddy(k.buddy)];
  const pageErrors: string[] = [];
  const perPage = (msg: string) => {
    if (pageErrors.length < MAX_PAGE_ERRORS) pageErrors.push(msg);
  };
  const { kind, owner, lists, ppp } = k;
  const frames = k.core.frames;
  const counts = new Array<number>(KIND_COUNT).fill(0);
  const residentById = new Map<number, number>();
  let unmarked = 0;
  for (let p = 0; p < k.nPages; p++) {
    const kd = kind[p];
    counts[kd]++;
    const f0 = frames[p * ppp];
    for (let j = 1; j < ppp; j++) {
      if (frames[p * ppp + j] !== f0) {
        perPage(`page ${p}: its frames show different states (${f0} and ${frames[p * ppp + j]})`);
        break;
      }
    }
    const on = lists.on[p];
    if (kd === K_BALLOON && f0 === FRAME_FREE && on === NOT_ON_LIST) unmarked++;
    else if (!(allowedFrameStates[kd] & (1 << f0))) {
      perPage(`page ${p}: kernel says ${kindNames[kd]}, frames say ${f0}`);
    }
    switch (kd) {
      case K_FREE: {
        const head = k.buddy.order[p] !== NOT_HEAD;
        if (head ? on < LIST_BUDDY || on > LIST_BUDDY + 10 : on !== NOT_ON_LIST) {
          perPage(`page ${p}: free, on list ${on}`);
        }
        if (!head && !isFreePage(k.buddy, p)) perPage(`page ${p}: kernel says free, no free block holds it`);
        break;
      }
      case K_ANON:
      case K_SHMEM:
      case K_FILE: {
        const want = kd === K_FILE ? LIST_LRU_FILE : LIST_LRU_ANON;
        if (on !== want) perPage(`page ${p}: ${kindNames[kd]}, on list ${on} rather than the LRU`);
        const w = k.workloadById(owner[p]);
        if (!w || kindNames[kd] !== w.kind)
          perPage(`page ${p}: ${kindNames[kd]}, owned by workload ${owner[p]}`);
        residentById.set(owner[p], (residentById.get(owner[p]) ?? 0) + 1);
        break;
      }
      case K_BALLOON:
        if (on === LIST_BALLOON) {
          if (f0 !== FRAME_INFLATING && f0 !== FRAME_BALLOON)
            perPage(`page ${p}: on the balloon list, frames ${f0}`);
        } else if (on !== NOT_ON_LIST) {
          perPage(`page ${p}: a balloon page on list ${on}`);
        }
        break;
      default:
        if (on !== NOT_ON_LIST) perPage(`page ${p}: ${kindNames[kd]}, on list ${on}`);
    }
    if (kd !== K_ANON && kd !== K_FILE && kd !== K_SHMEM && owner[p] !== 0) {
      perPage(`page ${p}: ${kindNames[kd]} with an owner (${owner[p]})`);
    }
  }
  errors.push(...pageErrors);

  const eq = (what: string, got: number, want: number) => {
    if (got !== want) errors.push(`${what}: ${got}, expected ${want}`);
  };
  eq('free pages (buddy)', k.buddy.freePages, counts[K_FREE]);
  eq('nrAnon', k.nrAnon, counts[K_ANON]);
  eq('nrFile', k.nrFile, counts[K_FILE]);
  eq('nrShmem', k.nrShmem, counts[K_SHMEM]);
  eq('file LRU', lists.count(LIST_LRU_FILE), k.nrFile);
  eq('anon LRU', lists.count(LIST_LRU_ANON), k.nrAnon + k.nrShmem);
  eq('driverPages', k.driverPages, counts[K_BALLOON] + counts[K_ISOLATED] + counts[K_ISOLATED_PUT]);
  eq('isolated pages (kernel)', k.isolatedKernelPages, counts[K_ISOLATED] + counts[K_ISOLATED_PUT]);
  // Inside a successful migratepage the driver has already taken the page off isolated_pages.
  const iso = k.balloon.isolatedPages;
  if (!(iso <= k.isolatedKernelPages && iso >= k.isolatedKernelPages - k.migrating)) {
    errors.push(`balloon isolated_pages: ${iso}, ${k.isolatedKernelPages} pages isolated`);
  }
  eq('reserved pages', counts[K_KERNEL] + counts[K_VIRTIO], k.reservedPages);
  eq('pages allocated at boot', counts[K_SLAB], k.bootInUsePages);
  eq('totalramPages', k.totalramPages, k.nPages - k.reservedPages + k.managedAdjust);
  if (k.managedAdjust > 0 || -k.managedAdjust > k.driverPages) {
    errors.push(
      `managed-page adjustments (${k.managedAdjust}) exceed the ${k.driverPages} pages the balloon holds`,
    );
  }

  const core = k.core;
  if (unmarked > (opts.pagesInHand ?? 0)) {
    errors.push(
      `${unmarked} balloon pages still show FREE frames; the driver has ${opts.pagesInHand ?? 0} in hand`,
    );
  }
  eq('core FREE frames', core.stateCount(FRAME_FREE), (k.buddy.freePages + unmarked) * ppp);
  eq('core ANON frames', core.stateCount(FRAME_ANON), k.nrAnon * ppp);
  eq('core FILE frames', core.stateCount(FRAME_FILE), k.nrFile * ppp);
  eq('core SHMEM frames', core.stateCount(FRAME_SHMEM), k.nrShmem * ppp);
  eq('core KERNEL frames', core.stateCount(FRAME_KERNEL), (counts[K_KERNEL] + counts[K_SLAB]) * ppp);
  eq('core VIRTIO frames', core.stateCount(FRAME_VIRTIO), counts[K_VIRTIO] * ppp);

  let swapped = 0;
  for (const w of k.workloads.values()) {
    eq(`workload ${w.name} resident`, w.resident, residentById.get(w.id) ?? 0);
    residentById.delete(w.id);
    swapped += w.swapped;
    if (w.resident + w.swapped > w.faulted) errors.push(`workload ${w.name}: more pages than it faulted`);
    if (w.state === 'killed' && w.resident + w.swapped > 0)
      errors.push(`workload ${w.name}: killed, still has pages`);
  }
  for (const [id, n] of residentById) errors.push(`${n} LRU pages owned by workload ${id}, which is gone`);
  eq('swap used', k.swapUsedPages, swapped);
  if (k.swapUsedPages > k.swapTotalPages) errors.push(`swap: ${k.swapUsedPages} used of ${k.swapTotalPages}`);
  return errors;
}
