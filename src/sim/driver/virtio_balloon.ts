// The seed's balloon driver (Linux 4.15/4.16 drivers/virtio/virtio_balloon.c), ported function for
// function with the same names, order and comments on ordering. Functions that sleep in the kernel
// (wait_event, msleep, mutex_lock, cancel_work_sync) are generators here: `yield*` marks each place
// the C code can block. Line ranges in the seed: seed-map.ts.
//
// Units, as in the seed: every counter (num_pages, num_pfns, what fill/leak return) is in 4 KiB
// balloon pages; a kernel page of PAGE_SIZE holds VIRTIO_BALLOON_PAGES_PER_PAGE of them.
import {
  FRAME_BALLOON,
  FRAME_DEFLATING,
  FRAME_INFLATING,
  VRING_DESC_F_INDIRECT,
  VRING_DESC_F_NEXT,
  VRING_DESC_F_WRITE,
} from '../../core/abi.ts';
import type { BalloonCore } from '../../core/core.ts';
import { availIdx, availSlot, descAt, descFlags, descLen, descNext } from '../../core/ring-layout.ts';
import { asGpa, asKernelPage, asPfn, type Gpa, type KernelPage } from '../../core/units.ts';
import type { Costs } from '../costs.ts';
import type { EventBus } from '../events.ts';
import type { KernelLog } from '../klog.ts';
import { PageRuns } from '../page-runs.ts';
import type { PrngState } from '../prng.ts';
import { RatelimitState, ratelimit, suppressedLine } from '../ratelimit.ts';
import type { FaultKind } from '../scenario-steps.ts';
import {
  Mutex,
  mutexLock,
  type Scheduler,
  sleep,
  type Task,
  WaitQueue,
  WorkItem,
  type Workqueue,
} from '../sched.ts';
import { msleepUs } from '../timing.ts';
import type { WindowAllocator } from '../virtio/dma.ts';
import {
  bit,
  hasFeature,
  RING_TRANSPORT_FEATURES,
  VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
  VIRTIO_BALLOON_F_MUST_TELL_HOST,
  VIRTIO_BALLOON_F_STATS_VQ,
  VIRTIO_CONFIG_S_ACKNOWLEDGE,
  VIRTIO_CONFIG_S_DRIVER,
  VIRTIO_CONFIG_S_DRIVER_OK,
  VIRTIO_CONFIG_S_FEATURES_OK,
  VIRTIO_F_IOMMU_PLATFORM,
  VIRTIO_F_VERSION_1,
} from '../virtio/features.ts';
import type { VirtioTransport } from '../virtio/transport.ts';
import { findVqs, type Virtqueue } from '../virtio/virtqueue.ts';
import type { DriverFunction } from './seed-map.ts';

export const VIRTIO_BALLOON_ARRAY_PFNS_MAX = 256;
export const OOM_VBALLOON_DEFAULT_PAGES = 256;
export const VIRTBALLOON_OOM_NOTIFY_PRIORITY = 80;
const VIRTIO_BALLOON_S_NR = 10;
const EAGAIN = 11;
const MIGRATEPAGE_SUCCESS = 0;

// Stats tags (include/uapi/linux/virtio_balloon.h).
const VIRTIO_BALLOON_S_SWAP_IN = 0;
const VIRTIO_BALLOON_S_SWAP_OUT = 1;
const VIRTIO_BALLOON_S_MAJFLT = 2;
const VIRTIO_BALLOON_S_MINFLT = 3;
const VIRTIO_BALLOON_S_MEMFREE = 4;
const VIRTIO_BALLOON_S_MEMTOT = 5;
const VIRTIO_BALLOON_S_AVAIL = 6;
const VIRTIO_BALLOON_S_CACHES = 7;

