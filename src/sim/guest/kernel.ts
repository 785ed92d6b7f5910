// The guest kernel's memory management: what the balloon driver allocates from and gives back to,
// what workloads fault into, what reclaim, the OOM killer and compaction work on.
//
// Execution model (sched.ts): allocation is synchronous. It never yields, so a page is never half
// owned at an event boundary; it adds the CPU time it stands for to `cpuDebtUs`, and the caller turns
// that into `yield sleep(takeCpuDebt())` at its next safe point. Paths that block (a workload stalling
// in reclaim, the OOM notifier chain deflating the balloon, compaction calling migratepage) are tasks.
//
// State ownership of the core's frame table: the kernel writes FREE, KERNEL, VIRTIO, ANON, FILE, SHMEM
// and the ISOLATED transitions it makes; the driver writes INFLATING, BALLOON and DEFLATING for its
// pages through the core's PFN batch functions. balloonPageAlloc hands out a page with its frames still
// FREE: the driver marks them in the same synchronous stretch.
//
// The rooms: kernel-state.ts holds the state and boot; this file the balloon's side of the page
// allocator and the entry points the simulation calls; workloads.ts the fault path, reclaim.ts direct
// reclaim, oom.ts the OOM killer, compaction.ts compaction and page migration.
import { FRAME_FREE } from '../../core/abi.ts';
import { asKernelPage, asPfn, type KernelPage } from '../../core/units.ts';
import type { PageRuns } from '../page-runs.ts';
import type { Restart, Task } from '../sched.ts';
import { COMPACTION, type CompactionState, compactMemory } from './compaction.ts';
import { KernelState } from './kernel-state.ts';
import { K_BALLOON, K_FREE, K_ISOLATED, K_ISOLATED_PUT, kindNames } from './kinds.ts';
import { KSWAPD, kswapd, wakeKswapd } from './kswapd.ts';
import { NOT_ON_LIST } from './pagelists.ts';
import { SWAP_CLUSTER_MAX, shrinkNode } from './reclaim.ts';
import type { Workload, WorkloadKind } from './workload.ts';
import { FAULT_IN, type FaultInState, faultIn, kindOfWorkload } from './workloads.ts';

export type { KernelConfig, MemInfo, VmEvents } from './kernel-state.ts';
export { SWAP_CLUSTER_MAX } from './reclaim.ts';
export { FAULT_CHUNK } from './workloads.ts';

export class GuestKernel extends KernelState {
  // ── The balloon's allocations ──────────────────────────────────────────────────────────────────

  /**
   * balloon_page_alloc(): alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_NOMEMALLOC | __GFP_NORETRY). The fast
   * path takes a page while free memory is above the low watermark; below it the slow path wakes
   * kswapd and takes pages down to the min watermark; below that, one light round of direct reclaim
   * and one more try; never the OOM killer. The page's frames stay FREE for the driver to mark.
   */
  balloonPageAlloc(): KernelPage | -1 {
    this.pendingAllocs++;
    const buddy = this.buddy;
    if (buddy.freePages > this.wmark.min) {
      const p = buddy.alloc0();
      this.kind[p] = K_BALLOON;
      this.touch(p);
      this.driverPages++;
      if (buddy.freePages <= this.wmark.low) wakeKswapd(this);
      return asKernelPage(p);
    }
    return this.balloonPageAllocSlow();
  }

  /**
   * balloonPageAlloc() up to `n` times, the pages appended to `out` in the order they were taken;
   * stops at the first failure. Returns how many it got. The same pages in the same order as the
   * one-by-one calls, with the per-page work done a run at a time.
   */
  balloonPageAllocRuns(out: PageRuns, n: number): number {
    const buddy = this.buddy;
    const kind = this.kind;
    let got = 0;
    while (got < n) {
      const spare = buddy.freePages - this.wmark.min;
      if (spare > 0) {
        const first = buddy.allocFromRun(Math.min(n - got, spare));
        const k = buddy.taken;
        if (k > 0) {
          kind.fill(K_BALLOON, first, first + k);
          this.lists.markChanged(first, first + k);
          out.push(first, k, 1);
          got += k;
          this.pendingAllocs += k;
          this.driverPages += k;
          continue;
        }
      }
      const p = this.balloonPageAlloc();
      if (p < 0) break;
      out.add(p);
      got++;
    }
    if (buddy.freePages <= this.wmark.low) wakeKswapd(this);
    return got;
  }

