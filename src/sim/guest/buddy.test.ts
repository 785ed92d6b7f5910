import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Buddy, MAX_ORDER } from './buddy.ts';
import { checkBuddy, forEachFreeBlock, isFreePage, nrFree } from './list-checks.ts';
import { PageLists } from './pagelists.ts';

function makeBuddy(nPages: number, reserved: [number, number][] = []): Buddy {
  const b = new Buddy(new PageLists(nPages, MAX_ORDER), 0);
  let p = 0;
  for (const [from, to] of [...reserved, [nPages, nPages] as [number, number]]) {
    if (from > p) b.addFreeRange(p, from);
    p = to;
  }
  return b;
}

describe('Buddy', () => {
  it('boots into the largest aligned blocks, around reserved ranges', () => {
    const b = makeBuddy(4096, [[0, 3]]);
    expect(b.freePages).toBe(4093);
    // [3,4) order 0, [4,8) order 2, … [512,1024) order 9, then three order-10 blocks
    expect(nrFree(b, 10)).toBe(3);
    expect(nrFree(b, 0)).toBe(1);
    expect(nrFree(b, 1)).toBe(0);
    expect(b.largestFreeOrder()).toBe(10);
    expect(checkBuddy(b)).toEqual([]);
  });

  it('splits a block into ascending consecutive pages, lower half first', () => {
    const b = makeBuddy(2048);
    const got = Array.from({ length: 1500 }, () => b.alloc0());
    expect(got).toEqual(Array.from({ length: 1500 }, (_, i) => i));
    expect(b.freePages).toBe(548);
    expect(checkBuddy(b)).toEqual([]);
  });

  it('allocates higher orders aligned and splits only what it must', () => {
    const b = makeBuddy(1024);
    expect(b.alloc(3)).toBe(0);
    expect(b.alloc(0)).toBe(8);
    expect(b.alloc(1)).toBe(10);
    expect(b.alloc(2)).toBe(12);
    expect(b.freePages).toBe(1024 - 15);
    expect(b.alloc(10)).toBe(-1);
    expect(b.largestFreeOrder()).toBe(9);
    expect(checkBuddy(b)).toEqual([]);
  });

  it('fragments for real: one page per block kept leaves no order-10 block; freeing it merges back', () => {
    const b = makeBuddy(8192);
    const all = Array.from({ length: 8192 }, () => b.alloc0());
    expect(b.freePages).toBe(0);
    expect(b.alloc0()).toBe(-1);
    // Free everything but one page in every 64: 98 % of memory free, nothing above order 5.
    const kept = all.filter((p) => p % 64 === 17);
    for (const p of all) if (p % 64 !== 17) b.free(p, 0);
    expect(b.freePages).toBe(8192 - kept.length);
    expect(b.largestFreeOrder()).toBe(5);
    expect(b.alloc(6)).toBe(-1);
    expect(nrFree(b, 10)).toBe(0);
    expect(checkBuddy(b)).toEqual([]);
    for (const p of kept) b.free(p, 0);
    expect(nrFree(b, 10)).toBe(8);
    expect(b.largestFreeOrder()).toBe(10);
    expect(checkBuddy(b)).toEqual([]);
  });

  it('freeRange gives the same blocks as freeing page by page', () => {
    const a = makeBuddy(4096);
    const b = makeBuddy(4096);
    for (let i = 0; i < 4096; i++) {
      a.alloc0();
      b.alloc0();
    }
    for (let p = 2900; p >= 37; p--) a.free(p, 0);
    b.freeRange(37, 2901);
    const blocks = (x: Buddy) => {
      const out: string[] = [];
      forEachFreeBlock(x, (h, k) => out.push(`${h}/${k}`));
      return out.sort();
    };
    expect(blocks(b)).toEqual(blocks(a));
    expect(b.freePages).toBe(a.freePages);
  });

  it('takeFree takes one page out of a free block and keeps the rest free', () => {
    const b = makeBuddy(1024);
    expect(isFreePage(b, 700)).toBe(true);
    expect(b.takeFree(700)).toBe(true);
    expect(isFreePage(b, 700)).toBe(false);
    expect(b.takeFree(700)).toBe(false);
    expect(b.freePages).toBe(1023);
    expect(b.largestFreeOrder()).toBe(9);
    expect(checkBuddy(b)).toEqual([]);
    b.free(700, 0);
    expect(nrFree(b, 10)).toBe(1);
  });

  it('takeFree and higher-order allocations see pages the split cursor holds', () => {
    const b = makeBuddy(1024);
    expect(b.alloc0()).toBe(0); // the cursor now holds [1, 1024)
    expect(isFreePage(b, 5)).toBe(true);
    expect(b.takeFree(5)).toBe(true);
    expect(b.alloc(9)).toBe(512);
    // takeFree split [4, 8) last, so its remnant page 4 heads the order-0 list (LIFO).
    expect(b.alloc0()).toBe(4);
    expect(b.alloc0()).toBe(1);
    expect(b.freePages).toBe(1024 - 1 - 1 - 512 - 2);
    expect(checkBuddy(b)).toEqual([]);
  });

  it('keeps exact counts over random allocations and frees (against a set of free pages)', () => {
    const nPages = 512;
    const op = fc.oneof(
      { arbitrary: fc.record({ alloc: fc.nat(4) }), weight: 3 },
      { arbitrary: fc.record({ free: fc.nat(1000) }), weight: 2 },
      { arbitrary: fc.record({ take: fc.nat(nPages - 1) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.nat(40), fc.array(op, { maxLength: 300 }), (reservedEnd, ops) => {
        const b = makeBuddy(nPages, [[0, reservedEnd]]);
        const free = new Set<number>();
        for (let p = reservedEnd; p < nPages; p++) free.add(p);
        const held: [number, number][] = [];
        for (const o of ops) {
          if ('alloc' in o) {
            const p = b.alloc(o.alloc);
            const size = 1 << o.alloc;
            if (p < 0) {
              // Only fails if no aligned run of that size is free in the model.
              for (let h = 0; h < nPages; h += size) {
                let all = true;
                for (let i = h; i < h + size && all; i++) all = free.has(i);
                expect(all).toBe(false);
              }
              continue;
            }
            expect(p % size).toBe(0);
            for (let i = p; i < p + size; i++) {
              expect(free.has(i)).toBe(true);
              free.delete(i);
            }
            held.push([p, o.alloc]);
          } else if ('free' in o) {
            if (held.length === 0) continue;
            const [p, order] = held.splice(o.free % held.length, 1)[0];
            b.free(p, order);
            for (let i = p; i < p + (1 << order); i++) free.add(i);
          } else {
            expect(isFreePage(b, o.take)).toBe(free.has(o.take));
            expect(b.takeFree(o.take)).toBe(free.has(o.take));
            if (free.delete(o.take)) held.push([o.take, 0]);
          }
          expect(b.freePages).toBe(free.size);
        }
        expect(checkBuddy(b)).toEqual([]);
        for (const [p, order] of held) b.free(p, order);
        expect(b.freePages).toBe(nPages - reservedEnd);
        expect(checkBuddy(b)).toEqual([]);
      }),
    );
  });
});