/** What the driver needs from the guest kernel's memory management (mm/, balloon_compaction.c). */
export interface BalloonMm {
  /** PAGE_SIZE / 4 KiB. */
  readonly pagesPerPage: number;
  /** balloon_page_alloc(): __GFP_NORETRY — may reclaim a little, never waits long, never OOM-kills. */
  balloonPageAlloc(): number;
  /** balloonPageAlloc() up to `n` times, the pages appended to `out`, stopping at the first failure: how many. */
  balloonPageAllocRuns(out: PageRuns, n: number): number;
  /** put_page() of the pages the balloon gives back, in order. */
  putRuns(pages: PageRuns): void;
  adjustManagedPageCount(delta: number): void;
  readonly balloon: {
    enqueue(page: KernelPage): void;
    /** balloon_page_insert: what migratepage uses for the new page. */
    insert(page: KernelPage): void;
    /** The first non-isolated page from the list head, or -1. */
    dequeue(): number;
    /** enqueue() of the pages of `pages`, last to first (popping a list they were pushed to in order). */
    enqueueRuns(pages: PageRuns): void;
    /** dequeue() up to `n` times, the pages appended to `out`, stopping when the list is empty: how many. */
    dequeueRuns(out: PageRuns, n: number): number;
    migratepage: ((newpage: KernelPage, page: KernelPage) => Task<number>) | null;
    isolatedPages: number;
  };
  registerOomNotifier(nb: OomNotifier): void;
  unregisterOomNotifier(nb: OomNotifier): void;
  readonly vm: {
    pswpin: number;
    pswpout: number;
    pgmajfault: number;
    pgfault: number;
    balloonMigrate: number;
  };
  totalramPages(): number;
  freeramPages(): number;
  siMemAvailable(): number;
  /** NR_FILE_PAGES. */
  fileCachePages(): number;
  /** CPU time the last allocations cost, taken and reset. */
  takeCpuDebtUs(): number;
}

export interface OomNotifier {
  priority: number;
  call(freed: { value: number }): Task;
}

/** Hooks the simulation listens on: which function runs (for the driver view), faults. */
export interface DriverHooks {
  enter?(fn: DriverFunction, detail?: string): void;
  /**
   * Whether enter() gets its detail strings ("inflate 256 pfns"). Building them costs time on every
   * batch, so a run nobody watches (a benchmark, the soak) leaves this off.
   */
  details?: boolean;
  /** tell_host() is about to put a buffer on `vq` (counted per queue without parsing details). */
  tellHost?(vq: string): void;
}

export interface DriverEnv {
  sched: Scheduler;
  core: BalloonCore;
  transport: VirtioTransport;
  mm: BalloonMm;
  /** system_freezable_wq */
  wq: Workqueue;
  mem: WindowAllocator;
  log: KernelLog;
  costs: Costs;
  queueSize: number;
  hooks: DriverHooks;
  /** Where the driver tells what happened (events.ts): out of puff, the OOM notifier. */
  events?: EventBus;
  /** The simulation's PRNG: how long a sleep really lasts (timing.ts). */
  prng: PrngState;
}

/** The driver's feature table: exactly these three (seed: `features[]`). */
export const FEATURE_TABLE = [
  VIRTIO_BALLOON_F_MUST_TELL_HOST,
  VIRTIO_BALLOON_F_STATS_VQ,
  VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
] as const;

/** struct virtio_balloon, and the driver's functions on it. */
export class VirtioBalloon {
  inflate_vq: Virtqueue | null = null;
  deflate_vq: Virtqueue | null = null;
  stats_vq: Virtqueue | null = null;

  /* The balloon servicing is delegated to a freezable workqueue. */
  readonly update_balloon_stats_work = new WorkItem('update_balloon_stats_func', () =>
    this.update_balloon_stats_func(),
  );
  readonly update_balloon_size_work = new WorkItem('update_balloon_size_func', () =>
    this.update_balloon_size_func(),
  );

  /* Prevent updating balloon when it is being canceled. (stop_update_lock: one CPU, no spinning) */
  stop_update = false;

  /* Waiting for host to ack the pages we released. */
  readonly acked = new WaitQueue('vb->acked');

  /* Number of balloon pages we've told the Host we're not using. */
  num_pages = 0;

  /* Synchronize access/update to this struct virtio_balloon elements */
  readonly balloon_lock = new Mutex('balloon_lock');

  /* The array of pfns we tell the Host about. */
  num_pfns = 0;
  readonly pfns: Gpa;

  /* Memory statistics */
  readonly stats: Gpa;

