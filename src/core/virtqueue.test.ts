// The split virtqueue, byte for byte: every offset below is computed by hand from virtio 1.x §2.7.
import { describe, expect, it } from 'vitest';
import {
  CTRL_ELEM_DESCS,
  EV_POP,
  EV_PUSH,
  REGION_COUNT,
  VRING_AVAIL_F_NO_INTERRUPT,
  VRING_DESC_F_INDIRECT,
  VRING_DESC_F_NEXT,
  VRING_DESC_F_WRITE,
  VRING_USED_F_NO_NOTIFY,
} from './abi.ts';
import type { BalloonCore } from './core.ts';
import { impls, makeCore, PFNS_GPA, SPARE_GPA, STATS_GPA, STD, stdCore, stdRings } from './testing.ts';
import { asGpa } from './units.ts';

// Queue 0, size 8: desc table at 0x100000 (8 × 16 B), avail at 0x100080 (6 + 2·8 = 22 B),
// used at 0x100098 (4-aligned; 6 + 8·8 = 70 B).
const DESC = 0x100000;
const AVAIL = 0x100080;
const USED = 0x100098;
const g = (n: number) => asGpa(n);

function desc(c: BalloonCore, i: number, table = DESC) {
  const p = table + i * 16;
  return {
    addr: c.readU64(g(p)),
    len: c.readU32(g(p + 8)),
    flags: c.readU16(g(p + 12)),
    next: c.readU16(g(p + 14)),
  };
}

