// The inspector's reading of the rings, held against a real core driven through both sides.
import { describe, expect, it } from 'vitest';
import { FRAME_KEEP, VRING_DESC_F_NEXT, VRING_DESC_F_WRITE } from '../../core/abi.ts';
import type { ChainCore } from '../../core/chain-core.ts';
import {
  encodePages,
  impls,
  makeCore,
  PFNS_GPA,
  SPARE_GPA,
  STATS_GPA,
  stdCore,
  stdRings,
} from '../../core/testing.ts';
import { asGpa, asKernelPage } from '../../core/units.ts';
import {
  availSlotMark,
  bufferContents,
  bufferOf,
  inspectQueue,
  isBadPfn,
  PAGE_ROWS,
  type Ring,
  readIndices,
  readPfnBatch,
  rowWindow,
  u16Diff,
  usedSlotMark,
  walkChain,
} from './rings.ts';

const g = asGpa;

describe.each(impls)('reading a live virtqueue (%s)', (impl) => {
  function setup(
    size = 8,
    q = 0,
  ): { core: ChainCore; ring: Ring; detail: () => ReturnType<typeof inspectQueue> } {
    const core = stdCore(impl);
    const ring = { size, ...stdRings(q, size) };
    core.setupQueue(q, ring);
    return { core, ring, detail: () => inspectQueue(core, ring, core.queueState(q)!) };
  }

  /** Writes PFNs into pfns[] the way set_page_pfns does (frames left as they are). */
  function writePfns(core: ChainCore, pages: number[]): void {
    encodePages(core, pages.map(asKernelPage), 0, 1, PFNS_GPA, FRAME_KEEP);
  }

  it('starts empty: every descriptor free, no window, all indices 0', () => {
    const { detail } = setup();
    const d = detail();
    expect(d.availIdx).toBe(0);
    expect(d.usedIdx).toBe(0);
    expect(d.waiting).toBe(0);
    expect(d.buffers).toEqual([]);
    expect(d.inUse).toBe(0);
    expect(d.consistent).toBe(true);
    expect(Array.from(d.owner)).toEqual(new Array(8).fill(0));
  });

  it('follows one buffer through available → held by the device → used → collected', () => {
    const { core, ring, detail } = setup();
    expect(core.addBuf(0, PFNS_GPA, 16)).toBe(0);
    let d = detail();
    expect(d.waiting).toBe(1);
    expect(d.buffers).toEqual([
      { idx: 0, slot: 0, head: 0, phase: 'available', chain: { indices: [0], error: null } },
    ]);
    expect(bufferOf(d, 0)?.head).toBe(0);
    expect(bufferOf(d, 1)).toBeNull();
    expect(d.consistent).toBe(true);
    expect(availSlotMark(d, ring.size, 0)).toEqual({ idx: 0, phase: 'available' });
    expect(availSlotMark(d, ring.size, 1)).toBeNull();

    expect(core.pop(0)).toBe(0);
    d = detail();
    expect(d.waiting).toBe(0);
    expect(d.state.inuse).toBe(1);
    expect(d.buffers[0].phase).toBe('device');
    expect(availSlotMark(d, ring.size, 0)).toEqual({ idx: 0, phase: 'device' });

    core.push(0, 0, 0);
    d = detail();
    expect(d.uncollected).toBe(1);
    expect(d.buffers[0].phase).toBe('used');
    expect(availSlotMark(d, ring.size, 0)).toBeNull();
    expect(usedSlotMark(d, ring.size, 0)).toEqual({ idx: 0, phase: 'used' });

    expect(core.getBuf(0)).toEqual({ head: 0, len: 0 });
    d = detail();
    expect(d.buffers).toEqual([]);
    expect(d.uncollected).toBe(0);
    expect(usedSlotMark(d, ring.size, 0)).toBeNull();
    expect(d.consistent).toBe(true);
  });

  it('finds every descriptor of a chained buffer and agrees with num_free', () => {
    const { core, detail } = setup();
    core.addBuf(0, PFNS_GPA, 4);
    const head = core.addSgs(
      0,
      [{ gpa: PFNS_GPA, len: 16, write: false }],
      [
        { gpa: STATS_GPA, len: 20, write: true },
        { gpa: g(STATS_GPA + 20), len: 20, write: true },
      ],
    );
    expect(head).toBe(1);
    const d = detail();
    expect(d.buffers.map((b) => b.chain.indices)).toEqual([[0], [1, 2, 3]]);
    expect(Array.from(d.owner)).toEqual([1, 2, 2, 2, 0, 0, 0, 0]);
    expect(d.inUse).toBe(4);
    expect(d.state.numFree).toBe(4);
    expect(d.consistent).toBe(true);
  });

  it('names a looped chain, a next out of range and a head out of range in QEMU’s words', () => {
    const { core, ring } = setup();
    core.addBuf(0, PFNS_GPA, 4);
    const flags = g(ring.desc + 12);
    const next = g(ring.desc + 14);
    core.writeU16(flags, VRING_DESC_F_NEXT);
    core.writeU16(next, 0);
    expect(walkChain(core, ring, 0).error).toMatchObject({ kind: 'loop', message: 'Looped descriptor' });
    core.writeU16(next, 13);
    expect(walkChain(core, ring, 0)).toEqual({
      indices: [0],
      error: { kind: 'next-oob', at: 0, value: 13, message: 'Desc next is 13' },
    });
    core.writeU16(g(ring.avail + 4), 11);
    const d = inspectQueue(core, ring, core.queueState(0)!);
    expect(d.buffers[0].chain.error?.message).toBe('Guest says index 11 is available');
    expect(d.consistent).toBe(false);
  });

  it('flags an avail index that runs more than Queue Size ahead', () => {
    const { core, ring } = setup();
    core.addBuf(0, PFNS_GPA, 4);
    core.writeU16(g(ring.avail + 2), 1 + ring.size + 1);
    const ind = readIndices(core, ring, core.queueState(0)!);
    expect(ind.waiting).toBe(10);
    expect(ind.waitingBogus).toBe(true);
    for (let s = 0; s < ring.size; s++) expect(availSlotMark(ind, ring.size, s)?.phase).toBe('available');
  });

  it('keeps the windows right across the u16 wrap of the free-running indices', () => {
    const { core, ring, detail } = setup();
    for (let n = 0; n < 65_535; n++) {
      const h = core.addBuf(0, PFNS_GPA, 4);
      core.pop(0);
      core.push(0, h, 0);
      core.getBuf(0);
    }
    core.addBuf(0, PFNS_GPA, 4); // published at idx 65535, slot 7
    core.addBuf(0, PFNS_GPA, 4); // idx 0, slot 0
    expect(core.pop(0)).toBeGreaterThanOrEqual(0);
    const d = detail();
    expect(d.availIdx).toBe(1);
    expect(d.state.lastUsed).toBe(65_535);
    expect(u16Diff(d.availIdx, d.state.lastUsed)).toBe(2);
    expect(d.buffers.map((b) => [b.idx, b.slot, b.phase])).toEqual([
      [65_535, 7, 'device'],
      [0, 0, 'available'],
    ]);
    expect(availSlotMark(d, ring.size, 7)).toEqual({ idx: 65_535, phase: 'device' });
    expect(availSlotMark(d, ring.size, 0)).toEqual({ idx: 0, phase: 'available' });
    expect(availSlotMark(d, ring.size, 1)).toBeNull();
  });

  it('reads the PFNs a descriptor carried, and marks those past the end of RAM', () => {
    const { core, ring } = setup();
    writePfns(core, [0x100, 0x101, 0x102, 0x3ff0]);
    const bad = core.ramFrames + 0x1000;
    core.writeU32(g(PFNS_GPA + 16), bad);
    const head = core.addBuf(0, PFNS_GPA, 5 * 4);
    const c = bufferContents(core, ring, head);
    expect(c.segments).toEqual([{ gpa: PFNS_GPA, len: 20, write: false }]);
    expect(c.pfns).toEqual([0x100, 0x101, 0x102, 0x3ff0, bad]);
    expect(c.pfns.map((p) => isBadPfn(core, p))).toEqual([false, false, false, false, true]);
    expect(c.notes).toEqual([]);
    expect(bufferContents(core, ring, head, { limit: 2 })).toMatchObject({
      pfns: [0x100, 0x101],
      truncated: true,
    });
  });

  it('says why a buffer carries no PFNs: device-writable, odd length, no such descriptor', () => {
    const { core, ring } = setup();
    const w = core.addBuf(0, PFNS_GPA, 8, true);
    expect(bufferContents(core, ring, w)).toMatchObject({
      pfns: [],
      notes: [expect.stringMatching(/writable/)],
    });
    const odd = core.addBuf(0, PFNS_GPA, 6);
    expect(bufferContents(core, ring, odd).pfns).toHaveLength(1);
    expect(bufferContents(core, ring, odd).notes[0]).toMatch(/not a multiple of 4/);
    expect(bufferContents(core, ring, 99).notes[0]).toMatch(/no descriptor 99/);
  });

  it('reads through an indirect table to the buffer it names', () => {
    const core = stdCore(impl);
    const ring = { size: 8, ...stdRings(0, 8) };
    core.setupQueue(0, { ...ring, indirect: true });
    writePfns(core, [7, 8, 9]);
    const head = core.addSgs(
      0,
      [{ gpa: PFNS_GPA, len: 12, write: false }],
      [{ gpa: STATS_GPA, len: 10, write: true }],
      SPARE_GPA,
    );
    const c = bufferContents(core, ring, head);
    expect(c.segments).toEqual([
      { gpa: PFNS_GPA, len: 12, write: false },
      { gpa: STATS_GPA, len: 10, write: true },
    ]);
    expect(c.pfns).toEqual([7, 8, 9]);
  });

  it('decodes the stats queue’s buffer as tagged stats entries', () => {
    const { core, ring } = setup(8, 2);
    core.writeU16(STATS_GPA, 4);
    core.writeU64(g(STATS_GPA + 2), 123_456n);
    core.writeU16(g(STATS_GPA + 10), 5);
    core.writeU64(g(STATS_GPA + 12), 1n << 30n);
    const head = core.addBuf(2, STATS_GPA, 20);
    expect(bufferContents(core, ring, head, { asStats: true }).stats).toEqual([
      { tag: 4, name: 'stat-free-memory', value: 123_456n },
      { tag: 5, name: 'stat-total-memory', value: 1n << 30n },
    ]);
  });

  it('reads the pfns[] batch: the filled slots, and which of them are past the end of RAM', () => {
    const { core } = setup();
    writePfns(core, [1, 2, 3]);
    core.writeU32(g(PFNS_GPA + 12), core.ramFrames);
    const b = readPfnBatch(core, PFNS_GPA, 4);
    expect(b.readable).toBe(true);
    expect(b.count).toBe(4);
    expect(Array.from(b.slots.subarray(0, 4))).toEqual([1, 2, 3, core.ramFrames]);
    expect(b.bad).toEqual([3]);
    expect(readPfnBatch(core, PFNS_GPA, 999).count).toBe(256);
    expect(readPfnBatch(core, g(0), 4)).toMatchObject({ readable: false, bad: [] });
  });

  it('shows the flags a descriptor carries in memory', () => {
    const { core, ring } = setup();
    core.addSgs(0, [{ gpa: PFNS_GPA, len: 4, write: false }], [{ gpa: STATS_GPA, len: 10, write: true }]);
    expect(core.readU16(g(ring.desc + 12))).toBe(VRING_DESC_F_NEXT);
    expect(core.readU16(g(ring.desc + 16 + 12))).toBe(VRING_DESC_F_WRITE);
  });
});