  /* To register callback in oom notifier call chain */
  readonly nb: OomNotifier = {
    priority: VIRTBALLOON_OOM_NOTIFY_PRIORITY,
    call: (freed) => this.virtballoon_oom_notify(freed),
  };

  /** module_param oom_pages */
  oom_pages = OOM_VBALLOON_DEFAULT_PAGES;
  /** Set while the driver is bound to the device (after probe, before remove). */
  bound = false;
  /** A malformed buffer the next tell_host puts on the ring (scenario step `fault`). */
  pendingFault: FaultKind | null = null;
  /** PFNs a `bad-pfn` fault hid from the host: the host's view of them no longer follows the guest's. */
  readonly clobberedPfns: number[] = [];
  /** dev_info_ratelimited's static state in fill_balloon (one per call site, kept across probes). */
  readonly outOfPuffRatelimit = new RatelimitState();
  /** Pages fill_balloon holds between balloon_page_alloc and enqueueing them (its local list). */
  pagesInHand = 0;
  // fill_balloon's local page list, one batch's pages, and migratepage's one page, as runs of
  // consecutive pages (page-runs.ts), kept to spare the allocator per batch.
  private readonly localPages = new PageRuns();
  private readonly batchPages = new PageRuns();
  private readonly onePage = new PageRuns();

  private readonly ringsMark: number;

  constructor(private readonly env: DriverEnv) {
    // kmalloc(sizeof(*vb)): pfns[] and stats[] are in kernel memory, where the device reads them.
    this.pfns = env.mem.alloc(VIRTIO_BALLOON_ARRAY_PFNS_MAX * 4, 64);
    this.stats = env.mem.alloc(VIRTIO_BALLOON_S_NR * 10, 64);
    this.ringsMark = env.mem.mark();
  }

  private get ppp(): number {
    return this.env.mm.pagesPerPage; // VIRTIO_BALLOON_PAGES_PER_PAGE
  }

  /** virtio_has_feature: what the driver negotiated (vdev->features, kept across a reset). */
  private has(feature: number): boolean {
    return this.env.transport.driverHas(feature);
  }

  private enter(fn: DriverFunction, detail?: string): void {
    this.env.hooks.enter?.(fn, detail);
  }

  /** Whether to build enter()'s detail strings (see DriverHooks.details). */
  private get details(): boolean {
    return this.env.hooks.details === true;
  }

  page_to_balloon_pfn(page: KernelPage): number {
    this.enter('page_to_balloon_pfn');
    /* Convert pfn from Linux page size to balloon page size. */
    return page * this.ppp;
  }

  /** The inflate and deflate queues' callback (interrupt context). */
  balloon_ack(): void {
    this.enter('balloon_ack');
    this.env.sched.wakeUp(this.acked);
  }

  *tell_host(vq: Virtqueue): Task {
    this.enter('tell_host', this.details ? `${vq.name} ${this.num_pfns} pfns` : undefined);
    this.env.hooks.tellHost?.(vq.name);
    /* We should always be able to add one buffer to an empty queue. */
    if (!vq.addOutbuf(this.pfns, 4 * this.num_pfns)) throw new Error(`tell_host: ${vq.name} queue full`);
    this.applyFault(vq);
    // The time the guest spent getting here (allocating pages) passes before the kick.
    const debt = this.env.mm.takeCpuDebtUs();
    if (debt > 0) yield sleep(debt);
    vq.kick();
    /* When host has read buffer, this completes via balloon_ack */
    // wait_event(vb->acked, virtqueue_get_buf(vq, &len)), written out: it runs once a batch.
    while (vq.getBuf() === null) yield this.acked.wait;
  }

  /**
   * set_page_pfns for the pages of one batch: pfns[at …] = each page's first balloon PFN and the next
   * PAGES_PER_PAGE − 1. The frames are marked as they go on the request (INFLATING / DEFLATING).
   */
  set_page_pfns(pages: PageRuns, at: number, state: number): void {
    this.enter('set_page_pfns', this.details ? `${pages.pages} pages` : undefined);
    const core = this.env.core;
    for (let r = 0; r < pages.runs; r++)
      core.writeRun(r, asKernelPage(pages.first[r]), pages.count[r], pages.step[r] < 0);
    core.encodeRuns(pages.runs, at, this.ppp, this.pfns, state);
  }

