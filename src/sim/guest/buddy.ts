// The binary buddy allocator (mm/page_alloc.c's free-area scheme, one zone, one migratetype).
//
// Free memory is a set of naturally aligned blocks of 2^order pages, order 0 … MAX_ORDER − 1 (a
// 4 MiB block at 4 KiB pages). Each order has a free list holding the blocks' head pages, and
// `order[p]` is the order of the free block whose head is p (NOT_HEAD otherwise), so "is my buddy free
// and whole?" is one load. Allocation takes the smallest block that fits and splits it, keeping the
// lower half (Linux's expand()); freeing merges a block with its buddy (page ^ 2^order) for as long as
// the buddy is a free block of the same order (__free_one_page). Fragmentation is therefore real: a
// single allocated page keeps its 4 MiB block from ever forming again.
//
// Free lists are LIFO, like Linux's: a freed block goes to the head and is handed out first. Together
// with expand() handing out the lower half, a freshly split block gives ascending consecutive pages,
// so successive allocations form runs (which the driver sends to the core as runs).
//
// The split cursor. Splitting a 2^k block for one page puts k remnants on k free lists, and the next
// allocations take them off again one by one: about two list operations a page, too slow for 4 million
// balloon pages. So an order-0 allocation that has to split a block keeps the remnant as one range
// [runNext, runEnd) instead, and hands out its pages with a bump pointer: the same pages in the same
// ascending order expand() would give. The range's pages are free (counted in freePages, like Linux's
// per-cpu page lists count as free memory to the allocator) but on no list. The moment anything needs
// them to be real blocks (an allocation of order > 0, a free whose buddy lies in the range, takeFree,
// a question about block orders) the range goes back to the free lists as the blocks it stands for.
import { CHANGE_SHIFT, NOT_ON_LIST, type PageLists } from './pagelists.ts';

export const MAX_ORDER = 11;
export const NOT_HEAD = -1;

export class Buddy {
  /** Order of the free block headed by page p, or NOT_HEAD. */
  readonly order: Int8Array;
  /** Free pages, exact (NR_FREE_PAGES), the split cursor's range included. */
  freePages = 0;
  /** The split cursor: free pages [runNext, runEnd) on no list (empty when equal). */
  runNext = 0;
  runEnd = 0;
  private readonly head0: number;

  /** Uses lists `base` … `base + MAX_ORDER − 1` of `lists` as the free lists of orders 0 … 10. */
  constructor(
    readonly lists: PageLists,
    readonly base: number,
  ) {
    if (base < 0 || base + MAX_ORDER > lists.nLists) throw new RangeError('Buddy: needs 11 free lists');
    this.order = new Int8Array(lists.nPages).fill(NOT_HEAD);
    this.head0 = lists.head(base);
  }

  get nPages(): number {
    return this.lists.nPages;
  }

  /**
   * Boot: pages [start, end) become free as the largest aligned blocks that fit. memblock_free_all
   * adds them at the tail, ascending, so a fresh guest hands out low memory first; what the kernel
   * frees once it is up (`atHead`) goes to the head, the last block freed first.
   */
  addFreeRange(start: number, end: number, atHead = false): void {
    let p = start;
    while (p < end) {
      const k = largestBlockAt(p, end);
      if (atHead) this.lists.addHead(this.base + k, p);
      else this.lists.addTail(this.base + k, p);
      this.order[p] = k;
      this.freePages += 1 << k;
      p += 1 << k;
    }
  }

  /** One page: the hot path of every allocation. The order-0 list first, then the split cursor. */
  alloc0(): number {
    const lists = this.lists;
    const next = lists.next;
    const h = this.head0;
    const p = next[h];
    if (p < lists.nPages) {
      const n = next[p];
      next[h] = n;
      lists.prev[n] = h;
      lists.on[p] = NOT_ON_LIST;
      lists.counts[this.base]--;
      this.order[p] = NOT_HEAD;
      lists.changed[p >>> CHANGE_SHIFT] = 1;
      lists.changed[n >>> CHANGE_SHIFT] = 1;
      lists.changed[h >>> CHANGE_SHIFT] = 1;
      this.freePages--;
      return p;
    }
    if (this.runNext < this.runEnd) {
      this.freePages--;
      return this.runNext++;
    }
    return this.refill();
  }

  /**
   * Up to `max` pages from the split cursor in one go, ascending — exactly the pages `max` calls of
   * alloc0 would return while the order-0 list is empty. Returns the first page; `taken` says how
   * many (0 when the order-0 list has pages or the cursor is empty: use alloc0 then).
   */
  allocFromRun(max: number): number {
    if (this.lists.next[this.head0] < this.lists.nPages) {
      this.taken = 0;
      return -1;
    }
    const first = this.runNext;
    const n = Math.min(max, this.runEnd - first);
    if (n <= 0) {
      this.taken = 0;
      return -1;
    }
    this.runNext = first + n;
    this.freePages -= n;
    this.taken = n;
    return first;
  }

