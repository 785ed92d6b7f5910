// kswapd: the background reclaim an allocation wakes when it takes free memory below the low
// watermark (Linux 6.1's fast path checks the low watermark; the slow path wakes kswapd and then
// allocates down to the min watermark). kswapd reclaims (reclaim.ts) until free memory is above the
// high watermark or nothing is left to reclaim, then sleeps until the next wake-up.
//
// The simulation makes the thread on demand: woken, it runs as a task until it is done; it is not
// alive between wake-ups (Linux's kswapd0 sleeps on its wait queue then), so a snapshot never has
// to keep a thread parked on a queue.
import { type Restart, sleepThenRestart, type Task } from '../sched.ts';
import type { KernelState } from './kernel-state.ts';
import { LIST_LRU_ANON, LIST_LRU_FILE } from './kinds.ts';
import { SWAP_CLUSTER_MAX, shrinkNode } from './reclaim.ts';

/** The restart kind of kswapd's task (its state is empty: everything it needs is in the kernel). */
export const KSWAPD = 'kswapd';

/** Whether reclaim could free anything: page cache, or anon and shmem with swap room. */
function reclaimable(k: KernelState): boolean {
  if (k.lists.count(LIST_LRU_FILE) > 0) return true;
  return k.swapUsedPages < k.swapTotalPages && k.lists.count(LIST_LRU_ANON) > 0;
}

/**
 * wakeup_kswapd(): called by an allocation that left free memory at or below the low watermark.
 * Starts kswapd unless it is awake already or has nothing to reclaim (Linux's kswapd would wake, find
 * nothing and sleep again: the same, without the wake-up).
 */
export function wakeKswapd(k: KernelState): void {
  if (k.kswapdAwake || k.buddy.freePages > k.wmark.low || !reclaimable(k)) return;
  k.kswapdAwake = true;
  k.sched.spawn('kswapd0', kswapd(k));
}

/** balance_pgdat(): SWAP_CLUSTER_MAX pages a round until free memory is above the high watermark. */
export function* kswapd(k: KernelState, restart: Restart = { kind: KSWAPD, state: {} }): Task {
  while (k.buddy.freePages <= k.wmark.high) {
    const freed = shrinkNode(k, SWAP_CLUSTER_MAX);
    k.vm.kswapdSteal += freed;
    if (freed === 0) break;
    yield sleepThenRestart(Math.max(1, k.takeCpuDebt()), restart);
  }
  k.kswapdAwake = false;
}