  *fill_balloon(num: number): Task<number> {
    this.enter('fill_balloon', this.details ? `num=${num}` : undefined);
    const { mm, log } = this.env;
    // LIST_HEAD(pages): balloon_page_push adds at the head, balloon_page_pop takes from the head (LIFO).
    const pages = this.localPages;
    pages.clear();
    let npages = 0;

    /* We can only do one array worth at a time. */
    num = Math.min(num, VIRTIO_BALLOON_ARRAY_PFNS_MAX);

    // for (num_pfns = 0; num_pfns < num; num_pfns += VIRTIO_BALLOON_PAGES_PER_PAGE) {
    //         struct page *page = balloon_page_alloc();
    //         if (!page) { "Out of puff!"; msleep(200); break; }
    //         balloon_page_push(&pages, page);
    // }
    // The loop in one call: the same pages in the same order, pages[0] pushed first.
    const want = Math.ceil(num / this.ppp);
    npages = mm.balloonPageAllocRuns(pages, want);
    if (npages < want) {
      // dev_info_ratelimited: at most 10 lines in 5 s, then "fill_balloon: N callbacks suppressed"
      // when a later interval starts.
      const said = ratelimit(this.outOfPuffRatelimit, this.env.sched.now);
      if (said.suppressed > 0) log.log(suppressedLine('fill_balloon', said.suppressed), 'warn');
      if (said.print) log.log(`virtio_balloon virtio0: Out of puff! Can't get ${this.ppp} pages`, 'warn');
      this.env.events?.emit('out-of-puff', { pages: this.ppp });
      // A line of its own in the driver view: what happened, and the sleep that follows.
      const ms = this.env.costs.outOfPuffSleepUs / 1000;
      this.enter(
        'fill_balloon',
        this.details ? `Out of puff! Can't get ${this.ppp} pages; msleep(${ms})` : undefined,
      );
      this.holdInHand(pages);
      /* Sleep for at least 1/5 of a second before retry. */
      // msleep(200): to the tick after 200 ms, then until the task is scheduled (timing.ts).
      yield sleep(msleepUs(this.env.prng, ms, this.env.sched.now));
    }
    if (this.balloon_lock.owner) this.holdInHand(pages); // we are about to wait for the lock

    yield* mutexLock(this.balloon_lock);

    this.num_pfns = 0;

    // while ((page = balloon_page_pop(&pages))) {
    //         balloon_page_enqueue(&vb->vb_dev_info, page);
    //         set_page_pfns(vb, vb->pfns + vb->num_pfns, page);
    //         vb->num_pages += VIRTIO_BALLOON_PAGES_PER_PAGE; …; vb->num_pfns += …;
    // }
    // Popping the local list gives the last page allocated first: that is the order of the PFNs.
    const ppp = this.ppp;
    const nbatch = npages;
    const batch = this.batchPages;
    mm.balloon.enqueueRuns(pages);
    pages.reverseInto(batch);
    this.num_pages += ppp * nbatch;
    this.num_pfns += ppp * nbatch;
    // adjust_managed_page_count(page, -1) for each page, in one call: nothing reads MemTotal meanwhile.
    if (!this.has(VIRTIO_BALLOON_F_DEFLATE_ON_OOM)) mm.adjustManagedPageCount(-nbatch);
    if (nbatch > 0) this.set_page_pfns(batch, 0, FRAME_INFLATING);
    this.pagesInHand = 0;

    const num_allocated_pages = this.num_pfns;
    /* Did we get any? */
    if (this.num_pfns !== 0) {
      yield* this.tell_host(this.inflate_vq!);
      // The host has acknowledged the batch: its pages are in the balloon.
      this.env.core.setStatesFromPfns(this.num_pfns, this.pfns, FRAME_BALLOON);
    }
    this.env.sched.unlock(this.balloon_lock);

    return num_allocated_pages;
  }

  /**
   * Pages fill_balloon holds on its local list while it sleeps (after "Out of puff!", or waiting for
   * the lock) are the balloon's already: they show as on their way to it, so the frame table never
   * calls them free.
   */
  private holdInHand(pages: PageRuns): void {
    this.pagesInHand = pages.pages;
    const ppp = this.ppp;
    for (let r = 0; r < pages.runs; r++)
      this.env.core.setFrames(asPfn(pages.low(r) * ppp), pages.count[r] * ppp, FRAME_INFLATING);
  }

