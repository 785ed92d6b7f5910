import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAME_BALLOON, FRAME_FREE, FRAME_INFLATING } from '../../core/abi.ts';
import { dirtyRowRanges, levelHeight, levelWidth, type MapLayout, mapLayout } from './layout.ts';
import { StateMips } from './mip.ts';
import { OUTSIDE, priorityTable } from './palette.ts';

const prio = priorityTable('guest');

/** The obvious, slow reduction: the highest-priority state of each 2^k × 2^k block of cells. */
function brute(layout: MapLayout, states: Uint8Array, k: number): Uint8Array {
  const w = levelWidth(layout, k);
  const h = levelHeight(layout, k);
  const out = new Uint8Array(w * h);
  const size = 2 ** k;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let best = OUTSIDE;
      for (let r = y * size; r < (y + 1) * size; r++) {
        for (let c = x * size; c < (x + 1) * size; c++) {
          if (c >= layout.cols) continue;
          const pfn = r * layout.cols + c;
          if (pfn >= layout.frames) continue;
          if (prio[states[pfn]] > prio[best]) best = states[pfn];
        }
      }
      out[y * w + x] = best;
    }
  }
  return out;
}

const statesArb = (n: number) => fc.uint8Array({ minLength: n, maxLength: n, min: 0, max: 9 });

describe('state mips', () => {
  it('keeps the state of highest priority of each block: a lone inflating frame survives', () => {
    const layout = mapLayout(4096); // 64 × 64
    const states = new Uint8Array(4096).fill(FRAME_FREE);
    states.fill(FRAME_BALLOON, 0, 2048);
    states[64 * 40 + 17] = FRAME_INFLATING;
    const m = new StateMips(layout, prio);
    m.rebuild(states);
    expect(m.level(1)[20 * 32 + 8]).toBe(FRAME_INFLATING);
    expect(m.level(6)[0]).toBe(FRAME_INFLATING);
    expect(m.level(5)[0]).toBe(FRAME_BALLOON); // the top half
    expect(m.level(5)[2]).toBe(FRAME_INFLATING); // the bottom-left quarter
    expect(m.level(5)[3]).toBe(FRAME_FREE);
  });

  it('marks blocks with no frame at all as OUTSIDE', () => {
    const layout = mapLayout(968); // 32 columns, 31 rows: row 30 holds 8 frames, row 31 none
    const m = new StateMips(layout, prio);
    m.rebuild(new Uint8Array(968));
    const w1 = levelWidth(layout, 1);
    expect(m.level(1)[15 * w1 + 3]).toBe(FRAME_FREE); // covers frames 966 and 967
    expect(m.level(1)[15 * w1 + 4]).toBe(OUTSIDE);
  });

  it('rebuilds every level exactly like the brute-force reduction', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }).chain((n) => fc.tuple(fc.constant(n), statesArb(n))),
        ([n, states]) => {
          const layout = mapLayout(n);
          const m = new StateMips(layout, prio);
          m.rebuild(states);
          for (let k = 1; k < layout.levels; k++) expect(m.level(k)).toEqual(brute(layout, states, k));
          if (layout.levels > 1) expect(m.rangeCount(1)).toBe(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('after changes, updating the dirty rows gives what a rebuild would, and names the rows it changed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1024, max: 40000 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 9 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (n, edits) => {
          const layout = mapLayout(n);
          const states = new Uint8Array(n);
          const m = new StateMips(layout, prio);
          m.rebuild(states);
          const dirty = new Uint8Array(Math.ceil(n / 1024));
          const before = Array.from({ length: layout.levels }, (_, k) => (k ? m.level(k).slice() : null));
          for (const [at, len, s] of edits) {
            const a = at % n;
            const b = Math.min(n, a + len);
            states.fill(s, a, b);
            for (let f = a; f < b; f++) dirty[f >> 10] = 1;
          }
          const rows = new Int32Array(2 * (layout.rows + 1));
          m.update(states, rows, dirtyRowRanges(dirty, 10, layout, rows));
          for (let k = 1; k < layout.levels; k++) {
            const want = brute(layout, states, k);
            expect(m.level(k)).toEqual(want);
            // Every texel that differs from before lies in a reported row.
            const w = levelWidth(layout, k);
            const reported = new Set<number>();
            for (let r = 0; r < m.rangeCount(k); r++) {
              for (let y = m.rangesOf(k)[2 * r]; y < m.rangesOf(k)[2 * r + 1]; y++) reported.add(y);
            }
            for (let i = 0; i < want.length; i++) {
              if (want[i] !== before[k]![i]) expect(reported.has(Math.floor(i / w))).toBe(true);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