  /** How many pages the last allocFromRun took. */
  taken = 0;

  /** The order-0 list and the cursor are empty: split the smallest block there is (__rmqueue_smallest). */
  private refill(): number {
    for (let k = 1; k < MAX_ORDER; k++) {
      const p = this.lists.first(this.base + k);
      if (p < 0) continue;
      this.lists.remove(p);
      this.order[p] = NOT_HEAD;
      this.runNext = p + 1;
      this.runEnd = p + (1 << k);
      this.freePages--;
      return p;
    }
    return -1;
  }

  /** __rmqueue_smallest: a block of 2^order pages, or −1 if no block that large is free. */
  alloc(order: number): number {
    if (order === 0) return this.alloc0();
    this.drainRun();
    for (let k = order; k < MAX_ORDER; k++) {
      const p = this.lists.first(this.base + k);
      if (p < 0) continue;
      this.lists.remove(p);
      this.order[p] = NOT_HEAD;
      this.expand(p, k, order);
      this.freePages -= 1 << order;
      return p;
    }
    return -1;
  }

  /** Splits the block [p, p + 2^high) down to order `low`, freeing the upper halves; keeps p. */
  private expand(p: number, high: number, low: number): void {
    let k = high;
    while (k > low) {
      k--;
      const upper = p + (1 << k);
      this.lists.addHead(this.base + k, upper);
      this.order[upper] = k;
    }
  }

  /** __free_one_page: frees the block [page, page + 2^order), merging it with free buddies. */
  free(page: number, order: number): void {
    let p = page;
    let k = order;
    this.freePages += 1 << order;
    const n = this.lists.nPages;
    while (k < MAX_ORDER - 1) {
      const buddy = p ^ (1 << k);
      if (buddy >= this.runNext && buddy < this.runEnd) this.drainRun();
      if (buddy >= n || this.order[buddy] !== k) break;
      this.lists.remove(buddy);
      this.order[buddy] = NOT_HEAD;
      p &= ~(1 << k);
      k++;
    }
    this.order[p] = k;
    this.lists.addHead(this.base + k, p);
  }

  /**
   * Frees pages [start, end) (each allocated at order 0 or as part of a block) as the largest aligned
   * blocks that fit: the same result as freeing them one by one, in a few merges instead of one a page.
   */
  freeRange(start: number, end: number): void {
    let p = start;
    while (p < end) {
      const k = largestBlockAt(p, end);
      this.free(p, k);
      p += 1 << k;
    }
  }

  /** Gives the split cursor's pages back to the free lists as the blocks they are. */
  drainRun(): void {
    const start = this.runNext;
    const end = this.runEnd;
    if (start >= end) return;
    this.runNext = 0;
    this.runEnd = 0;
    this.freePages -= end - start;
    this.freeRange(start, end);
  }

  /** The head of the free block holding page p, or −1 if p is not free. */
  freeBlockOf(p: number): number {
    if (p >= this.runNext && p < this.runEnd) this.drainRun();
    for (let k = 0; k < MAX_ORDER; k++) {
      const h = p & ~((1 << k) - 1);
      if (this.order[h] === k) return h;
    }
    return -1;
  }

  /**
   * Takes page p, which must be free, out of the allocator (compaction's free scanner, like
   * split_free_page): its block is split and every other part of it stays free. False if p is not free.
   */
  takeFree(p: number): boolean {
    let h = this.freeBlockOf(p);
    if (h < 0) return false;
    let k = this.order[h];
    this.lists.remove(h);
    this.order[h] = NOT_HEAD;
    while (k > 0) {
      k--;
      const half = 1 << k;
      if (p >= h + half) {
        this.lists.addHead(this.base + k, h);
        this.order[h] = k;
        h += half;
      } else {
        this.lists.addHead(this.base + k, h + half);
        this.order[h + half] = k;
      }
    }
    this.freePages--;
    return true;
  }

  /** The highest order with a free block, or −1 when nothing is free. */
  largestFreeOrder(): number {
    this.drainRun();
    for (let k = MAX_ORDER - 1; k >= 0; k--) if (this.lists.counts[this.base + k] > 0) return k;
    return -1;
  }
}

/** The largest order k ≤ 10 such that [p, p + 2^k) is aligned and ends by `end`. */
function largestBlockAt(p: number, end: number): number {
  let k = MAX_ORDER - 1;
  while (k > 0 && ((p & ((1 << k) - 1)) !== 0 || p + (1 << k) > end)) k--;
  return k;
}
