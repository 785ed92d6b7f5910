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
import { FRAME_BALLOON, FRAME_FREE, FRAME_ISOLATED, FRAME_KERNEL, FRAME_VIRTIO } from '../../core/abi.ts';
import type { BalloonCore } from '../../core/core.ts';
import { asKernelPage, asPfn, type KernelPage } from '../../core/units.ts';
import type { Costs } from '../costs.ts';
import { EventBus } from '../events.ts';
import type { KernelLog } from '../klog.ts';
import { Mutex, type Scheduler, sleep, type Task } from '../sched.ts';
import { BalloonDevInfo } from './balloon-dev-info.ts';
import { Buddy } from './buddy.ts';
import { compactMemory } from './compaction.ts';
import { FrameRuns } from './frameruns.ts';
import {
  K_ANON,
  K_BALLOON,
  K_FILE,
  K_FREE,
  K_ISOLATED,
  K_ISOLATED_PUT,
  K_KERNEL,
  K_SHMEM,
  K_VIRTIO,
  kindNames,
  LIST_BALLOON,
  LIST_BUDDY,
  LIST_COUNT,
  LIST_LRU_ANON,
  LIST_LRU_FILE,
  lruFrameState,
} from './kinds.ts';
import { GFP_HIGHUSER_MOVABLE_TEXT, outOfMemory } from './oom.ts';
import { NOT_ON_LIST, PageLists } from './pagelists.ts';
import { computeWatermarks, memAvailable, type Watermarks } from './watermarks.ts';
import type { OomNotifier, Workload, WorkloadKind } from './workload.ts';

export interface KernelConfig {
  /** Guest RAM in 4 KiB frames. */
  ramFrames: number;
  /** The guest's page size (PAGE_SIZE). */
  pageKiB: 4 | 16 | 64;
  swapMiB: number;
  /** The backed window of kernel data the device reads (rings, pfns[], stats), in 4 KiB frames. */
  windowFrame: number;
  windowFrames: number;
}

/** Linux's vm event counters (/proc/vmstat), the ones the balloon and the UI read. */
export interface VmEvents {
  pgfault: number;
  pgmajfault: number;
  pswpin: number;
  pswpout: number;
  balloonInflate: number;
  balloonDeflate: number;
  balloonMigrate: number;
  compactMigrated: number;
  compactFail: number;
  oomKill: number;
  allocStall: number;
  pgscan: number;
  pgsteal: number;
}

/** /proc/meminfo's lines the simulation shows, in bytes. */
export interface MemInfo {
  MemTotal: number;
  MemFree: number;
  MemAvailable: number;
  Cached: number;
  SwapTotal: number;
  SwapFree: number;
  AnonPages: number;
  Shmem: number;
  /** Pages the balloon driver holds (on its list, in flight or isolated). */
  Balloon: number;
}

/** SWAP_CLUSTER_MAX: the pages one round of direct reclaim tries to free. */
export const SWAP_CLUSTER_MAX = 32;
/** Pages a workload faults in between two yields. */
export const FAULT_CHUNK = 256;
/** The kernel image and memmap: about 2 % of RAM plus 8 MiB (2048 frames). */
const KERNEL_IMAGE_FRAMES = 2048;

const kindOfWorkload: Record<WorkloadKind, number> = { anon: K_ANON, file: K_FILE, shmem: K_SHMEM };

