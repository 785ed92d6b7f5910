// struct balloon_dev_info and the list half of mm/balloon_compaction.c (4.16): the balloon's pages
// live on one list in the kernel's PageLists, newest first, so deflating gives back the page inflated
// last (LIFO). Pages compaction isolated are off the list while they are being migrated, which is why
// dequeue can never hand the driver a page that is mid-migration.
import { asKernelPage, type KernelPage } from '../../core/units.ts';
import type { Task } from '../sched.ts';
import { K_BALLOON, LIST_BALLOON } from './kinds.ts';
import { CHANGE_SHIFT, NOT_ON_LIST, type PageLists } from './pagelists.ts';

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
    const lists = this.lists;
    if (lists.on[page] !== NOT_ON_LIST) lists.addHead(LIST_BALLOON, page); // throws the reason
    // list_add at the head, written out: this runs once per ballooned page.
    const next = lists.next;
    const h = this.head;
    const first = next[h];
    next[page] = first;
    lists.prev[page] = h;
    lists.prev[first] = page;
    next[h] = page;
    lists.on[page] = LIST_BALLOON;
    lists.counts[LIST_BALLOON]++;
    lists.changed[page >>> CHANGE_SHIFT] = 1;
    lists.changed[first >>> CHANGE_SHIFT] = 1;
    lists.changed[h >>> CHANGE_SHIFT] = 1;
    this.vm.balloonInflate++;
  }

  /**
   * balloon_page_enqueue for pages[n-1], pages[n-2], …, pages[0], in that order (popping a list
   * built by pushing pages[0…n-1]): afterwards pages[0] is at the head.
   */
  enqueueMany(pages: Int32Array, n: number): void {
    if (n <= 0) return;
    const lists = this.lists;
    const { next, prev, on, changed } = lists;
    // No per-page check as enqueue() makes: these pages come straight from balloonPageAllocMany, and
    // the invariants (checked after every event in tests) catch a page on two lists.
    const h = this.head;
    const oldFirst = next[h];
    let before = h;
    // Pages come in runs: mark a chunk when the run enters it, not once a page.
    let chunk = -1;
    for (let i = 0; i < n; i++) {
      const page = pages[i];
      next[before] = page;
      prev[page] = before;
      on[page] = LIST_BALLOON;
      if (page >>> CHANGE_SHIFT !== chunk) {
        chunk = page >>> CHANGE_SHIFT;
        changed[chunk] = 1;
      }
      before = page;
    }
    next[before] = oldFirst;
    prev[oldFirst] = before;
    changed[h >>> CHANGE_SHIFT] = 1;
    changed[oldFirst >>> CHANGE_SHIFT] = 1;
    lists.counts[LIST_BALLOON] += n;
    this.vm.balloonInflate += n;
  }

  /** balloon_page_dequeue up to `n` times, the pages to out[0…]; returns how many there were. */
  dequeueMany(out: Int32Array, n: number): number {
    const lists = this.lists;
    const { next, prev, on, changed } = lists;
    const h = this.head;
    const end = lists.nPages;
    let p = next[h];
    let k = 0;
    let chunk = -1;
    while (k < n && p < end) {
      out[k++] = p;
      on[p] = NOT_ON_LIST;
      if (p >>> CHANGE_SHIFT !== chunk) {
        chunk = p >>> CHANGE_SHIFT;
        changed[chunk] = 1;
      }
      p = next[p];
    }
    next[h] = p;
    prev[p] = h;
    changed[h >>> CHANGE_SHIFT] = 1;
    changed[p >>> CHANGE_SHIFT] = 1;
    lists.counts[LIST_BALLOON] -= k;
    this.vm.balloonDeflate += k;
    return k;
  }

  /**
   * balloon_page_dequeue: the first page on the list that is not isolated, off the list
   * (BALLOON_DEFLATE); −1 if there is none. Isolated pages are never on the list, so that is the head.
   */
  dequeue(): KernelPage | -1 {
    const lists = this.lists;
    const next = lists.next;
    const h = this.head;
    const p = next[h];
    if (p >= lists.nPages) return -1;
    const after = next[p];
    next[h] = after;
    lists.prev[after] = h;
    lists.on[p] = NOT_ON_LIST;
    lists.counts[LIST_BALLOON]--;
    lists.changed[p >>> CHANGE_SHIFT] = 1;
    lists.changed[after >>> CHANGE_SHIFT] = 1;
    lists.changed[h >>> CHANGE_SHIFT] = 1;
    this.vm.balloonDeflate++;
    return asKernelPage(p);
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