describe('a queue of the largest size', () => {
  it('is inspected whole, with a full ring of in-flight buffers', () => {
    const core = makeCore('wasm');
    core.init({ ramFrames: 16_384, hostPageFrames: 1, windowFrame: 256, windowFrames: 256 });
    const size = 32_768;
    const base = 0x100000;
    const ring = { size, desc: g(base), avail: g(base + size * 16), used: g(base + size * 16 + 0x10008) };
    core.setupQueue(0, ring);
    for (let i = 0; i < size; i++) core.addBuf(0, g(base + 0xf0000), 4);
    for (let i = 0; i < 1000; i++) core.pop(0);
    const d = inspectQueue(core, ring, core.queueState(0)!);
    expect(d.buffers).toHaveLength(size);
    expect(d.inUse).toBe(size);
    expect(d.consistent).toBe(true);
    expect(d.buffers[999].phase).toBe('device');
    expect(d.buffers[1000].phase).toBe('available');
    expect(availSlotMark(d, size, 1000)).toEqual({ idx: 1000, phase: 'available' });
  });
});

describe('rowWindow', () => {
  it('shows a small table whole', () => {
    expect(rowWindow(8, 5, null)).toEqual({ start: 0, end: 8 });
    expect(rowWindow(PAGE_ROWS, 63, 30)).toEqual({ start: 0, end: PAGE_ROWS });
  });

  it('puts the focus near the top of a page and keeps the page inside the table', () => {
    expect(rowWindow(32_768, 1000, null)).toEqual({ start: 984, end: 1048 });
    expect(rowWindow(32_768, 3, null)).toEqual({ start: 0, end: 64 });
    expect(rowWindow(32_768, 32_767, null)).toEqual({ start: 32_704, end: 32_768 });
  });

  it('follows the reader’s paging when given a start', () => {
    expect(rowWindow(256, 0, 128)).toEqual({ start: 128, end: 192 });
    expect(rowWindow(256, 0, 250)).toEqual({ start: 192, end: 256 });
    expect(rowWindow(256, 0, -5)).toEqual({ start: 0, end: 64 });
  });
});