export class GuestKernel {
  /** Frames per kernel page (PAGE_SIZE / 4 KiB): 1, 4 or 16. */
  readonly ppp: number;
  readonly nPages: number;
  readonly pageBytes: number;
  readonly lists: PageLists;
  readonly buddy: Buddy;
  /** The kernel's view of every page: K_* (kinds.ts). */
  readonly kind: Uint8Array;
  /** The workload id of an LRU page (0: none). */
  readonly owner: Uint16Array;
  readonly balloon: BalloonDevInfo;
  /** What the kernel tells observers (events.ts): OOM kills, balloon page migrations. */
  readonly events = new EventBus(() => this.sched.now);
  readonly vm: VmEvents = {
    pgfault: 0,
    pgmajfault: 0,
    pswpin: 0,
    pswpout: 0,
    balloonInflate: 0,
    balloonDeflate: 0,
    balloonMigrate: 0,
    compactMigrated: 0,
    compactFail: 0,
    oomKill: 0,
    allocStall: 0,
    pgscan: 0,
    pgsteal: 0,
  };
  readonly wmark: Watermarks;
  /** Pages reserved at boot (kernel image + memmap, the virtio window): never managed. */
  readonly reservedPages: number;
  /** Kernel image pages: [0, kernelImagePages). */
  readonly kernelImagePages: number;
  /** totalram_pages: managed pages, less what the balloon took out with adjustManagedPageCount. */
  totalramPages: number;
  /** The sum of every adjustManagedPageCount delta. */
  managedAdjust = 0;
  nrAnon = 0;
  nrFile = 0;
  nrShmem = 0;
  /** Pages the balloon driver holds (K_BALLOON, K_ISOLATED, K_ISOLATED_PUT). */
  driverPages = 0;
  /** Of those, balloon pages compaction has isolated (K_ISOLATED, K_ISOLATED_PUT). */
  isolatedKernelPages = 0;
  readonly swapTotalPages: number;
  swapUsedPages = 0;
  /** Balloon page allocations not yet added to the debt (an integer count keeps the hot path cheap). */
  private pendingAllocs = 0;
  private debtUs = 0;
  /** oom_lock: one OOM kill at a time; others back off for a jiffy and retry. */
  readonly oomLock = new Mutex('oom_lock');
  /** Balloon pages inside migratepage right now (checkInvariants allows for them). */
  migrating = 0;
  readonly runs: FrameRuns;
  private readonly workloadsByName = new Map<string, Workload>();
  private readonly byId: (Workload | undefined)[] = [undefined];
  private nextPid = 1000;
  private readonly notifiers: OomNotifier[] = [];

  constructor(
    readonly core: BalloonCore,
    readonly sched: Scheduler,
    readonly cfg: KernelConfig,
    readonly log: KernelLog,
    readonly costs: Costs,
  ) {
    const { ramFrames, pageKiB, swapMiB, windowFrame, windowFrames } = cfg;
    if (pageKiB !== 4 && pageKiB !== 16 && pageKiB !== 64) {
      throw new RangeError(`pageKiB: must be 4, 16 or 64, got ${pageKiB}`);
    }
    this.ppp = pageKiB / 4;
    if (!Number.isInteger(ramFrames) || ramFrames <= 0 || ramFrames % this.ppp !== 0) {
      throw new RangeError(
        `ramFrames: must be a positive whole number of ${pageKiB} KiB pages, got ${ramFrames}`,
      );
    }
    if (core.ramFrames !== ramFrames) {
      throw new RangeError(`ramFrames: the core was laid out for ${core.ramFrames} frames, not ${ramFrames}`);
    }
    if (!(swapMiB >= 0)) throw new RangeError(`swapMiB: must be 0 or more, got ${swapMiB}`);
    this.nPages = ramFrames / this.ppp;
    this.pageBytes = pageKiB * 1024;
    this.swapTotalPages = Math.floor((swapMiB * 1024) / pageKiB);
    this.lists = new PageLists(this.nPages, LIST_COUNT);
    this.buddy = new Buddy(this.lists, LIST_BUDDY);
    this.kind = new Uint8Array(this.nPages);
    this.owner = new Uint16Array(this.nPages);
    this.balloon = new BalloonDevInfo(this.lists, this.kind, this.vm);
    this.runs = new FrameRuns(core, this.ppp);

    // Boot: the kernel image and memmap at the bottom, the virtio window where the config puts it
    // (widened to whole pages), everything else free. Reserved memory has been written, so the host
    // backs it; free memory has never been touched, so a fresh VM's RSS is small.
    const imageFrames = Math.min(Math.floor(ramFrames / 50) + KERNEL_IMAGE_FRAMES, Math.floor(ramFrames / 2));
    this.kernelImagePages = Math.max(1, Math.ceil(imageFrames / this.ppp));
    const winFirst = Math.floor(windowFrame / this.ppp);
    const winEnd = Math.ceil((windowFrame + windowFrames) / this.ppp);
    if (winEnd > this.nPages) throw new RangeError('windowFrame: the window must lie inside guest RAM');
    if (core.stateCount(FRAME_FREE) !== ramFrames) core.setFrames(asPfn(0), ramFrames, FRAME_FREE);
    this.kind.fill(K_KERNEL, 0, this.kernelImagePages);
    this.kind.fill(K_VIRTIO, winFirst, winEnd);
    this.markReserved(0, this.kernelImagePages, FRAME_KERNEL);
    this.markReserved(winFirst, winEnd, FRAME_VIRTIO);
    // Free is what the two reserved ranges leave, handed to the buddy lists in ascending order.
    let free = 0;
    let p = 0;
    const reservedRanges = [
      [0, this.kernelImagePages],
      [winFirst, winEnd],
    ]
      .filter(([first, end]) => end > first)
      .sort((x, y) => x[0] - y[0]);
    for (const [first, end] of reservedRanges) {
      if (first > p) this.buddy.addFreeRange(p, first);
      free += Math.max(0, first - p);
      p = Math.max(p, end);
    }
    if (p < this.nPages) this.buddy.addFreeRange(p, this.nPages);
    free += Math.max(0, this.nPages - p);
    const reserved = this.nPages - free;
    this.reservedPages = reserved;
    this.totalramPages = this.nPages - reserved;
    this.wmark = computeWatermarks(this.totalramPages, pageKiB);
    const kib = (pages: number) => pages * pageKiB;
    log.log(
      `Memory: ${kib(this.totalramPages)}K/${kib(this.nPages)}K available (${kib(reserved)}K reserved, ` +
        `min_free_kbytes ${this.wmark.minFreeKbytes})`,
    );
  }