describe.each(impls)('split virtqueue layout (%s)', (impl) => {
  function setup(opts: { eventIdx?: boolean; indirect?: boolean } = {}) {
    const c = stdCore(impl);
    const rings = stdRings(0, 8);
    expect(rings).toEqual({ desc: DESC, avail: AVAIL, used: USED });
    c.setupQueue(0, { size: 8, ...rings, ...opts });
    return c;
  }

  it('lays one driver buffer out as desc[0], avail.ring[0] and avail.idx', () => {
    const c = setup();
    expect(c.addBuf(0, PFNS_GPA, 1024)).toBe(0);
    // desc[0] at 0x100000: addr le64, len le32, flags le16, next le16 (the free list's successor, 1)
    expect(Array.from(c.bytesAt(g(DESC), 16))).toEqual([
      0x00, 0xc0, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
    ]);
    expect(c.readU16(g(AVAIL))).toBe(0); // flags
    expect(c.readU16(g(AVAIL + 2))).toBe(1); // idx
    expect(c.readU16(g(AVAIL + 4))).toBe(0); // ring[0] = head 0
  });

  it('the device pops it, pushes it to used.ring[0] with its length, and the driver reclaims it', () => {
    const c = setup({ eventIdx: true });
    c.addBuf(0, PFNS_GPA, 1024);
    expect(c.pop(0)).toBe(0);
    expect(c.elemSegments()).toEqual([{ gpa: PFNS_GPA, len: 1024, write: false }]);
    expect(c.ctrl(CTRL_ELEM_DESCS)).toBe(1);
    // with EVENT_IDX the device publishes avail_event = last_avail_idx at used + 4 + 8·8 = 0x1000dc
    expect(c.readU16(g(USED + 4 + 64))).toBe(1);
    expect(c.push(0, 0, 77)).toBe(0);
    expect(c.readU16(g(USED + 2))).toBe(1); // used.idx
    expect(c.readU32(g(USED + 4))).toBe(0); // used.ring[0].id
    expect(c.readU32(g(USED + 8))).toBe(77); // used.ring[0].len
    expect(c.getBuf(0)).toEqual({ head: 0, len: 77 });
    // the driver publishes used_event = last_used_idx at avail + 4 + 2·8 = 0x100094
    expect(c.readU16(g(AVAIL + 4 + 16))).toBe(1);
    expect(c.getBuf(0)).toBeNull();
    const kinds: number[] = [];
    c.drainEvents((e) => kinds.push(e.kind));
    expect(kinds).toEqual([EV_POP, EV_PUSH]);
  });

  it('chains out then in buffers with NEXT and WRITE flags, following the free list', () => {
    const c = setup();
    const head = c.addSgs(
      0,
      [
        { gpa: PFNS_GPA, len: 16, write: false },
        { gpa: g(PFNS_GPA + 16), len: 32, write: false },
      ],
      [{ gpa: STATS_GPA, len: 64, write: true }],
    );
    expect(head).toBe(0);
    expect(desc(c, 0)).toEqual({ addr: BigInt(PFNS_GPA), len: 16, flags: VRING_DESC_F_NEXT, next: 1 });
    expect(desc(c, 1)).toEqual({ addr: BigInt(PFNS_GPA + 16), len: 32, flags: VRING_DESC_F_NEXT, next: 2 });
    expect(desc(c, 2)).toEqual({ addr: BigInt(STATS_GPA), len: 64, flags: VRING_DESC_F_WRITE, next: 3 });
    expect(c.pop(0)).toBe(0);
    expect(c.elemSegments().map((s) => s.write)).toEqual([false, false, true]);
    c.push(0, 0, 64);
    expect(c.getBuf(0)).toEqual({ head: 0, len: 64 });
    // the freed chain goes back on the front of the free list: the next buffer reuses descriptor 0
    expect(c.addBuf(0, PFNS_GPA, 4)).toBe(0);
  });

  it('puts a chain into an indirect table that uses one ring descriptor', () => {
    const c = setup({ indirect: true });
    const head = c.addSgs(
      0,
      [{ gpa: PFNS_GPA, len: 8, write: false }],
      [{ gpa: STATS_GPA, len: 10, write: true }],
      SPARE_GPA,
    );
    expect(desc(c, head)).toEqual({
      addr: BigInt(SPARE_GPA),
      len: 32,
      flags: VRING_DESC_F_INDIRECT,
      next: 1,
    });
    expect(desc(c, 0, SPARE_GPA)).toEqual({
      addr: BigInt(PFNS_GPA),
      len: 8,
      flags: VRING_DESC_F_NEXT,
      next: 1,
    });
    expect(desc(c, 1, SPARE_GPA)).toEqual({
      addr: BigInt(STATS_GPA),
      len: 10,
      flags: VRING_DESC_F_WRITE,
      next: 2,
    });
    expect(c.pop(0)).toBe(head);
    expect(c.ctrl(CTRL_ELEM_DESCS)).toBe(3); // the ring descriptor and two table entries
    expect(c.elemSegments()).toEqual([
      { gpa: PFNS_GPA, len: 8, write: false },
      { gpa: STATS_GPA, len: 10, write: true },
    ]);
  });

  it('runs its indices freely and wraps them at 65536', () => {
    const c = setup();
    let mismatches = 0;
    for (let n = 1; n <= 70_000; n++) {
      const head = c.addBuf(0, PFNS_GPA, 4);
      if (c.pop(0) !== head) mismatches++;
      c.push(0, head, 0);
      if (c.getBuf(0)?.head !== head) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(c.readU16(g(AVAIL + 2))).toBe(70_000 - 65_536);
    expect(c.readU16(g(USED + 2))).toBe(70_000 - 65_536);
  });

  it('refuses a buffer when the table is full (-ENOSPC) and a queue that is not set up', () => {
    const c = setup();
    for (let i = 0; i < 8; i++) expect(c.addBuf(0, PFNS_GPA, 4)).toBe(i);
    expect(c.addBuf(0, PFNS_GPA, 4)).toBe(-4);
    expect(c.addBuf(1, PFNS_GPA, 4)).toBe(-3);
    expect(c.pop(1)).toBe(-3);
  });

  it('kicks unless the device set NO_NOTIFY; with EVENT_IDX only past avail_event', () => {
    const plain = setup();
    plain.addBuf(0, PFNS_GPA, 4);
    expect(plain.kickPrepare(0)).toBe(true);
    plain.setNotification(0, false);
    expect(plain.readU16(g(USED))).toBe(VRING_USED_F_NO_NOTIFY);
    plain.addBuf(0, PFNS_GPA, 4);
    expect(plain.kickPrepare(0)).toBe(false);

    const ev = setup({ eventIdx: true });
    ev.addBuf(0, PFNS_GPA, 4); // avail_event is 0: moving avail idx 0 → 1 passes it
    expect(ev.kickPrepare(0)).toBe(true);
    ev.addBuf(0, PFNS_GPA, 4); // 1 → 2 does not pass 0
    expect(ev.kickPrepare(0)).toBe(false);
    ev.pop(0); // the device consumed one and asks to hear of avail idx 1
    ev.addBuf(0, PFNS_GPA, 4); // 2 → 3 does not pass 1 either
    expect(ev.kickPrepare(0)).toBe(false);
    ev.setNotification(0, true); // avail_event = avail.idx = 3
    ev.addBuf(0, PFNS_GPA, 4); // 3 → 4 passes 3
    expect(ev.kickPrepare(0)).toBe(true);
  });

  it('interrupts unless the driver set NO_INTERRUPT; with EVENT_IDX only past used_event', () => {
    const plain = setup();
    plain.addBuf(0, PFNS_GPA, 4);
    plain.push(0, plain.pop(0), 0);
    expect(plain.needInterrupt(0)).toBe(true);
    plain.setCallbacks(0, false);
    expect(plain.readU16(g(AVAIL))).toBe(VRING_AVAIL_F_NO_INTERRUPT);
    expect(plain.needInterrupt(0)).toBe(false);

    const ev = setup({ eventIdx: true });
    for (let i = 0; i < 3; i++) ev.addBuf(0, PFNS_GPA, 4);
    ev.push(0, ev.pop(0), 0);
    expect(ev.needInterrupt(0)).toBe(true); // the first decision always interrupts
    ev.push(0, ev.pop(0), 0); // used_event is still 0: used idx 1 → 2 does not pass it
    expect(ev.needInterrupt(0)).toBe(false);
    ev.getBuf(0);
    ev.getBuf(0); // the driver wants to hear of used idx 2
    ev.push(0, ev.pop(0), 0); // 2 → 3 passes 2
    expect(ev.needInterrupt(0)).toBe(true);
  });

  it('rejects rings outside the window or misaligned', () => {
    const c = stdCore(impl);
    expect(() => c.setupQueue(0, { size: 8, desc: g(0x1000), avail: g(AVAIL), used: g(USED) })).toThrow(
      /window/,
    );
    expect(() => c.setupQueue(0, { size: 8, desc: g(DESC + 8), avail: g(AVAIL), used: g(USED) })).toThrow(
      /aligned/,
    );
    expect(() => c.setupQueue(0, { size: 6, desc: g(DESC), avail: g(AVAIL), used: g(USED) })).toThrow(
      /power of two/,
    );
  });
});

describe('the wasm module and its twin', () => {
  it('lay linear memory out identically', () => {
    const w = stdCore('wasm');
    const t = stdCore('twin');
    for (let r = 0; r < REGION_COUNT; r++) expect(w.abi.layout(r)).toBe(t.abi.layout(r));
  });

  it('never trap, even when called before init or with nonsense', () => {
    for (const impl of impls) {
      const c = makeCore(impl);
      const a = c.abi;
      const junk = [0, 1, -1, 0xffffffff, 2 ** 31, 65535, 7];
      for (const x of junk) {
        expect(() => {
          a.dirtyClear();
          a.frameSetRange(x, x, x);
          a.hostTouch(x, x);
          a.vqSetup(x, x, x, x, x, x, x, x, x);
          a.vqAddBuf(x, x, x, x, x);
          a.vqAddSgs(x, x, x, x, x, x);
          a.vqKickPrepare(x);
          a.vqGetBuf(x);
          a.vqSetCallbacks(x, x);
          a.vqPop(x);
          a.vqPush(x, x, x);
          a.vqNeedInterrupt(x);
          a.vqSetNotification(x, x);
          a.pfnEncode(x, x, x, x, x, x);
          a.pfnSetStates(x, x, x, x);
          a.balloonHandle(x, x, x);
          a.statsPop(x);
          a.ctrlRead(x);
        }).not.toThrow();
      }
      expect(a.init(0, 1, 0, 1)).toBe(-5);
      expect(a.init(STD.ramFrames, 3, 0, 1)).toBe(-5);
      expect(a.init(STD.ramFrames, 1, STD.ramFrames - 1, 2)).toBe(-5);
      expect(a.init(4194305, 1, 0, 1)).toBe(-5);
    }
  });
});

describe.each(impls)('queue bookkeeping for the inspector (%s)', (impl) => {
  it('shows both sides: free descriptors, published and consumed indices, in-flight count', () => {
    const c = stdCore(impl);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8), eventIdx: true });
    c.addBuf(0, PFNS_GPA, 4);
    c.addBuf(0, PFNS_GPA, 4);
    c.pop(0);
    expect(c.queueState(0)).toMatchObject({
      size: 8,
      eventIdx: true,
      numFree: 6,
      freeHead: 2,
      availShadow: 2,
      lastAvail: 1,
      inuse: 1,
      usedIdx: 0,
      lastUsed: 0,
      desc: DESC,
    });
    expect(c.queueState(1)).toBeNull();
  });

  it('answers the per-batch questions without a QueueState: size, ring addresses, next avail', () => {
    const c = stdCore(impl);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8), eventIdx: true });
    c.addBuf(0, PFNS_GPA, 4);
    c.addBuf(0, PFNS_GPA, 4);
    c.pop(0);
    const st = c.queueState(0)!;
    expect(c.queueSize(0)).toBe(8);
    expect(c.queueRingGpa(0, 'desc')).toBe(st.desc);
    expect(c.queueRingGpa(0, 'avail')).toBe(st.avail);
    expect(c.queueRingGpa(0, 'used')).toBe(st.used);
    expect(c.queueLastAvail(0)).toBe(1);
    expect(c.queueSize(1)).toBe(0);
    expect(c.queueSize(-1)).toBe(0);
    expect(c.queueSize(1 << 20)).toBe(0);
  });
});
