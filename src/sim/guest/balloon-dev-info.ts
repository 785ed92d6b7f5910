// struct balloon_dev_info and the list half of mm/balloon_compaction.c (4.16): the balloon's pages
// live on one list in the kernel's PageLists, newest first, so deflating gives back the page inflated
// last (LIFO). Pages compaction isolated are off the list while they are being migrated, which is why
// dequeue can never hand the driver a page that is mid-migration.
import { asKernelPage, type KernelPage } from '../../core/units.ts';
import { PageRuns } from '../page-runs.ts';
import type { Task } from '../sched.ts';
import { K_BALLOON, LIST_BALLOON } from './kinds.ts';
import { CHANGE_SHIFT, NOT_ON_LIST, type PageLists } from './pagelists.ts';

/** The most runs the summary of the balloon list keeps (past that, the links alone say). */
export const KNOWN_RUNS_MAX = 1 << 14;

/** BalloonDevInfo's summary of its list (see there). */
class KnownRuns {
  readonly first = new Int32Array(KNOWN_RUNS_MAX);
  readonly count = new Int32Array(KNOWN_RUNS_MAX);
  readonly step = new Int8Array(KNOWN_RUNS_MAX);
  runs = 0;
  pages = 0;
  mods = 0;
  ok = true;
}

export const MIGRATEPAGE_SUCCESS = 0;
export const EAGAIN = 11;

/** The counters balloon_page_enqueue/dequeue bump (BALLOON_INFLATE, BALLOON_DEFLATE). */
interface BalloonEvents {
  balloonInflate: number;
  balloonDeflate: number;
}

export class BalloonDevInfo {
  /**
   * isolated_pages: balloon pages compaction has taken off the list. Compaction adds one when it
   * isolates a page and takes it off again when it puts the page back; after a successful migration the
   * driver takes it off (the seed's `vb_dev_info->isolated_pages--`). Compaction does so itself if the
   * driver did not.
   */
  isolatedPages = 0;

  /**
   * a_ops->migratepage, set by the driver (virtballoon_migratepage). Called with `page` isolated and
   * `newpage` already the driver's (taken from the free lists, frames still FREE). Returns
   * MIGRATEPAGE_SUCCESS after putting newpage on the list (insert) and telling the host, or −EAGAIN
   * having changed nothing. The old page is freed by compaction, not by the driver.
   */
  migratepage: ((newpage: KernelPage, page: KernelPage) => Task<number>) | null = null;

  private readonly head: number;

  // The list as runs of consecutive pages, the run at the head last (a stack): a summary of what the
  // links say, so that a deflate takes its pages without reading a link a page (a 16 GiB balloon's
  // links are 32 MB that no cache holds). The links stay the truth. The summary is trusted only while
  // this class's own calls alone have changed the list (lists.mods has not moved) and it holds as many
  // pages as the list; otherwise dequeueRuns walks the links, and the summary starts again once the
  // list is empty. A restored snapshot forgets it (forgetRuns): it is not the machine's state.
  private readonly known = new KnownRuns();
  /** enqueue()'s and dequeue()'s one page, as a batch. */
  private readonly one = new PageRuns(1);

  constructor(
    private readonly lists: PageLists,
    private readonly kind: Uint8Array,
    private readonly vm: BalloonEvents,
  ) {
    this.head = lists.head(LIST_BALLOON);
  }

  /** Pages on the balloon list (isolated pages not included). */
  get count(): number {
    return this.lists.counts[LIST_BALLOON];
  }

  /** balloon_page_insert: newpage goes to the head of the list (used directly by migratepage). */
  insert(page: KernelPage): void {
    if (this.kind[page] !== K_BALLOON) {
      throw new Error(`balloon: page ${page} is not a page the driver holds (balloonPageAlloc or migration)`);
    }
    this.lists.addHead(LIST_BALLOON, page);
  }

  /** balloon_page_enqueue: a page from balloonPageAlloc joins the balloon (BALLOON_INFLATE). */
  enqueue(page: KernelPage): void {
    if (this.kind[page] !== K_BALLOON) this.insert(page); // throws the reason
    if (this.lists.on[page] !== NOT_ON_LIST) this.lists.addHead(LIST_BALLOON, page); // throws the reason
    this.one.clear();
    this.one.push(page, 1, 1);
    this.enqueueRuns(this.one);
  }

  /**
   * balloon_page_enqueue for every page of `runs`, last to first (popping fill_balloon's local list,
   * which was pushed in the order the pages were allocated): afterwards the list reads, from the head,
   * the pages of `runs` in order, then what was on it before. A run's pages are linked to each other
   * in one loop; only its two ends meet other pages.
   */
  enqueueRuns(runs: PageRuns): void {
    if (runs.pages === 0) return;
    const lists = this.lists;
    const { next, prev, on } = lists;
    // No per-page check as enqueue() makes: these pages come straight from balloonPageAllocRuns, and
    // the invariants (checked after every event in tests) catch a page on two lists.
    if (this.knownValid()) {
      for (let r = runs.runs - 1; r >= 0; r--) this.pushKnown(runs.first[r], runs.count[r], runs.step[r]);
    }
    const h = this.head;
    const oldFirst = next[h];
    let before = h;
    for (let r = 0; r < runs.runs; r++) {
      const a = runs.first[r];
      const b = a + (runs.count[r] - 1) * runs.step[r];
      next[before] = a;
      prev[a] = before;
      const step = runs.step[r];
      for (let p = a; p !== b; p += step) {
        next[p] = p + step;
        prev[p + step] = p;
      }
      const lo = runs.low(r);
      const hi = runs.high(r);
      on.fill(LIST_BALLOON, lo, hi + 1);
      lists.markChanged(lo, hi + 1);
      before = b;
    }
    next[before] = oldFirst;
    prev[oldFirst] = before;
    lists.changed[h >>> CHANGE_SHIFT] = 1;
    lists.changed[oldFirst >>> CHANGE_SHIFT] = 1;
    lists.counts[LIST_BALLOON] += runs.pages;
    this.vm.balloonInflate += runs.pages;
  }

