// What every part of the guest's memory management works on: the state Linux keeps in struct zone,
// pglist_data, struct page and the vm counters, with the few primitives they all share. The parts
// (the page allocator's balloon side in kernel.ts, reclaim.ts, workloads.ts, oom.ts, compaction.ts,
// invariants.ts) each import this, not each other's files, so none of them depends on the whole.
//
// Boot lays memory out (the kernel image and the virtio window reserved, the rest free). The process
// table (workloads), the OOM notifier chain and oom_lock live here too: reclaim, the fault path and the
// OOM killer all look at them.
import { FRAME_FREE, FRAME_KERNEL, FRAME_VIRTIO } from '../../core/abi.ts';
import type { BalloonCore } from '../../core/core.ts';
import { asPfn } from '../../core/units.ts';
import type { Costs } from '../costs.ts';
import { EventBus } from '../events.ts';
import type { KernelLog } from '../klog.ts';
import { Mutex, type Scheduler } from '../sched.ts';
import { BalloonDevInfo } from './balloon-dev-info.ts';
import { BOOT_SRECLAIMABLE_KB, bootRegions, bootScale, FREED_AFTER_WMARK_KB } from './boot-layout.ts';
import { Buddy } from './buddy.ts';
import { FrameRuns } from './frameruns.ts';
import {
  K_ANON,
  K_FILE,
  K_FREE,
  K_KERNEL,
  K_SLAB,
  K_VIRTIO,
  KIND_COUNT,
  LIST_BUDDY,
  LIST_COUNT,
  LIST_LRU_ANON,
  LIST_LRU_FILE,
} from './kinds.ts';
import { CHANGE_SHIFT, PageLists } from './pagelists.ts';
import { computeWatermarks, memAvailable, type Watermarks } from './watermarks.ts';
import type { OomNotifier, Workload } from './workload.ts';

export interface KernelConfig {
  /** Guest RAM in 4 KiB frames. */
  ramFrames: number;
  /** The guest's page size (PAGE_SIZE). */
  pageKiB: 4 | 16 | 64;
  swapMiB: number;
  /** The backed window of kernel data the device reads (rings, pfns[], stats), in 4 KiB frames. */
  windowFrame: number;
  windowFrames: number;
  /** KASLR: picks the kernel image's slot, 0 … slots − 1 (boot-layout.ts). Absent: slot 0, 16 MiB. */
  kaslr?: (slots: number) => number;
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
  /** pgsteal_kswapd: pages kswapd reclaimed (also in pgsteal). */
  kswapdSteal: number;
  /** compact_migrate_scanned, compact_free_scanned, compact_isolated (both scanners' isolations). */
  compactMigrateScanned: number;
  compactFreeScanned: number;
  compactIsolated: number;
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

/** The process table and the OOM chain as a snapshot keeps them (snapshot.ts): copies. */
export interface KernelTables {
  /** Every workload ever started, by id from 1. */
  readonly workloads: readonly Workload[];
  /** The alive ones' names and ids. */
  readonly alive: readonly (readonly [string, number])[];
  readonly notifiers: readonly OomNotifier[];
}

export class KernelState {
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
    kswapdSteal: 0,
    compactMigrateScanned: 0,
    compactFreeScanned: 0,
    compactIsolated: 0,
  };
  readonly wmark: Watermarks;
  /** Pages reserved at boot (boot-layout.ts's reserved regions, the virtio window): never managed. */
  readonly reservedPages: number;
  /** Pages the kernel allocated while booting (K_SLAB): in MemTotal, not in MemFree; never freed. */
  readonly bootInUsePages: number;
  /** Of those, reclaimable slab (SReclaimable), which MemAvailable counts in part. */
  readonly sReclaimablePages: number;
  /** boot-layout.ts's scale: 1 at 256 MiB and above, RAM / 256 MiB below. */
  readonly bootScale: number;
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
  /** kswapd is running (kswapd.ts): woken by an allocation below the low watermark. */
  kswapdAwake = false;
  /** The pages the kernel freed inside its image once up: free, but backed (it was written there). */
  imageFreedPages = 0;
  /** Where they are: page runs [first, end). */
  readonly imageFreedRuns: [number, number][] = [];
  /** Where boot put each region (boot-layout.ts), as page runs [first, end), for the map's words. */
  readonly bootRuns: { name: string; first: number; end: number }[] = [];
  /** Balloon page allocations not yet added to the debt (an integer count keeps the hot path cheap). */
  pendingAllocs = 0;
  private debtUs = 0;
  /** oom_lock: one OOM kill at a time; others back off for a jiffy and retry. */
  readonly oomLock = new Mutex('oom_lock');
  /** Balloon pages inside migratepage right now (checkInvariants allows for them). */
  migrating = 0;
  /** Frame runs of the kernel's own synchronous paths (reclaim, exit): flushed before they return. */
  readonly runs: FrameRuns;
  /** The process table: workloads by name (alive ones) and by id (every one ever started, id 0 none). */
  protected readonly workloadsByName = new Map<string, Workload>();
  protected readonly byId: (Workload | undefined)[] = [undefined];
  protected nextPid = 1000;
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