  release_pages_balloon(pages: PageRuns): void {
    this.enter('release_pages_balloon', this.details ? `${pages.pages} pages` : undefined);
    // list_for_each_entry_safe(page, next, pages, lru): per page, MemTotal grows back (without
    // DEFLATE_ON_OOM) and the balloon's reference is dropped; the pages go back in one call.
    if (!this.has(VIRTIO_BALLOON_F_DEFLATE_ON_OOM)) this.env.mm.adjustManagedPageCount(pages.pages);
    this.env.mm.putRuns(pages); /* balloon reference */
  }

  *leak_balloon(num: number): Task<number> {
    this.enter('leak_balloon', this.details ? `num=${num}` : undefined);
    const { mm } = this.env;
    const pages = this.batchPages; // LIST_HEAD(pages)
    pages.clear();
    let npages = 0;

    /* We can only do one array worth at a time. */
    num = Math.min(num, VIRTIO_BALLOON_ARRAY_PFNS_MAX);

    yield* mutexLock(this.balloon_lock);
    /* We can't release more pages than taken */
    num = Math.min(num, this.num_pages);
    const ppp = this.ppp;
    // for (vb->num_pfns = 0; vb->num_pfns < num; vb->num_pfns += VIRTIO_BALLOON_PAGES_PER_PAGE) {
    //         page = balloon_page_dequeue(vb_dev_info);
    //         if (!page) break;
    //         set_page_pfns(vb, vb->pfns + vb->num_pfns, page);
    //         list_add(&page->lru, &pages);
    //         vb->num_pages -= VIRTIO_BALLOON_PAGES_PER_PAGE;
    // }
    // The dequeues in one call, then set_page_pfns for them all: the same PFNs in the same order.
    npages = mm.balloon.dequeueRuns(pages, Math.ceil(num / ppp));
    this.num_pfns = npages * ppp;
    this.num_pages -= npages * ppp;
    const batch = pages;
    if (npages > 0) this.set_page_pfns(batch, 0, FRAME_DEFLATING);

    const num_freed_pages = this.num_pfns;
    /*
     * Note that if
     * virtio_has_feature(vdev, VIRTIO_BALLOON_F_MUST_TELL_HOST);
     * is true, we *have* to do it in this order
     */
    if (this.num_pfns !== 0) yield* this.tell_host(this.deflate_vq!);
    this.release_pages_balloon(batch);
    this.env.sched.unlock(this.balloon_lock);
    return num_freed_pages;
  }

  /** update_stat + update_balloon_stats: fills vb->stats (le16 tag, le64 val) in kernel memory. */
  update_balloon_stats(): number {
    this.enter('update_balloon_stats');
    const { mm, core } = this.env;
    const pageBytes = this.ppp * 4096;
    const pages_to_bytes = (x: number) => BigInt(x) * BigInt(pageBytes);
    let idx = 0;
    const update_stat = (tag: number, val: bigint) => {
      const at = asGpa(this.stats + idx * 10);
      core.writeU16(at, tag);
      core.writeU64(asGpa(at + 2), val);
      idx++;
    };
    update_stat(VIRTIO_BALLOON_S_SWAP_IN, pages_to_bytes(mm.vm.pswpin));
    update_stat(VIRTIO_BALLOON_S_SWAP_OUT, pages_to_bytes(mm.vm.pswpout));
    update_stat(VIRTIO_BALLOON_S_MAJFLT, BigInt(mm.vm.pgmajfault));
    update_stat(VIRTIO_BALLOON_S_MINFLT, BigInt(mm.vm.pgfault));
    update_stat(VIRTIO_BALLOON_S_MEMFREE, pages_to_bytes(mm.freeramPages()));
    update_stat(VIRTIO_BALLOON_S_MEMTOT, pages_to_bytes(mm.totalramPages()));
    update_stat(VIRTIO_BALLOON_S_AVAIL, pages_to_bytes(mm.siMemAvailable()));
    update_stat(VIRTIO_BALLOON_S_CACHES, pages_to_bytes(mm.fileCachePages()));
    return idx;
  }

