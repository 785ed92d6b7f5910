// Intrusive circular doubly-linked lists over kernel page numbers: the typed-array version of
// struct page's `lru` field and the list_head API (include/linux/list.h semantics).
//
//   next[i], prev[i]   i < nPages: page i's links; i ≥ nPages: the sentinel head of list i − nPages
//   on[p]              the list page p is on, or NOT_ON_LIST (a page is on at most one list)
//   counts[l]          pages on list l, kept exact so callers never walk a list to count it
//
// Every list the guest has shares one instance: the buddy allocator's free lists (block heads only),
// the balloon's page list and the LRU lists. That is what makes "a page is on one list at a time"
// checkable, and it costs 9 bytes a page (37 MiB for a 16 GiB guest of 4 KiB pages) with no objects.

export const NOT_ON_LIST = 0xff;
/**
 * Snapshots copy the per-page arrays in chunks of 2^CHANGE_SHIFT entries, only those that changed
 * since the last one: every write to next/prev/on (and to the kernel's other per-page arrays) sets
 * `changed[index >>> CHANGE_SHIFT]`. A buddy block (at most 1024 pages, aligned) never spans two chunks.
 */
export const CHANGE_SHIFT = 12;
/** What first/last/after/before return when there is no such page. */
export const NO_PAGE = -1;

export class PageLists {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly on: Uint8Array;
  readonly counts: Int32Array;
  /** One byte per chunk of indices (pages, then the heads): set when an entry in it changes. */
  readonly changed: Uint8Array;
  /**
   * Per list, how many times these methods changed it (wrapping). Whoever keeps a summary of a list
   * (balloon-dev-info.ts keeps the balloon's as runs) knows it is stale when this has moved.
   */
  readonly mods: Uint32Array;

  constructor(
    readonly nPages: number,
    readonly nLists: number,
  ) {
    if (!Number.isInteger(nLists) || nLists < 1 || nLists >= NOT_ON_LIST) {
      throw new RangeError(`PageLists: nLists must be 1 … ${NOT_ON_LIST - 1}, got ${nLists}`);
    }
    this.next = new Int32Array(nPages + nLists);
    this.prev = new Int32Array(nPages + nLists);
    this.on = new Uint8Array(nPages).fill(NOT_ON_LIST);
    this.counts = new Int32Array(nLists);
    this.mods = new Uint32Array(nLists);
    this.changed = new Uint8Array(((nPages + nLists - 1) >>> CHANGE_SHIFT) + 1).fill(1);
    for (let l = 0; l < nLists; l++) {
      const h = nPages + l;
      this.next[h] = h;
      this.prev[h] = h;
    }
  }

  /** The sentinel's index for list l (what an empty list's links point at). */
  head(list: number): number {
    return this.nPages + list;
  }

  /** Pages [first, end) changed in some per-page array: their chunks are marked. */
  markChanged(first: number, end: number): void {
    // A loop, not fill(): the range is one or two chunks nearly always, and a call of the builtin
    // costs more than the bytes it writes.
    const changed = this.changed;
    for (let c = first >>> CHANGE_SHIFT, last = (end - 1) >>> CHANGE_SHIFT; c <= last && end > first; c++)
      changed[c] = 1;
  }

  /** list_add: page p becomes the first page of `list`. */
  addHead(list: number, p: number): void {
    this.insertAfter(list, this.nPages + list, p);
  }

  /** list_add_tail: page p becomes the last page of `list`. */
  addTail(list: number, p: number): void {
    this.insertAfter(list, this.prev[this.nPages + list], p);
  }

  private insertAfter(list: number, at: number, p: number): void {
    if (this.on[p] !== NOT_ON_LIST) throw new Error(`PageLists: page ${p} is already on list ${this.on[p]}`);
    const next = this.next;
    const after = next[at];
    next[p] = after;
    this.prev[p] = at;
    this.prev[after] = p;
    next[at] = p;
    this.on[p] = list;
    this.counts[list]++;
    this.mods[list]++;
    const changed = this.changed;
    changed[p >>> CHANGE_SHIFT] = 1;
    changed[at >>> CHANGE_SHIFT] = 1;
    changed[after >>> CHANGE_SHIFT] = 1;
  }

  /** list_del: takes p off whichever list it is on. */
  remove(p: number): void {
    const list = this.on[p];
    if (list === NOT_ON_LIST) throw new Error(`PageLists: page ${p} is on no list`);
    const n = this.next[p];
    const pr = this.prev[p];
    this.next[pr] = n;
    this.prev[n] = pr;
    this.on[p] = NOT_ON_LIST;
    this.counts[list]--;
    this.mods[list]++;
    const changed = this.changed;
    changed[p >>> CHANGE_SHIFT] = 1;
    changed[pr >>> CHANGE_SHIFT] = 1;
    changed[n >>> CHANGE_SHIFT] = 1;
  }

  /** list_replace: `fresh` takes `old`'s place (same list, same position); `old` ends on no list. */
  replace(old: number, fresh: number): void {
    const list = this.on[old];
    if (list === NOT_ON_LIST) throw new Error(`PageLists: page ${old} is on no list`);
    if (this.on[fresh] !== NOT_ON_LIST) throw new Error(`PageLists: page ${fresh} is already on a list`);
    const n = this.next[old];
    const pr = this.prev[old];
    this.next[fresh] = n;
    this.prev[fresh] = pr;
    this.next[pr] = fresh;
    this.prev[n] = fresh;
    this.on[fresh] = list;
    this.on[old] = NOT_ON_LIST;
    this.mods[list]++;
    const changed = this.changed;
    changed[old >>> CHANGE_SHIFT] = 1;
    changed[fresh >>> CHANGE_SHIFT] = 1;
    changed[pr >>> CHANGE_SHIFT] = 1;
    changed[n >>> CHANGE_SHIFT] = 1;
  }

  count(list: number): number {
    return this.counts[list];
  }

  first(list: number): number {
    const p = this.next[this.nPages + list];
    return p >= this.nPages ? NO_PAGE : p;
  }

  last(list: number): number {
    const p = this.prev[this.nPages + list];
    return p >= this.nPages ? NO_PAGE : p;
  }

  /** The page after p on its list, or NO_PAGE at the end. */
  after(p: number): number {
    const n = this.next[p];
    return n >= this.nPages ? NO_PAGE : n;
  }

  /** The page before p on its list, or NO_PAGE at the start. */
  before(p: number): number {
    const n = this.prev[p];
    return n >= this.nPages ? NO_PAGE : n;
  }

  /** Visits `list` from first to last; `visit` must not take the page it is given off the list. */
  forEach(list: number, visit: (p: number) => void): void {
    for (let p = this.next[this.nPages + list]; p < this.nPages; p = this.next[p]) visit(p);
  }

  /** The pages of `list`, first to last (for the UI and tests; hot paths use first/after). */
  *pages(list: number): Generator<number, void, void> {
    for (let p = this.next[this.nPages + list]; p < this.nPages; p = this.next[p]) yield p;
  }
}