    // Boot (boot-layout.ts): the virtio window where the config puts it (widened to whole pages),
    // then the reservations and what the kernel allocated while booting, laid out as Linux lays them
    // out; everything else free. Kernel memory has been written, so the host backs it; free memory
    // has never been touched, so a fresh VM's RSS is what the kernel uses.
    const winFirst = Math.floor(windowFrame / this.ppp);
    const winEnd = Math.ceil((windowFrame + windowFrames) / this.ppp);
    if (winEnd > this.nPages) throw new RangeError('windowFrame: the window must lie inside guest RAM');
    if (core.stateCount(FRAME_FREE) !== ramFrames) core.setFrames(asPfn(0), ramFrames, FRAME_FREE);
    const kind = this.kind;
    kind.fill(K_VIRTIO, winFirst, winEnd);
    this.bootScale = bootScale(this.nPages, pageKiB);
    let bootInUse = 0;
    let taken = winEnd - winFirst;
    // The image's parts the kernel frees once up carry a kind of their own until they are freed.
    const K_FREED_LATER = KIND_COUNT;
    for (const r of bootRegions(this.nPages, pageKiB, winEnd - winFirst, cfg.kaslr)) {
      const k = r.kind === 'in-use' ? K_SLAB : r.kind === 'freed' ? K_FREED_LATER : K_KERNEL;
      // Never all of RAM: a region that does not fit is cut short.
      const room = Math.max(0, this.nPages - 1 - taken);
      const from = r.place === 'top-down' ? -1 : r.place.up;
      const placed = placeRegion(kind, k, Math.min(r.pages, room), from, (first, end) =>
        this.bootRuns.push({ name: r.name, first, end }),
      );
      taken += placed;
      if (k === K_SLAB) bootInUse += placed;
    }
    const freedLater: [number, number][] = [];
    this.bootInUsePages = bootInUse;
    // One pass: kernel runs to the frame table (backed), free runs to the buddy lists, ascending.
    let free = 0;
    let p = 0;
    while (p < this.nPages) {
      const k = kind[p];
      let e = p + 1;
      while (e < this.nPages && kind[e] === k) e++;
      if (k === K_FREE) {
        this.buddy.addFreeRange(p, e);
        free += e - p;
      } else this.markReserved(p, e, k === K_VIRTIO ? FRAME_VIRTIO : FRAME_KERNEL);
      if (k === K_FREED_LATER) freedLater.push([p, e]);
      p = e;
    }
    // free_initmem and free_kernel_image_pages: the pages go to the head of the free lists (Linux's go
    // through the per-cpu list first, which the simulation leaves out: boot-layout.ts). The host
    // still backs them: the kernel was decompressed there.
    for (const [first, end] of freedLater) {
      kind.fill(K_FREE, first, end);
      this.core.setFrames(asPfn(first * this.ppp), (end - first) * this.ppp, FRAME_FREE);
      this.buddy.addFreeRange(first, end, true);
      free += end - first;
      this.imageFreedPages += end - first;
      this.imageFreedRuns.push([first, end]);
    }
    const reserved = this.nPages - free - bootInUse;
    this.reservedPages = reserved;
    this.totalramPages = this.nPages - reserved;
    // The watermarks are computed before the kernel frees its init sections and the initrd.
    const freedAfterWmark = Math.ceil((FREED_AFTER_WMARK_KB * this.bootScale) / pageKiB);
    this.wmark = computeWatermarks(Math.max(1, this.totalramPages - freedAfterWmark), pageKiB);
    this.sReclaimablePages = Math.min(
      bootInUse,
      Math.floor((BOOT_SRECLAIMABLE_KB * this.bootScale) / pageKiB),
    );
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
    return memAvailable(this.buddy.freePages, this.nrFile, this.wmark, this.sReclaimablePages);
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

  // ── The process table ──────────────────────────────────────────────────────────────────────────

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
   * Page p's entries in the per-page arrays (kind, owner) changed: snapshots copy its chunk. A write
   * that comes with a PageLists call on the same page needs no call here: the lists mark it.
   */
  touch(p: number): void {
    this.lists.changed[p >>> CHANGE_SHIFT] = 1;
  }

  /** Takes an LRU page from its workload and frees it (the caller flushes `runs`). */
  unmapPage(p: number, runs: FrameRuns): Workload {
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

  // ── The OOM notifier chain ─────────────────────────────────────────────────────────────────────

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

  // ── Snapshots ──────────────────────────────────────────────────────────────────────────────────

  /** The process table and the OOM chain, copied (snapshot.ts keeps the fields and arrays). */
  saveTables(): KernelTables {
    return {
      workloads: this.byId.slice(1).map((w) => ({ ...w! })),
      alive: [...this.workloadsByName].map(([name, w]) => [name, w.id] as const),
      notifiers: this.notifiers.slice(),
    };
  }

  /** Puts back what saveTables() copied (as new Workload objects: the snapshot keeps its own). */
  loadTables(t: KernelTables): void {
    this.byId.length = 1;
    for (const w of t.workloads) this.byId.push({ ...w });
    this.workloadsByName.clear();
    for (const [name, id] of t.alive) this.workloadsByName.set(name, this.byId[id]!);
    this.notifiers.length = 0;
    this.notifiers.push(...t.notifiers);
  }
}

/**
 * Marks `n` free pages of `kind` as kind `k`: upwards from page `from` (wrapping to the bottom), or
 * downwards from the top when `from` is −1, skipping pages already placed. Returns how many it marked,
 * and hands each run it marked, ascending within the run, to `run`.
 */
function placeRegion(
  kind: Uint8Array,
  k: number,
  n: number,
  from: number,
  run: (first: number, end: number) => void,
): number {
  const total = kind.length;
  let placed = 0;
  let lo = -1;
  let hi = -1;
  for (let i = 0; i < total && placed < n; i++) {
    const p = from < 0 ? total - 1 - i : (from + i) % total;
    if (kind[p] !== K_FREE) continue;
    kind[p] = k;
    placed++;
    if (p === hi) hi++;
    else if (p === lo - 1) lo--;
    else {
      if (lo >= 0) run(lo, hi);
      lo = p;
      hi = p + 1;
    }
  }
  if (lo >= 0) run(lo, hi);
  return placed;
}