  /**
   * While most virtqueues communicate guest-initiated requests to the hypervisor, the stats queue
   * operates in reverse: the host hands the one buffer back to ask for fresh stats (interrupt context).
   */
  stats_request(): void {
    this.enter('stats_request');
    if (!this.stop_update) this.env.wq.queue(this.update_balloon_stats_work);
  }

  *stats_handle_request(): Task {
    this.enter('stats_handle_request');
    const num_stats = this.update_balloon_stats();
    yield sleep(this.env.costs.statsUpdateUs);
    const vq = this.stats_vq!;
    if (!vq.getBuf()) return;
    vq.addOutbuf(this.stats, 10 * num_stats);
    if (this.pendingFault === 'second-stats-buffer') {
      this.pendingFault = null;
      this.env.log.log('virtio_balloon virtio0: (fault) a second stats buffer', 'warn');
      vq.addOutbuf(this.stats, 10 * num_stats);
    }
    vq.kick();
  }

  /** The config-change interrupt. */
  virtballoon_changed(): void {
    this.enter('virtballoon_changed');
    if (!this.stop_update) this.env.wq.queue(this.update_balloon_size_work);
  }

  towards_target(): number {
    this.enter('towards_target');
    // virtio_cread(…, num_pages): the balloon's config space is little-endian even for legacy devices
    // (unlike every other virtio device), which cread32 already honours.
    const num_pages = this.env.transport.cread32(0);
    const target = num_pages;
    return target - this.num_pages;
  }

  update_balloon_size(): void {
    this.enter('update_balloon_size', this.details ? `actual=${this.num_pages}` : undefined);
    const actual = this.num_pages;
    this.env.transport.cwrite32(4, actual);
  }

  /**
   * virtballoon_oom_notify - release pages when system is under severe memory pressure (called from
   * out_of_memory()). The balancing of memory by use of the virtio balloon should not cause the
   * termination of processes while there are pages in the balloon.
   */
  *virtballoon_oom_notify(freed: { value: number }): Task {
    this.enter('virtballoon_oom_notify');
    this.env.events?.emit('oom-notify', { deflates: this.has(VIRTIO_BALLOON_F_DEFLATE_ON_OOM) });
    if (!this.has(VIRTIO_BALLOON_F_DEFLATE_ON_OOM)) return;
    const num_freed_pages = yield* this.leak_balloon(this.oom_pages);
    this.update_balloon_size();
    freed.value += num_freed_pages;
  }

  *update_balloon_stats_func(): Task {
    this.enter('update_balloon_stats_func');
    yield* this.stats_handle_request();
  }

  *update_balloon_size_func(): Task {
    this.enter('update_balloon_size_func');
    let diff = this.towards_target();

    if (diff > 0) diff -= yield* this.fill_balloon(diff);
    else if (diff < 0) diff += yield* this.leak_balloon(-diff);
    this.update_balloon_size();

    if (diff) this.env.wq.queue(this.update_balloon_size_work);
  }

  init_vqs(): void {
    this.enter('init_vqs');
    const { core, transport, mem, queueSize } = this.env;
    /*
     * We expect two virtqueues: inflate and deflate, and optionally stat.
     */
    const nvqs = this.has(VIRTIO_BALLOON_F_STATS_VQ) ? 3 : 2;
    const specs = [
      { name: 'inflate', callback: () => this.balloon_ack() },
      { name: 'deflate', callback: () => this.balloon_ack() },
      { name: 'stats', callback: () => this.stats_request() },
    ].slice(0, nvqs);
    mem.release(this.ringsMark);
    const vqs = findVqs(core, transport, mem, queueSize, specs);
    this.inflate_vq = vqs[0];
    this.deflate_vq = vqs[1];
    this.stats_vq = null;
    if (this.has(VIRTIO_BALLOON_F_STATS_VQ)) {
      this.stats_vq = vqs[2];
      /*
       * Prime this virtqueue with one buffer so the hypervisor can
       * use it to signal us later (it can't be broken yet!).
       */
      const num_stats = this.update_balloon_stats();
      this.stats_vq.addOutbuf(this.stats, 10 * num_stats);
      this.stats_vq.kick();
    }
  }

