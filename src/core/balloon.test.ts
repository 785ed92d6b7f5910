// PFN batches, host backing and stats buffers: the balloon-specific halves of driver and device.
import { describe, expect, it } from 'vitest';
import {
  CTRL_FRAMES_DISCARDED,
  CTRL_PBP_DROPPED,
  CTRL_PFNS_BAD,
  CTRL_PFNS_HANDLED,
  CTRL_STATS_UNKNOWN,
  EV_BAD_PFN,
  EV_PFN,
  EV_STATS,
  FRAME_BALLOON,
  FRAME_FREE,
  FRAME_INFLATING,
  FRAME_KEEP,
  HOST_DISCARDED,
  HOST_RESIDENT,
  HOST_UNTOUCHED,
  HOST_WANTED,
  RUN_DESCENDING,
} from './abi.ts';
import type { BalloonCore } from './core.ts';
import { encodePages, impls, PFNS_GPA, STATS_GPA, STD, stdCore, stdRings } from './testing.ts';
import { asGpa, asKernelPage, asPfn } from './units.ts';

const pages = (...n: number[]) => n.map(asKernelPage);

/** Driver: pfns[0..n) → inflate (q 0) or deflate (q 1) buffer; device handles it; driver reclaims. */
function roundTrip(c: BalloonCore, pfns: number[], deflate = false): number {
  pfns.forEach((p, k) => {
    c.writeU32(asGpa(PFNS_GPA + k * 4), p);
  });
  const q = deflate ? 1 : 0;
  c.addBuf(q, PFNS_GPA, pfns.length * 4);
  const handled = c.balloonHandle(q, deflate);
  c.getBuf(q);
  return handled;
}