  private markReserved(first: number, end: number, state: number): void {
    if (end <= first) return;
    const f = asPfn(first * this.ppp);
    this.core.setFrames(f, (end - first) * this.ppp, state);
    this.core.hostTouch(f, (end - first) * this.ppp);
  }

  // ── Accounting ─────────────────────────────────────────────────────────────────────────────────

  /** NR_FREE_PAGES. */
  get freePages(): number {
    return this.buddy.freePages;
  }

  /** adjust_managed_page_count(): the driver, per balloon page, without DEFLATE_ON_OOM. */
  adjustManagedPageCount(delta: number): void {
    this.totalramPages += delta;
    this.managedAdjust += delta;
  }

  /** si_mem_available(), in pages. */
  siMemAvailable(): number {
    return memAvailable(this.buddy.freePages, this.nrFile, this.wmark);
  }

  /** NR_FILE_PAGES: page cache including shmem (what /proc/meminfo calls Cached, less swap cache). */
  fileCachePages(): number {
    return this.nrFile + this.nrShmem;
  }

  meminfo(): MemInfo {
    const b = this.pageBytes;
    return {
      MemTotal: this.totalramPages * b,
      MemFree: this.buddy.freePages * b,
      MemAvailable: this.siMemAvailable() * b,
      Cached: this.fileCachePages() * b,
      SwapTotal: this.swapTotalPages * b,
      SwapFree: (this.swapTotalPages - this.swapUsedPages) * b,
      AnonPages: this.nrAnon * b,
      Shmem: this.nrShmem * b,
      Balloon: this.driverPages * b,
    };
  }

  /** CPU time spent in synchronous kernel code that no task has slept off yet (µs, fractional). */
  get cpuDebtUs(): number {
    if (this.pendingAllocs > 0) {
      this.debtUs += this.pendingAllocs * this.costs.allocPageUs;
      this.pendingAllocs = 0;
    }
    return this.debtUs;
  }

  set cpuDebtUs(us: number) {
    this.pendingAllocs = 0;
    this.debtUs = us;
  }