  /**
   * virtballoon_migratepage - perform the balloon page migration on behalf of a compaction thread.
   * The page migration for virtio balloon is done in a simple swap fashion which follows these two
   * macro steps: 1) insert newpage into vb->pages list and update the host about it; 2) update the
   * host about the old page removed from vb->pages list.
   */
  *virtballoon_migratepage(newpage: KernelPage, page: KernelPage): Task<number> {
    this.enter('virtballoon_migratepage', this.details ? `${page} → ${newpage}` : undefined);
    const { sched, mm, core } = this.env;
    /*
     * In order to avoid lock contention while migrating pages concurrently to leak_balloon() or
     * fill_balloon() we just give up the balloon_lock this turn, as it is easier to retry the page
     * migration later. This also prevents fill_balloon() getting stuck into a mutex recursion in the
     * case it ends up triggering memory compaction while it is attempting to inflate the ballon.
     */
    if (!sched.tryLock(this.balloon_lock)) return -EAGAIN;

    /* balloon's page migration 1st step -- inflate "newpage" */
    mm.balloon.insert(newpage); // balloon_page_insert
    mm.balloon.isolatedPages--;
    mm.vm.balloonMigrate++; // __count_vm_event(BALLOON_MIGRATE)
    this.num_pfns = this.ppp;
    this.onePage.clear();
    this.onePage.push(newpage, 1, 1);
    this.set_page_pfns(this.onePage, 0, FRAME_INFLATING);
    yield* this.tell_host(this.inflate_vq!);
    core.setStatesFromPfns(this.num_pfns, this.pfns, FRAME_BALLOON);

    /* balloon's page migration 2nd step -- deflate "page" */
    this.num_pfns = this.ppp;
    this.onePage.clear();
    this.onePage.push(page, 1, 1);
    this.set_page_pfns(this.onePage, 0, FRAME_DEFLATING);
    yield* this.tell_host(this.deflate_vq!);

    sched.unlock(this.balloon_lock);
    return MIGRATEPAGE_SUCCESS; // the caller put_page()s the old page
  }

  // ── Driver model entry points ──────────────────────────────────────────────────────────────────

  /** virtballoon_validate: the balloon does not work through an IOMMU. */
  virtballoon_validate(features: bigint): bigint {
    this.enter('virtballoon_validate');
    return features & ~bit(VIRTIO_F_IOMMU_PLATFORM);
  }

  virtballoon_probe(): void {
    this.enter('virtballoon_probe');
    const { mm, transport } = this.env;
    this.stop_update = false;
    this.num_pages = 0;
    this.init_vqs();
    mm.registerOomNotifier(this.nb);
    // CONFIG_BALLOON_COMPACTION: compaction may move balloon pages through us.
    mm.balloon.migratepage = (newpage, page) => this.virtballoon_migratepage(newpage, page);
    // virtio_device_ready(vdev)
    transport.setStatus(transport.getStatus() | VIRTIO_CONFIG_S_DRIVER_OK);
    this.bound = true;
    if (this.towards_target()) this.virtballoon_changed();
  }

  *remove_common(): Task {
    this.enter('remove_common');
    /* There might be pages left in the balloon: free them. */
    while (this.num_pages) yield* this.leak_balloon(this.num_pages);
    this.update_balloon_size();

    /* Now we reset the device so we can clean up the queues. */
    this.env.transport.reset();
    // del_vqs: the rings' memory goes back; the queues are forgotten by the reset.
    this.inflate_vq = this.deflate_vq = this.stats_vq = null;
  }

  *virtballoon_remove(): Task {
    this.enter('virtballoon_remove');
    const { mm, wq } = this.env;
    mm.unregisterOomNotifier(this.nb);
    this.stop_update = true;
    yield* wq.cancelSync(this.update_balloon_size_work);
    yield* wq.cancelSync(this.update_balloon_stats_work);
    yield* this.remove_common();
    mm.balloon.migratepage = null;
    this.bound = false;
  }