describe.each(impls)('PFN batches (%s)', (impl) => {
  function setup(hostPageFrames = 1) {
    const c = stdCore(impl, hostPageFrames);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8) });
    c.setupQueue(1, { size: 8, ...stdRings(1, 8) });
    return c;
  }

  it('gathers a buffer of PFNs into runs up and down, as the trace keeps them', () => {
    const c = setup();
    const pfns = [10, 11, 12, 7, 6, 5, 40, 3, 4, 9, 9, 0xffff_ffff, 0, 1, 0xffff_fffe, 0xffff_ffff];
    pfns.forEach((p, k) => {
      c.writeU32(asGpa(PFNS_GPA + k * 4), p);
    });
    const n = c.pfnRuns(PFNS_GPA, pfns.length);
    const runs = Array.from({ length: n }, (_, r) => {
      const raw = c.pfnRunPairs[2 * r + 1];
      return [c.pfnRunPairs[2 * r], (raw & ~RUN_DESCENDING) >>> 0, raw & RUN_DESCENDING ? 'down' : 'up'];
    });
    expect(runs).toEqual([
      [10, 3, 'up'],
      [7, 3, 'down'],
      [40, 1, 'up'],
      [3, 2, 'up'],
      [9, 1, 'up'],
      [9, 1, 'up'],
      [0xffff_ffff, 1, 'up'], // no wrap to 0
      [0, 2, 'up'],
      [0xffff_fffe, 2, 'up'],
    ]);
    // 256 PFNs in one run each way, long enough for the two-at-a-time path
    for (const down of [false, true]) {
      for (let k = 0; k < 256; k++) c.writeU32(asGpa(PFNS_GPA + k * 4), down ? 5000 - k : 5000 + k);
      expect(c.pfnRuns(PFNS_GPA, 256)).toBe(1);
      expect(c.pfnRunPairs[0]).toBe(5000);
      expect(c.pfnRunPairs[1]).toBe((256 | (down ? RUN_DESCENDING : 0)) >>> 0);
    }
    // down to 0 and no further; up to 2^32 − 1 and no further, in pairs and alone
    for (const [seq, want] of [
      [
        [3, 2, 1, 0, 0xffff_ffff],
        [3, 4 | RUN_DESCENDING, 0xffff_ffff, 1],
      ],
      [
        [2, 1, 0],
        [2, 3 | RUN_DESCENDING],
      ],
      [
        [0xffff_fffc, 0xffff_fffd, 0xffff_fffe, 0xffff_ffff, 0],
        [0xffff_fffc, 4, 0, 1],
      ],
      [
        [0xffff_fffd, 0xffff_fffe, 0xffff_ffff],
        [0xffff_fffd, 3],
      ],
    ] as const) {
      seq.forEach((p, k) => {
        c.writeU32(asGpa(PFNS_GPA + k * 4), p);
      });
      const n = c.pfnRuns(PFNS_GPA, seq.length);
      expect([...c.pfnRunPairs.subarray(0, 2 * n)]).toEqual(want.map((x) => x >>> 0));
    }
    expect(c.pfnRuns(asGpa(0), 4)).toBe(-1); // not inside the window
    expect(c.pfnRuns(PFNS_GPA, 65536)).toBe(-1); // more than the scratch can hold runs of
    expect(c.pfnRuns(PFNS_GPA, 0)).toBe(0);
  });

  it('encodes a 4 KiB kernel page as one little-endian PFN and marks its frame', () => {
    const c = setup();
    expect(encodePages(c, pages(0x1234, 7), 0, 1, PFNS_GPA, FRAME_INFLATING)).toBe(2);
    expect(Array.from(c.bytesAt(PFNS_GPA, 8))).toEqual([0x34, 0x12, 0, 0, 7, 0, 0, 0]);
    expect(c.frames[0x1234]).toBe(FRAME_INFLATING);
    expect(c.frames[7]).toBe(FRAME_INFLATING);
    expect(c.stateCount(FRAME_INFLATING)).toBe(2);
    expect(c.stateCount(FRAME_FREE)).toBe(STD.ramFrames - 2);
  });

  it('encodes a 64 KiB kernel page as 16 consecutive PFNs (PAGES_PER_PAGE = 16)', () => {
    const c = setup();
    expect(encodePages(c, pages(3), 0, 16, PFNS_GPA, FRAME_KEEP)).toBe(16);
    const got = Array.from({ length: 16 }, (_, k) => c.readU32(asGpa(PFNS_GPA + k * 4)));
    expect(got).toEqual(Array.from({ length: 16 }, (_, k) => 48 + k));
    expect(c.stateCount(FRAME_FREE)).toBe(STD.ramFrames); // FRAME_KEEP left them alone
    // pfns[] holds at most 256: 16 pages of 16 fit, a 17th does not
    expect(encodePages(c, pages(...Array(15).fill(1)), 16, 16, PFNS_GPA, FRAME_KEEP)).toBe(240);
    expect(() => encodePages(c, pages(1), 256, 16, PFNS_GPA, FRAME_KEEP)).toThrow(/pfns\[256\]/);
  });

  it('keeps the order of a batch that counts down (fill_balloon pops its list LIFO)', () => {
    const c = setup();
    expect(encodePages(c, pages(10, 9, 8, 20, 21), 0, 1, PFNS_GPA, FRAME_INFLATING)).toBe(5);
    expect(Array.from({ length: 5 }, (_, k) => c.readU32(asGpa(PFNS_GPA + k * 4)))).toEqual([
      10, 9, 8, 20, 21,
    ]);
    expect(encodePages(c, pages(3, 2), 0, 4, PFNS_GPA, FRAME_KEEP)).toBe(8);
    expect(Array.from({ length: 8 }, (_, k) => c.readU32(asGpa(PFNS_GPA + k * 4)))).toEqual([
      12, 13, 14, 15, 8, 9, 10, 11,
    ]);
    expect(c.stateCount(FRAME_INFLATING)).toBe(5);
  });

  it('inflating discards host backing, and the driver marks the batch ballooned on the ack', () => {
    const c = setup();
    c.hostTouch(asPfn(0), STD.ramFrames);
    encodePages(c, pages(10, 11, 12), 0, 1, PFNS_GPA, FRAME_INFLATING);
    c.addBuf(0, PFNS_GPA, 12);
    expect(c.balloonHandle(0, false)).toBe(1);
    expect([c.host[10], c.host[11], c.host[12], c.host[13]]).toEqual([
      HOST_DISCARDED,
      HOST_DISCARDED,
      HOST_DISCARDED,
      HOST_RESIDENT,
    ]);
    expect(c.hostCounts()[HOST_RESIDENT]).toBe(STD.ramFrames - 3);
    expect(c.ctrl(CTRL_PFNS_HANDLED)).toBe(3);
    expect(c.getBuf(0)).toEqual({ head: 0, len: 0 });
    expect(c.setStatesFromPfns(3, PFNS_GPA, FRAME_BALLOON)).toBe(3);
    expect(c.stateCount(FRAME_BALLOON)).toBe(3);
    expect(c.stateCount(FRAME_INFLATING)).toBe(0);
  });

  it('deflating hints the backing back (MADV_WILLNEED); the next touch makes it resident', () => {
    const c = setup();
    roundTrip(c, [10, 11]);
    roundTrip(c, [10], true);
    expect([c.host[10], c.host[11]]).toEqual([HOST_WANTED, HOST_DISCARDED]);
    expect(c.hostTouch(asPfn(10), 1)).toBe(1);
    expect(c.host[10]).toBe(HOST_RESIDENT);
  });

  it('skips PFNs outside RAM and reports each one (virtio_balloon_bad_addr)', () => {
    const c = setup();
    c.eventMask |= 1 << EV_PFN;
    roundTrip(c, [5, STD.ramFrames, 0xffffffff, 6]);
    expect(c.ctrl(CTRL_PFNS_BAD)).toBe(2);
    expect(c.ctrl(CTRL_PFNS_HANDLED)).toBe(2);
    const bad: number[] = [];
    const good: number[] = [];
    c.drainEvents((e) => {
      if (e.kind === EV_BAD_PFN) bad.push(e.a);
      if (e.kind === EV_PFN) good.push(e.a);
    });
    expect(bad).toEqual([STD.ramFrames, 0xffffffff]);
    expect(good).toEqual([5, 6]);
  });

  it('with 64 KiB host pages discards a host page only once all 16 pieces come in one buffer', () => {
    const c = setup(16);
    c.hostTouch(asPfn(0), 64);
    const range = (a: number, n: number) => Array.from({ length: n }, (_, k) => a + k);
    roundTrip(c, range(16, 16)); // all of host page 1, in one buffer
    expect(c.host.subarray(16, 32).every((h) => h === HOST_DISCARDED)).toBe(true);
    expect(c.ctrl(CTRL_FRAMES_DISCARDED)).toBe(16);
    roundTrip(c, range(32, 8)); // half of host page 2 ...
    roundTrip(c, range(40, 8)); // ... and the other half in the next buffer: QEMU forgets the first
    expect(c.host.subarray(32, 48).every((h) => h === HOST_RESIDENT)).toBe(true);
    roundTrip(c, [...range(0, 8), 48, ...range(8, 8)]); // another host page in between gives up page 0
    expect(c.host.subarray(0, 16).every((h) => h === HOST_RESIDENT)).toBe(true);
    expect(c.ctrl(CTRL_PBP_DROPPED)).toBe(5);
    roundTrip(c, range(16, 1), true); // deflate hints the whole 64 KiB host page back
    expect(c.host.subarray(16, 32).every((h) => h === HOST_WANTED)).toBe(true);
  });

  it('with 2 MiB host pages a 256-PFN buffer never frees anything', () => {
    const c = setup(512);
    c.hostTouch(asPfn(0), 1024);
    for (let b = 0; b < 4; b++)
      roundTrip(
        c,
        Array.from({ length: 256 }, (_, k) => b * 256 + k),
      );
    expect(c.ctrl(CTRL_FRAMES_DISCARDED)).toBe(0);
    expect(c.hostCounts()[HOST_RESIDENT]).toBe(1024);
    expect(c.hostCounts()[HOST_UNTOUCHED]).toBe(STD.ramFrames - 1024);
  });

  it('keeps per-state counts and dirty chunks exact', () => {
    const c = setup();
    c.clearDirty();
    c.setFrames(asPfn(5000), 3, FRAME_BALLOON);
    expect(Array.from(c.dirty.subarray(3, 6))).toEqual([0, 1, 0]);
    expect(c.stateCounts().reduce((a, b) => a + b, 0)).toBe(STD.ramFrames);
    c.clearDirty();
    expect(c.dirty.every((d) => d === 0)).toBe(true);
    expect(c.setFrames(asPfn(STD.ramFrames - 1), 10, FRAME_BALLOON)).toBe(1);
  });
});