  /**
   * balloon_page_dequeue up to `n` times, the pages appended to `out` in the order they came off the
   * list; returns how many there were. The walk follows the links page by page (the list is the
   * truth), and gathers what it finds into runs.
   */
  dequeueRuns(out: PageRuns, n: number): number {
    if (this.knownValid()) return this.dequeueKnown(out, n);
    const lists = this.lists;
    const { next, prev, on } = lists;
    const h = this.head;
    const end = lists.nPages;
    let p = next[h];
    let k = 0;
    while (k < n && p < end) {
      // A run goes on while each page's link names the page next to it, up or down as the first link
      // goes. The index steps on by itself, not through the link it loads, so the loads do not wait
      // for one another.
      const a = p;
      const step = next[a] === a - 1 ? -1 : 1;
      let q = a;
      k++;
      while (k < n && next[q] === q + step && q + step < end) {
        q += step;
        k++;
      }
      out.push(a, (q - a) * step + 1, step);
      const lo = Math.min(a, q);
      const hi = Math.max(a, q);
      on.fill(NOT_ON_LIST, lo, hi + 1);
      lists.markChanged(lo, hi + 1);
      p = next[q];
    }
    next[h] = p;
    prev[p] = h;
    lists.changed[h >>> CHANGE_SHIFT] = 1;
    lists.changed[p >>> CHANGE_SHIFT] = 1;
    lists.counts[LIST_BALLOON] -= k;
    this.vm.balloonDeflate += k;
    return k;
  }

  /**
   * balloon_page_dequeue: the first page on the list that is not isolated, off the list
   * (BALLOON_DEFLATE); −1 if there is none. Isolated pages are never on the list, so that is the head.
   */
  dequeue(): KernelPage | -1 {
    this.one.clear();
    return this.dequeueRuns(this.one, 1) === 1 ? asKernelPage(this.one.first[0]) : -1;
  }

  /** dequeueRuns when the summary holds: the runs off its top, and the links at the new head. */
  private dequeueKnown(out: PageRuns, n: number): number {
    const lists = this.lists;
    const on = lists.on;
    const { first: knownFirst, count: knownCount, step: knownStep } = this.known;
    let k = 0;
    while (k < n && this.known.runs > 0) {
      const t = this.known.runs - 1;
      const first = knownFirst[t];
      const step = knownStep[t];
      const take = Math.min(knownCount[t], n - k);
      out.push(first, take, step > 0 ? 1 : -1);
      const last = first + (take - 1) * step;
      const lo = Math.min(first, last);
      const hi = Math.max(first, last);
      on.fill(NOT_ON_LIST, lo, hi + 1);
      lists.markChanged(lo, hi + 1);
      k += take;
      this.popKnown(take);
    }
    const h = this.head;
    const p = this.known.runs > 0 ? knownFirst[this.known.runs - 1] : h;
    lists.next[h] = p;
    lists.prev[p] = h;
    lists.changed[h >>> CHANGE_SHIFT] = 1;
    lists.changed[p >>> CHANGE_SHIFT] = 1;
    lists.counts[LIST_BALLOON] -= k;
    this.vm.balloonDeflate += k;
    return k;
  }

  /** Whether the summary says what the links say (see `known`); an empty list starts it again. */
  private knownValid(): boolean {
    const lists = this.lists;
    const count = lists.counts[LIST_BALLOON];
    if (count === 0) {
      this.known.ok = true;
      this.known.runs = 0;
      this.known.pages = 0;
      this.known.mods = lists.mods[LIST_BALLOON];
      return true;
    }
    return this.known.ok && this.known.mods === lists.mods[LIST_BALLOON] && this.known.pages === count;
  }

  /** The summary gains a run at the head: `count` pages from `first`, going by `step`. */
  private pushKnown(first: number, count: number, step: number): void {
    const known = this.known;
    if (known.runs === KNOWN_RUNS_MAX) {
      known.ok = false; // too scattered to summarise: the links alone say
      return;
    }
    known.first[known.runs] = first;
    known.count[known.runs] = count;
    known.step[known.runs] = step;
    known.runs++;
    known.pages += count;
  }

  /** The summary loses `n` pages at the head (no more than its top run holds). */
  private popKnown(n: number): void {
    const t = this.known.runs - 1;
    if (n >= this.known.count[t]) this.known.runs = t;
    else {
      this.known.first[t] += n * this.known.step[t];
      this.known.count[t] -= n;
    }
    this.known.pages -= n;
  }

  /** A restored snapshot put the links back: the summary no longer says what they say. */
  forgetRuns(): void {
    this.known.ok = false;
  }

  /** balloon_page_delete: off the list if it is on it (an isolated page is not: nothing to do). */
  delete(page: KernelPage): void {
    if (this.lists.on[page] === LIST_BALLOON) this.lists.remove(page);
  }

  /** Whether the page is on the balloon list. */
  has(page: KernelPage): boolean {
    return this.lists.on[page] === LIST_BALLOON;
  }

  /** The pages on the list, newest first (for the UI and the invariants). */
  pages(): Generator<number, void, void> {
    return this.lists.pages(LIST_BALLOON);
  }

  forEach(visit: (page: number) => void): void {
    this.lists.forEach(LIST_BALLOON, visit);
  }
}
