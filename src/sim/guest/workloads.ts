// A workload touching its memory: the page fault path for a user page (handle_mm_fault →
// alloc_page(GFP_HIGHUSER_MOVABLE) → __alloc_pages_slowpath), one chunk of faults between two yields.
// Below the low watermark an allocation wakes kswapd (kswapd.ts); below the min watermark it stalls in direct reclaim (reclaim.ts) while that frees
// something, then calls the OOM killer (oom.ts); a workload the OOM killer cannot help fails.
import { type Restart, sleep, sleepThenRestart, type Task } from '../sched.ts';
import { FrameRuns } from './frameruns.ts';
import type { KernelState } from './kernel-state.ts';
import { K_ANON, K_FILE, K_SHMEM, LIST_LRU_ANON, LIST_LRU_FILE, lruFrameState } from './kinds.ts';
import { wakeKswapd } from './kswapd.ts';
import { GFP_HIGHUSER_MOVABLE_TEXT, outOfMemory } from './oom.ts';
import { SWAP_CLUSTER_MAX, shrinkNode } from './reclaim.ts';
import type { Workload, WorkloadKind } from './workload.ts';

/** Pages a workload faults in between two yields. */
export const FAULT_CHUNK = 256;

export const kindOfWorkload: Record<WorkloadKind, number> = { anon: K_ANON, file: K_FILE, shmem: K_SHMEM };

/** The restart kind of a workload's fault-in task; its state names the workload. */
export const FAULT_IN = 'fault-in';
export interface FaultInState {
  readonly id: number;
}

/** The restart data of workload w's fault-in task. */
export function faultInRestart(w: Workload): Restart {
  const state: FaultInState = { id: w.id };
  return { kind: FAULT_IN, state };
}

/**
 * The workload's task: faults its pages in, FAULT_CHUNK at a time, sleeping off the CPU time after
 * each chunk. That sleep is a restart point: a fresh faultIn(k, w) goes on from the loop's top, which
 * is where this one goes after it (everything it needs is in `w`).
 */
export function* faultIn(k: KernelState, w: Workload, restart: Restart = faultInRestart(w)): Task {
  const kind = kindOfWorkload[w.kind];
  const state = lruFrameState(kind);
  const runs = new FrameRuns(k.core, k.ppp);
  const buddy = k.buddy;
  while (w.state === 'running' && w.faulted < w.pages) {
    const end = Math.min(w.pages, w.faulted + FAULT_CHUNK);
    while (w.faulted < end) {
      let p = buddy.freePages > k.wmark.min ? buddy.alloc0() : -1;
      if (p < 0) {
        runs.flush();
        p = yield* allocSlow(k, w);
        if (p < 0) return;
      }
      if (buddy.freePages <= k.wmark.low) wakeKswapd(k);
      mapPage(k, w, p, kind);
      runs.add(p, state, true);
      w.faulted++;
      k.vm.pgfault++;
      k.cpuDebtUs += k.costs.faultPageUs;
    }
    runs.flush();
    const debt = k.takeCpuDebt();
    if (debt > 0) yield sleepThenRestart(debt, restart);
  }
  if (w.state === 'running') w.state = 'resident';
}

/** __alloc_pages_slowpath for a user page: direct reclaim while it helps, then the OOM killer. */
function* allocSlow(k: KernelState, w: Workload): Task<number> {
  for (;;) {
    if (w.state !== 'running') return -1;
    if (k.buddy.freePages > k.wmark.min) return k.buddy.alloc0();
    k.vm.allocStall++;
    wakeKswapd(k);
    const reclaimed = shrinkNode(k, SWAP_CLUSTER_MAX);
    const debt = k.takeCpuDebt();
    if (debt > 0) yield sleep(debt);
    if (reclaimed > 0) continue;
    if (w.state !== 'running') return -1;
    const progress = yield* outOfMemory(k, w);
    if (w.state !== 'running') return -1;
    if (!progress) {
      k.log.log(
        `${w.name}: page allocation failure: order:0, mode:${GFP_HIGHUSER_MOVABLE_TEXT}, nodemask=(null)`,
        'warn',
      );
      w.state = 'failed';
      return -1;
    }
  }
}

/** The new page joins the workload: on its LRU list, counted, tagged with its id. */
function mapPage(k: KernelState, w: Workload, p: number, kind: number): void {
  k.kind[p] = kind;
  k.owner[p] = w.id;
  k.lists.addHead(kind === K_FILE ? LIST_LRU_FILE : LIST_LRU_ANON, p);
  if (kind === K_ANON) k.nrAnon++;
  else if (kind === K_FILE) k.nrFile++;
  else k.nrShmem++;
  w.resident++;
}