  *virtballoon_freeze(): Task {
    this.enter('virtballoon_freeze');
    /*
     * The workqueue is already frozen by the PM core before this
     * function is called.
     */
    yield* this.remove_common();
  }

  virtballoon_restore(): void {
    this.enter('virtballoon_restore');
    this.init_vqs();
    this.env.transport.setStatus(this.env.transport.getStatus() | VIRTIO_CONFIG_S_DRIVER_OK);
    if (this.towards_target()) this.virtballoon_changed();
    this.update_balloon_size();
  }

  // ── Faults: a buggy driver's malformed buffer, on purpose (scenario step `fault`) ──────────────

  /** Turns the buffer tell_host just added into the malformed one the scenario asked for. */
  private applyFault(vq: Virtqueue): void {
    const kind = this.pendingFault;
    if (!kind || kind === 'second-stats-buffer') return;
    this.pendingFault = null;
    const { core } = this.env;
    const { ring } = vq;
    const availIndex = core.readU16(availIdx(ring.avail));
    const slot = (availIndex - 1) & (ring.size - 1);
    const head = core.readU16(availSlot(ring.avail, slot));
    const desc = (i: number) => descAt(ring.desc, i);
    const flagsAt = (i: number) => descFlags(desc(i));
    switch (kind) {
      case 'loop': // the buffer's descriptor names itself as its successor
        core.writeU16(flagsAt(head), core.readU16(flagsAt(head)) | VRING_DESC_F_NEXT);
        core.writeU16(descNext(desc(head)), head);
        break;
      case 'next-oob':
        core.writeU16(flagsAt(head), core.readU16(flagsAt(head)) | VRING_DESC_F_NEXT);
        core.writeU16(descNext(desc(head)), ring.size + 5);
        break;
      case 'head-oob':
        core.writeU16(availSlot(ring.avail, slot), ring.size + 3);
        break;
      case 'avail-jump':
        core.writeU16(availIdx(ring.avail), (availIndex + ring.size + 1) & 0xffff);
        break;
      case 'zero-len':
        core.writeU32(descLen(desc(head)), 0);
        break;
      case 'bad-gpa': // an address far beyond guest RAM (1 TiB)
        core.writeU64(desc(head), 1n << 40n);
        break;
      case 'indirect-bad-size':
        core.writeU16(flagsAt(head), VRING_DESC_F_INDIRECT);
        core.writeU32(descLen(desc(head)), 20);
        break;
      case 'write-flag':
        core.writeU16(flagsAt(head), core.readU16(flagsAt(head)) | VRING_DESC_F_WRITE);
        break;
      case 'bad-pfn': // the first PFN points past the end of RAM: QEMU skips it and says so
        this.clobberedPfns.push(core.readU32(this.pfns));
        core.writeU32(this.pfns, core.ramFrames + 0x1000);
        break;
    }
    this.env.log.log(`virtio_balloon virtio0: (fault) ${kind} on the ${vq.name} queue`, 'warn');
  }
}

/**
 * virtio_dev_probe (drivers/virtio/virtio.c), for the balloon: status ACKNOWLEDGE and DRIVER,
 * feature negotiation (the driver's table and the ring's transport features), validate, FEATURES_OK
 * for a modern device, then the driver's probe. Returns false when the device refuses the features.
 */
export function virtioDevProbe(vb: VirtioBalloon, transport: VirtioTransport, log: KernelLog): boolean {
  transport.reset();
  transport.setStatus(VIRTIO_CONFIG_S_ACKNOWLEDGE);
  transport.setStatus(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
  const device = transport.getFeatures();
  let driver = 0n;
  for (const f of FEATURE_TABLE) driver |= bit(f);
  let features = (device & driver) | (device & RING_TRANSPORT_FEATURES);
  features = vb.virtballoon_validate(features);
  transport.setGuestFeatures(features);
  if (hasFeature(features, VIRTIO_F_VERSION_1)) {
    transport.setStatus(transport.getStatus() | VIRTIO_CONFIG_S_FEATURES_OK);
    if (!(transport.getStatus() & VIRTIO_CONFIG_S_FEATURES_OK)) {
      log.log('virtio_balloon virtio0: virtio: device refuses features', 'err');
      return false;
    }
  }
  vb.virtballoon_probe();
  return true;
}