  private balloonPageAllocSlow(): KernelPage | -1 {
    this.vm.allocStall++;
    wakeKswapd(this);
    this.shrink(SWAP_CLUSTER_MAX);
    if (this.buddy.freePages <= this.wmark.min) return -1;
    const p = this.buddy.alloc0();
    this.kind[p] = K_BALLOON;
    this.touch(p);
    this.driverPages++;
    return asKernelPage(p);
  }

  /** put_page() of a balloon page (release_pages_balloon): back to the free lists, frames FREE. */
  putPage(page: KernelPage): void {
    if (this.kind[page] === K_BALLOON && this.lists.on[page] === NOT_ON_LIST) {
      this.kind[page] = K_FREE;
      this.touch(page);
      this.driverPages--;
      this.freeRun(page, page);
    } else {
      this.putOtherPage(page);
    }
  }

  /**
   * putPage for pages[0 … n): consecutive pages (ascending or descending, as a batch from the balloon
   * list comes) go back to the buddy allocator and to the core's frame table as one run each.
   */
  putPages(pages: ArrayLike<KernelPage>, n: number = pages.length): void {
    const kind = this.kind;
    const on = this.lists.on;
    let lo = 0;
    let hi = -1;
    let freed = 0;
    for (let i = 0; i < n; i++) {
      const p = pages[i];
      if (kind[p] !== K_BALLOON || on[p] !== NOT_ON_LIST) {
        this.putOtherPage(p);
        continue;
      }
      kind[p] = K_FREE;
      freed++;
      if (p === hi + 1 && hi >= lo) hi = p;
      else if (p === lo - 1 && hi >= lo) lo = p;
      else {
        this.freeRun(lo, hi);
        lo = p;
        hi = p;
      }
    }
    this.freeRun(lo, hi);
    this.driverPages -= freed;
  }

  /**
   * putPages for a batch in runs (release_pages_balloon): the same pages freed in the same runs as
   * putPages of the pages one by one, with the checks and marks done a run at a time.
   */
  putRuns(runs: PageRuns): void {
    const kind = this.kind;
    const { first, count, step } = runs;
    if (!this.allHeld(runs)) {
      // A page the balloon does not hold as such: a page it may not free is refused before any page
      // of the batch is freed; one compaction has isolated is put as putPage puts it.
      const pages = runs.toArray() as KernelPage[];
      for (const p of pages)
        if (kind[p] !== K_ISOLATED && !(kind[p] === K_BALLOON && this.lists.on[p] === NOT_ON_LIST))
          this.putOtherPage(p); // throws the reason
      this.putPages(pages);
      return;
    }
    // putPages' walk, a run at a time: a page extends [lo, hi] at whichever end it continues, or the
    // run so far is freed and a new one starts. From a run's second page on, each page extends the
    // end the one before it set, so only the first two pages of a run need the rule.
    let lo = 0;
    let hi = -1;
    for (let r = 0; r < runs.runs; r++) {
      const n = count[r];
      const s = step[r];
      const a = first[r];
      kind.fill(K_FREE, runs.low(r), runs.high(r) + 1);
      for (let i = 0, p = a; i < n && i < 2; i++, p += s) {
        if (p === hi + 1 && hi >= lo) hi = p;
        else if (p === lo - 1 && hi >= lo) lo = p;
        else {
          this.freeRun(lo, hi);
          lo = p;
          hi = p;
        }
      }
      if (n > 2) {
        if (s > 0) hi = a + n - 1;
        else lo = a - n + 1;
      }
    }
    this.freeRun(lo, hi);
    this.driverPages -= runs.pages;
  }

  // kind[] and lists.on[] four pages at a time, for allHeld().
  private kindWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private onWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

