// The allocator's own books, checked: every list walked, every free block accounted for. For the
// invariants (invariants.ts) and tests; the running simulation never calls these, so they live apart
// from the structures they check and stay out of the app.
import { type Buddy, MAX_ORDER, NOT_HEAD } from './buddy.ts';
import { NOT_ON_LIST, type PageLists } from './pagelists.ts';

/**
 * Walks every list and returns what is wrong: broken links, a page whose `on` disagrees with the
 * list it was found on, a count that differs from the walk, or a page marked on a list it is not on.
 */
export function checkPageLists(lists: PageLists): string[] {
  const errors: string[] = [];
  let onLists = 0;
  for (let l = 0; l < lists.nLists; l++) {
    const h = lists.nPages + l;
    let n = 0;
    let prev = h;
    for (let p = lists.next[h]; p !== h; p = lists.next[p]) {
      if (p < 0 || p >= lists.nPages) {
        errors.push(`list ${l}: link to ${p}, which is neither a page nor this list's head`);
        break;
      }
      if (lists.prev[p] !== prev) errors.push(`list ${l}: page ${p}'s prev is ${lists.prev[p]}, not ${prev}`);
      if (lists.on[p] !== l) errors.push(`list ${l}: page ${p} is marked on list ${lists.on[p]}`);
      prev = p;
      if (++n > lists.nPages) {
        errors.push(`list ${l}: does not come back to its head`);
        break;
      }
    }
    if (lists.prev[h] !== prev) errors.push(`list ${l}: head's prev is ${lists.prev[h]}, not ${prev}`);
    if (n !== lists.counts[l]) errors.push(`list ${l}: ${n} pages linked, count says ${lists.counts[l]}`);
    onLists += n;
  }
  let marked = 0;
  for (let p = 0; p < lists.nPages; p++) if (lists.on[p] !== NOT_ON_LIST) marked++;
  if (marked !== onLists) errors.push(`${marked} pages marked on a list, ${onLists} linked`);
  return errors;
}

/**
 * What is wrong with the free lists: heads whose `order` disagrees, overlaps, unmerged buddies, a
 * wrong total. Looks at the split cursor without draining it, so checking changes nothing.
 */
export function checkBuddy(buddy: Buddy): string[] {
  const errors: string[] = [];
  const n = buddy.nPages;
  const seen = new Uint8Array(n);
  let total = 0;
  let heads = 0;
  const cover = (from: number, to: number, what: string) => {
    for (let i = from; i < Math.min(to, n); i++) {
      if (seen[i]) errors.push(`buddy: page ${i} is free twice (${what})`);
      seen[i] = 1;
    }
    total += to - from;
  };
  if (buddy.runNext < buddy.runEnd) cover(buddy.runNext, buddy.runEnd, 'split cursor');
  for (let k = 0; k < MAX_ORDER; k++) {
    buddy.lists.forEach(buddy.base + k, (h) => {
      heads++;
      if (buddy.order[h] !== k)
        errors.push(`buddy: block ${h} is on the order-${k} list, order says ${buddy.order[h]}`);
      if ((h & ((1 << k) - 1)) !== 0) errors.push(`buddy: block ${h} of order ${k} is not aligned`);
      if (h + (1 << k) > n) errors.push(`buddy: block ${h} of order ${k} runs past the end`);
      cover(h, h + (1 << k), `block ${h}`);
      const mate = h ^ (1 << k);
      if (k < MAX_ORDER - 1 && mate < n && buddy.order[mate] === k) {
        errors.push(`buddy: blocks ${h} and ${mate} of order ${k} are both free but not merged`);
      }
    });
  }
  let marked = 0;
  for (let p = 0; p < n; p++) if (buddy.order[p] !== NOT_HEAD) marked++;
  if (marked !== heads) errors.push(`buddy: ${marked} pages marked as block heads, ${heads} on the lists`);
  if (total !== buddy.freePages) errors.push(`buddy: ${total} pages free, freePages says ${buddy.freePages}`);
  return errors;
}

/** Free blocks of one order (zone->free_area[order].nr_free). */
export function nrFree(buddy: Buddy, order: number): number {
  buddy.drainRun();
  return buddy.lists.counts[buddy.base + order];
}

/** Whether page p is free: in the split cursor or inside a free block. */
export function isFreePage(buddy: Buddy, p: number): boolean {
  if (p >= buddy.runNext && p < buddy.runEnd) return true;
  for (let k = 0; k < MAX_ORDER; k++) {
    const h = p & ~((1 << k) - 1);
    if (buddy.order[h] === k) return true;
  }
  return false;
}

/** Calls visit(head, order) for every free block (walks the free lists). */
export function forEachFreeBlock(buddy: Buddy, visit: (head: number, order: number) => void): void {
  buddy.drainRun();
  for (let k = 0; k < MAX_ORDER; k++) buddy.lists.forEach(buddy.base + k, (p) => visit(p, k));
}