describe.each(impls)('stats buffers (%s)', (impl) => {
  function statsBuffer(c: BalloonCore, entries: [number, bigint][]) {
    entries.forEach(([tag, val], k) => {
      c.writeU16(asGpa(STATS_GPA + k * 10), tag);
      c.writeU64(asGpa(STATS_GPA + k * 10 + 2), val);
    });
    return entries.length * 10;
  }

  it('parses packed {le16 tag; le64 val} entries, keeps known tags and ignores later ones', () => {
    const c = stdCore(impl);
    c.setupQueue(2, { size: 8, ...stdRings(2, 8) });
    const len = statsBuffer(c, [
      [4, 123456789n * 4096n],
      [5, 2n ** 40n],
      [12, 7n], // OOM_KILL (Linux 6.12+): QEMU 7.2 does not know it
      [0, 0n],
    ]);
    c.addBuf(2, STATS_GPA, len + 3); // trailing bytes short of an entry are ignored
    const head = c.statsPop(2);
    expect(head).toBe(0);
    const stats = c.stats();
    expect(stats[4]).toBe(123456789n * 4096n);
    expect(stats[5]).toBe(2n ** 40n);
    expect(stats[0]).toBe(0n);
    expect(stats[1]).toBeUndefined();
    expect(stats[12]).toBeUndefined();
    expect(c.ctrl(CTRL_STATS_UNKNOWN)).toBe(1);
    const ev: number[][] = [];
    c.drainEvents((e) => e.kind === EV_STATS && ev.push([e.a, e.b, e.c]));
    expect(ev).toEqual([[0, 4, 1]]);
    // the device holds the buffer; pushing it back asks the driver for fresh stats
    expect(c.push(2, head, 0)).toBe(0);
    expect(c.getBuf(2)).toEqual({ head: 0, len: 0 });
  });

  it('reads entries that straddle two buffers of one chain', () => {
    const c = stdCore(impl);
    c.setupQueue(2, { size: 8, ...stdRings(2, 8) });
    statsBuffer(c, [
      [6, 0x0102030405060708n],
      [7, 42n],
    ]);
    c.addSgs(
      2,
      [
        { gpa: STATS_GPA, len: 5, write: false },
        { gpa: asGpa(STATS_GPA + 5), len: 15, write: false },
      ],
      [],
    );
    expect(c.statsPop(2)).toBe(0);
    expect(c.stats()[6]).toBe(0x0102030405060708n);
    expect(c.stats()[7]).toBe(42n);
  });
});
