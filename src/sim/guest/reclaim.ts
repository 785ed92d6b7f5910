// Direct reclaim (mm/vmscan.c's shrink_node, simplified to two LRU lists and no writeback): what an
// allocation below the min watermark does before it gives up or calls the OOM killer. Clean page
// cache goes first, oldest first; then anon and shmem pages go out to swap while swap has room.
import type { KernelState } from './kernel-state.ts';
import { LIST_LRU_ANON, LIST_LRU_FILE } from './kinds.ts';

/** SWAP_CLUSTER_MAX: the pages one round of direct reclaim tries to free. */
export const SWAP_CLUSTER_MAX = 32;

/**
 * One round of direct reclaim (shrink_node with nr_to_reclaim = nr): clean page cache first, oldest
 * first (the LRU's tail); then anon and shmem pages out to swap while swap has room. Synchronous;
 * the time goes on cpuDebtUs. Returns the pages freed.
 */
export function shrinkNode(k: KernelState, nr: number): number {
  const runs = k.runs;
  const lists = k.lists;
  let freed = 0;
  while (freed < nr) {
    const p = lists.last(LIST_LRU_FILE);
    if (p < 0) break;
    k.unmapPage(p, runs);
    freed++;
  }
  let swapped = 0;
  while (freed < nr && k.swapUsedPages < k.swapTotalPages) {
    const p = lists.last(LIST_LRU_ANON);
    if (p < 0) break;
    const w = k.unmapPage(p, runs);
    w.swapped++;
    k.swapUsedPages++;
    swapped++;
    freed++;
  }
  runs.flush();
  k.vm.pgscan += freed;
  k.vm.pgsteal += freed;
  k.vm.pswpout += swapped;
  k.cpuDebtUs += freed * k.costs.reclaimPageUs + swapped * k.costs.swapOutPageUs;
  return freed;
}
