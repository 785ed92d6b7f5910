import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPageLists } from './list-checks.ts';
import { NO_PAGE, NOT_ON_LIST, PageLists } from './pagelists.ts';

describe('PageLists', () => {
  it('adds at the head and the tail, removes and replaces in O(1)', () => {
    const l = new PageLists(10, 2);
    expect(l.count(0)).toBe(0);
    expect(l.first(0)).toBe(NO_PAGE);
    l.addHead(0, 3);
    l.addHead(0, 1);
    l.addTail(0, 7);
    expect([...l.pages(0)]).toEqual([1, 3, 7]);
    expect(l.first(0)).toBe(1);
    expect(l.last(0)).toBe(7);
    expect(l.after(3)).toBe(7);
    expect(l.after(7)).toBe(NO_PAGE);
    expect(l.before(1)).toBe(NO_PAGE);
    l.remove(3);
    l.addHead(1, 3);
    expect([...l.pages(0)]).toEqual([1, 7]);
    expect([...l.pages(1)]).toEqual([3]);
    l.replace(7, 9);
    expect([...l.pages(0)]).toEqual([1, 9]);
    expect(l.on[7]).toBe(NOT_ON_LIST);
    expect(l.on[9]).toBe(0);
    l.remove(1);
    l.addTail(1, 1);
    expect([...l.pages(1)]).toEqual([3, 1]);
    expect(l.first(1)).toBe(3);
    l.remove(3);
    expect(l.count(0)).toBe(1);
    expect(l.count(1)).toBe(1);
    expect(checkPageLists(l)).toEqual([]);
  });

  it('refuses a page on two lists, and removing a page that is on none', () => {
    const l = new PageLists(4, 2);
    l.addHead(0, 2);
    expect(() => l.addTail(1, 2)).toThrow(/already on list 0/);
    expect(() => l.remove(3)).toThrow(/on no list/);
  });

  it('agrees with a plain array model over random operations', () => {
    const nPages = 24;
    const nLists = 3;
    const op = fc.oneof(
      fc.record({ kind: fc.constant('head' as const), list: fc.nat(nLists - 1), page: fc.nat(nPages - 1) }),
      fc.record({ kind: fc.constant('tail' as const), list: fc.nat(nLists - 1), page: fc.nat(nPages - 1) }),
      fc.record({ kind: fc.constant('remove' as const), list: fc.nat(nLists - 1), page: fc.nat(nPages - 1) }),
      fc.record({ kind: fc.constant('move' as const), list: fc.nat(nLists - 1), page: fc.nat(nPages - 1) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const l = new PageLists(nPages, nLists);
        const model: number[][] = Array.from({ length: nLists }, () => []);
        const where = (p: number) => model.findIndex((m) => m.includes(p));
        for (const o of ops) {
          const at = where(o.page);
          if (o.kind === 'head' || o.kind === 'tail') {
            if (at >= 0) continue;
            if (o.kind === 'head') {
              l.addHead(o.list, o.page);
              model[o.list].unshift(o.page);
            } else {
              l.addTail(o.list, o.page);
              model[o.list].push(o.page);
            }
          } else if (o.kind === 'remove') {
            if (at < 0) continue;
            l.remove(o.page);
            model[at].splice(model[at].indexOf(o.page), 1);
          } else {
            if (at < 0) continue;
            l.remove(o.page); // list_move: off its list, onto the head of another
            l.addHead(o.list, o.page);
            model[at].splice(model[at].indexOf(o.page), 1);
            model[o.list].unshift(o.page);
          }
        }
        for (let i = 0; i < nLists; i++) {
          expect([...l.pages(i)]).toEqual(model[i]);
          expect(l.count(i)).toBe(model[i].length);
        }
        expect(checkPageLists(l)).toEqual([]);
      }),
    );
  });
});
