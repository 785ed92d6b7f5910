// What each action costs in virtual time, in one place. Defaults follow real measurements: plain
// 4 KiB ballooning on KVM runs at about 1 GiB/s, ≈ 4.5 µs per page round trip, ≈ 1.1 ms per
// 256-PFN batch (HyperAlloc, EuroSys 2025); the driver's "Out of puff" back-off is msleep(200).
export interface Costs {
  /** Guest: taking one page from the page allocator (fast path). */
  allocPageUs: number;
  /** Guest: one page of direct reclaim (drop a clean page, or write one to swap). */
  reclaimPageUs: number;
  swapOutPageUs: number;
  /** Guest: one page fault of a workload touching new memory. */
  faultPageUs: number;
  /** Guest → host: a kick (the VM exit and QEMU's wake-up) and host → guest: an interrupt. */
  kickUs: number;
  interruptUs: number;
  /** Host: madvise(MADV_DONTNEED) of one 4 KiB PFN, and MADV_WILLNEED on deflate. */
  hostInflatePfnUs: number;
  hostDeflatePfnUs: number;
  /** Guest: queue_work() to the work function running. */
  workqueueUs: number;
  /** fill_balloon's back-off after "Out of puff!". */
  outOfPuffSleepUs: number;
  /** Guest: gathering the stats (all_vm_events, si_meminfo, si_mem_available). */
  statsUpdateUs: number;
  /** Guest: compaction moving one page (copy and remap). */
  migratePageUs: number;
  /** Guest: the OOM killer choosing and killing a victim. */
  oomKillUs: number;
}

export const defaultCosts: Readonly<Costs> = {
  allocPageUs: 0.3,
  reclaimPageUs: 0.5,
  swapOutPageUs: 20,
  faultPageUs: 0.25,
  kickUs: 8,
  interruptUs: 4,
  hostInflatePfnUs: 4.2,
  hostDeflatePfnUs: 0.4,
  workqueueUs: 5,
  outOfPuffSleepUs: 200_000,
  statsUpdateUs: 15,
  migratePageUs: 1.5,
  oomKillUs: 2_000,
};