  /** The whole µs of CPU debt, taken off the books (the fraction stays for next time). */
  takeCpuDebt(): number {
    const debt = this.cpuDebtUs;
    const whole = Math.floor(debt);
    this.debtUs = debt - whole;
    return whole;
  }

  // ── The balloon's allocations ──────────────────────────────────────────────────────────────────

  /**
   * balloon_page_alloc() of 4.16: alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_NOMEMALLOC | __GFP_NORETRY).
   * An order-0 page while free memory is above the min watermark; otherwise one light round of direct
   * reclaim and one more try; never the OOM killer. The page's frames stay FREE for the driver to mark.
   */
  balloonPageAlloc(): KernelPage | -1 {
    this.pendingAllocs++;
    const buddy = this.buddy;
    if (buddy.freePages > this.wmark.min) {
      const p = buddy.alloc0();
      this.kind[p] = K_BALLOON;
      this.driverPages++;
      return asKernelPage(p);
    }
    return this.balloonPageAllocSlow();
  }

  /**
   * balloonPageAlloc() `n` times, the pages written to out[0…]; stops at the first failure. Returns
   * how many it got. The same pages in the same order as the one-by-one calls, with the per-page work
   * done a run at a time.
   */
  balloonPageAllocMany(out: Int32Array, n: number): number {
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
          for (let i = 0; i < k; i++) out[got + i] = first + i;
          got += k;
          this.pendingAllocs += k;
          this.driverPages += k;
          continue;
        }
      }
      const p = this.balloonPageAlloc();
      if (p < 0) break;
      out[got++] = p;
    }
    return got;
  }

  private balloonPageAllocSlow(): KernelPage | -1 {
    this.vm.allocStall++;
    this.shrink(SWAP_CLUSTER_MAX);
    if (this.buddy.freePages <= this.wmark.min) return -1;
    const p = this.buddy.alloc0();
    this.kind[p] = K_BALLOON;
    this.driverPages++;
    return asKernelPage(p);
  }

  /** put_page() of a balloon page (release_pages_balloon): back to the free lists, frames FREE. */
  putPage(page: KernelPage): void {
    if (this.kind[page] === K_BALLOON && this.lists.on[page] === NOT_ON_LIST) {
      this.kind[page] = K_FREE;
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

  private freeRun(lo: number, hi: number): void {
    if (hi < lo) return;
    this.buddy.freeRange(lo, hi + 1);
    this.core.setFrames(asPfn(lo * this.ppp), (hi - lo + 1) * this.ppp, FRAME_FREE);
  }

  private putOtherPage(p: number): void {
    const k = this.kind[p];
    if (k === K_ISOLATED) {
      // The driver dropped its reference inside migratepage; compaction still holds one and frees it.
      this.kind[p] = K_ISOLATED_PUT;
    } else if (k === K_BALLOON) {
      throw new Error(`putPage: page ${p} is still on a list (dequeue it first)`);
    } else {
      throw new Error(`putPage: page ${p} is ${kindNames[k] ?? k}, not a page the balloon holds`);
    }
  }

  // ── Workloads ──────────────────────────────────────────────────────────────────────────────────

  get workloads(): ReadonlyMap<string, Workload> {
    return this.workloadsByName;
  }

  workload(name: string): Workload | undefined {
    return this.workloadsByName.get(name);
  }

  workloadById(id: number): Workload | undefined {
    return this.byId[id];
  }

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
    return this.faultIn(w);
  }

  private *faultIn(w: Workload): Task {
    const k = kindOfWorkload[w.kind];
    const state = lruFrameState(k);
    const runs = new FrameRuns(this.core, this.ppp);
    const buddy = this.buddy;
    while (w.state === 'running' && w.faulted < w.pages) {
      const end = Math.min(w.pages, w.faulted + FAULT_CHUNK);
      while (w.faulted < end) {
        let p = buddy.freePages > this.wmark.min ? buddy.alloc0() : -1;
        if (p < 0) {
          runs.flush();
          p = yield* this.allocSlow(w);
          if (p < 0) return;
        }
        this.mapPage(w, p, k);
        runs.add(p, state, true);
        w.faulted++;
        this.vm.pgfault++;
        this.cpuDebtUs += this.costs.faultPageUs;
      }
      runs.flush();
      const debt = this.takeCpuDebt();
      if (debt > 0) yield sleep(debt);
    }
    if (w.state === 'running') w.state = 'resident';
  }

  /** __alloc_pages_slowpath for a user page: direct reclaim while it helps, then the OOM killer. */
  private *allocSlow(w: Workload): Task<number> {
    for (;;) {
      if (w.state !== 'running') return -1;
      if (this.buddy.freePages > this.wmark.min) return this.buddy.alloc0();
      this.vm.allocStall++;
      const reclaimed = this.shrink(SWAP_CLUSTER_MAX);
      const debt = this.takeCpuDebt();
      if (debt > 0) yield sleep(debt);
      if (reclaimed > 0) continue;
      if (w.state !== 'running') return -1;
      const progress = yield* outOfMemory(this, w);
      if (w.state !== 'running') return -1;
      if (!progress) {
        this.log.log(
          `${w.name}: page allocation failure: order:0, mode:${GFP_HIGHUSER_MOVABLE_TEXT}, nodemask=(null)`,
          'warn',
        );
        w.state = 'failed';
        return -1;
      }
    }
  }

  private mapPage(w: Workload, p: number, k: number): void {
    this.kind[p] = k;
    this.owner[p] = w.id;
    this.lists.addHead(k === K_FILE ? LIST_LRU_FILE : LIST_LRU_ANON, p);
    if (k === K_ANON) this.nrAnon++;
    else if (k === K_FILE) this.nrFile++;
    else this.nrShmem++;
    w.resident++;
  }

  /** Takes an LRU page from its workload and frees it (the caller flushes `runs`). */
  private unmapPage(p: number, runs: FrameRuns): Workload {
    const k = this.kind[p];
    const w = this.byId[this.owner[p]]!;
    this.lists.remove(p);
    if (k === K_ANON) this.nrAnon--;
    else if (k === K_FILE) this.nrFile--;
    else this.nrShmem--;
    w.resident--;
    this.kind[p] = K_FREE;
    this.owner[p] = 0;
    this.buddy.free(p, 0);
    runs.add(p, FRAME_FREE);
    return w;
  }

  /**
   * One round of direct reclaim (shrink_node with nr_to_reclaim = nr): clean page cache first, oldest
   * first (the LRU's tail); then anon and shmem pages out to swap while swap has room. Synchronous;
   * the time goes on cpuDebtUs. Returns the pages freed.
   */
  shrink(nr: number): number {
    const runs = this.runs;
    const lists = this.lists;
    let freed = 0;
    while (freed < nr) {
      const p = lists.last(LIST_LRU_FILE);
      if (p < 0) break;
      this.unmapPage(p, runs);
      freed++;
    }
    let swapped = 0;
    while (freed < nr && this.swapUsedPages < this.swapTotalPages) {
      const p = lists.last(LIST_LRU_ANON);
      if (p < 0) break;
      const w = this.unmapPage(p, runs);
      w.swapped++;
      this.swapUsedPages++;
      swapped++;
      freed++;
    }
    runs.flush();
    this.vm.pgscan += freed;
    this.vm.pgsteal += freed;
    this.vm.pswpout += swapped;
    this.cpuDebtUs += freed * this.costs.reclaimPageUs + swapped * this.costs.swapOutPageUs;
    return freed;
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

  /** Frees a workload's resident pages and swap slots (exit_mmap), leaving it registered. */
  releaseWorkload(w: Workload): void {
    const list = w.kind === 'file' ? LIST_LRU_FILE : LIST_LRU_ANON;
    const runs = this.runs;
    let p = this.lists.first(list);
    while (p >= 0 && w.resident > 0) {
      const next = this.lists.after(p);
      if (this.owner[p] === w.id) this.unmapPage(p, runs);
      p = next;
    }
    runs.flush();
    this.swapUsedPages -= w.swapped;
    w.swapped = 0;
  }

  // ── OOM ────────────────────────────────────────────────────────────────────────────────────────

  /** register_oom_notifier(): called in descending priority, equal priorities in registration order. */
  registerOomNotifier(nb: OomNotifier): void {
    let i = 0;
    while (i < this.notifiers.length && this.notifiers[i].priority >= nb.priority) i++;
    this.notifiers.splice(i, 0, nb);
  }

  unregisterOomNotifier(nb: OomNotifier): boolean {
    const i = this.notifiers.indexOf(nb);
    if (i >= 0) this.notifiers.splice(i, 1);
    return i >= 0;
  }

  get oomNotifiers(): readonly OomNotifier[] {
    return this.notifiers;
  }

  /** out_of_memory(): true if the allocation should be retried (something was freed or killed). */
  *outOfMemory(): Task<boolean> {
    return yield* outOfMemory(this, null);
  }

  // ── Compaction ─────────────────────────────────────────────────────────────────────────────────

  /** echo 1 > /proc/sys/vm/compact_memory: compacts the whole zone (run it as a task). */
  *compactMemory(): Task {
    yield* compactMemory(this);
  }

  /** Isolates balloon page p for migration (balloon_page_isolate): off the list, frames ISOLATED. */
  isolateBalloonPage(p: number): void {
    this.lists.remove(p);
    this.kind[p] = K_ISOLATED;
    this.isolatedKernelPages++;
    this.balloon.isolatedPages++;
    this.core.setFrames(asPfn(p * this.ppp), this.ppp, FRAME_ISOLATED);
  }

  /** balloon_page_putback: a page migratepage refused goes back on the list, frames BALLOON. */
  putbackBalloonPage(p: number): void {
    this.kind[p] = K_BALLOON;
    this.isolatedKernelPages--;
    this.balloon.isolatedPages--;
    this.lists.addHead(LIST_BALLOON, p);
    this.core.setFrames(asPfn(p * this.ppp), this.ppp, FRAME_BALLOON);
  }

  /** The migration core's put_page of an old balloon page after a successful migration. */
  freeIsolatedPage(p: number): void {
    this.kind[p] = K_FREE;
    this.isolatedKernelPages--;
    this.driverPages--;
    this.buddy.free(p, 0);
    this.core.setFrames(asPfn(p * this.ppp), this.ppp, FRAME_FREE);
  }

  /** A free page taken by compaction's free scanner, handed to the driver as migratepage's newpage. */
  takeMigrationTarget(p: number): void {
    this.buddy.takeFree(p);
    this.kind[p] = K_BALLOON;
    this.driverPages++;
  }

  /** A migration target migratepage did not use, back to the free lists. */
  returnMigrationTarget(p: number): void {
    this.kind[p] = K_FREE;
    this.driverPages--;
    this.buddy.free(p, 0);
    this.core.setFrames(asPfn(p * this.ppp), this.ppp, FRAME_FREE);
  }

  /**
   * Moves LRU page `old` to free page `fresh` (migrate_pages for an LRU page): the copy writes fresh
   * (the host backs it), the owner's list entry moves over, old is freed. The caller flushes the runs.
   */
  migrateLruPage(old: number, fresh: number, oldRuns: FrameRuns, freshRuns: FrameRuns): void {
    this.buddy.takeFree(fresh);
    const k = this.kind[old];
    this.lists.replace(old, fresh);
    this.kind[fresh] = k;
    this.owner[fresh] = this.owner[old];
    this.kind[old] = K_FREE;
    this.owner[old] = 0;
    this.buddy.free(old, 0);
    freshRuns.add(fresh, lruFrameState(k), true);
    oldRuns.add(old, FRAME_FREE);
  }

  // ── Checks ─────────────────────────────────────────────────────────────────────────────────────

  /**
   * Everything that must hold between events, as messages (empty when fine). Precondition: every page
   * balloonPageAlloc handed out has had its frames marked, but for `pagesInHand` the driver holds
   * unmarked (fill_balloon between allocating and marking a batch).
   */
}