  /** Whether every page of `runs` is a balloon page on no list: what putPage checks of each. */
  private allHeld(runs: PageRuns): boolean {
    const kind = this.kind;
    const on = this.lists.on;
    // Both arrays start their buffers (kernel-state.ts, pagelists.ts make them): word i is pages 4i…4i+3.
    if (this.kindWords.buffer !== kind.buffer)
      this.kindWords = new Uint32Array(kind.buffer, 0, kind.length >>> 2);
    if (this.onWords.buffer !== on.buffer) this.onWords = new Uint32Array(on.buffer, 0, on.length >>> 2);
    const kw = this.kindWords;
    const ow = this.onWords;
    const held = K_BALLOON * 0x01010101;
    const off = NOT_ON_LIST * 0x01010101;
    for (let r = 0; r < runs.runs; r++) {
      let p = runs.low(r);
      const end = runs.high(r) + 1;
      for (; p < end && (p & 3) !== 0; p++) if (kind[p] !== K_BALLOON || on[p] !== NOT_ON_LIST) return false;
      for (; p + 4 <= end; p += 4) if (kw[p >>> 2] !== held || ow[p >>> 2] !== off) return false;
      for (; p < end; p++) if (kind[p] !== K_BALLOON || on[p] !== NOT_ON_LIST) return false;
    }
    return true;
  }

  /** Pages lo … hi (their kind already K_FREE) back to the buddy allocator and the frame table. */
  private freeRun(lo: number, hi: number): void {
    if (hi < lo) return;
    this.lists.markChanged(lo, hi + 1);
    this.buddy.freeRange(lo, hi + 1);
    this.core.setFrames(asPfn(lo * this.ppp), (hi - lo + 1) * this.ppp, FRAME_FREE);
  }

  private putOtherPage(p: number): void {
    const k = this.kind[p];
    if (k === K_ISOLATED) {
      // The driver dropped its reference inside migratepage; compaction still holds one and frees it.
      this.kind[p] = K_ISOLATED_PUT;
      this.touch(p);
    } else if (k === K_BALLOON) {
      throw new Error(`putPage: page ${p} is still on a list (dequeue it first)`);
    } else {
      throw new Error(`putPage: page ${p} is ${kindNames[k] ?? k}, not a page the balloon holds`);
    }
  }

  // ── Workloads ──────────────────────────────────────────────────────────────────────────────────

  /**
   * A workload that maps `pages` pages and touches them all: registered now (so its name and pid are
   * taken), faulting in once the returned task runs.
   */
  startWorkload(name: string, kind: WorkloadKind, pages: number): Task {
    if (this.workloadsByName.has(name)) throw new Error(`workload ${name}: already exists (free it first)`);
    if (!(kind in kindOfWorkload)) throw new Error(`workload ${name}: kind must be anon, file or shmem`);
    if (!Number.isInteger(pages) || pages < 0) throw new RangeError(`workload ${name}: pages must be ≥ 0`);
    const id = this.byId.length;
    if (id > 0xffff) throw new RangeError('too many workloads for the owner table');
    const w: Workload = {
      name,
      pid: this.nextPid++,
      kind,
      id,
      pages,
      faulted: 0,
      resident: 0,
      swapped: 0,
      state: 'running',
    };
    this.byId.push(w);
    this.workloadsByName.set(name, w);
    return faultIn(this, w);
  }

  /** Frees everything a workload has, resident and in swap; its task stops at its next step. */
  freeWorkload(name: string): boolean {
    const w = this.workloadsByName.get(name);
    if (!w) return false;
    this.releaseWorkload(w);
    if (w.state === 'running' || w.state === 'resident' || w.state === 'failed') w.state = 'freed';
    this.workloadsByName.delete(name);
    return true;
  }

  /** One round of direct reclaim (reclaim.ts): the pages freed; the time goes on cpuDebtUs. */
  shrink(nr: number): number {
    return shrinkNode(this, nr);
  }

  // ── Compaction ─────────────────────────────────────────────────────────────────────────────────

  /** echo 1 > /proc/sys/vm/compact_memory: compacts the whole zone (run it as a task). */
  compactMemory(): Task {
    return compactMemory(this);
  }

  // ── Snapshots ──────────────────────────────────────────────────────────────────────────────────

  /** A kernel task made again from the restart data it slept with (sched.ts, snapshot.ts). */
  restartTask(restart: Restart): Task {
    if (restart.kind === FAULT_IN) {
      const w = this.byId[(restart.state as FaultInState).id];
      if (!w) throw new Error(`restartTask: no workload ${(restart.state as FaultInState).id}`);
      return faultIn(this, w, restart);
    }
    if (restart.kind === KSWAPD) return kswapd(this, restart);
    if (restart.kind === COMPACTION)
      return compactMemory(this, restart as Restart & { state: CompactionState });
    throw new Error(`restartTask: the kernel has no task of kind ${restart.kind}`);
  }
}
