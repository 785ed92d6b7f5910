// Every check the device makes while walking a chain, provoked on purpose through raw ring writes,
// as a buggy guest would make them. Each must stop the device with its own error and QEMU's words.
import { describe, expect, it } from 'vitest';
import {
  CTRL_EVENTS_DROPPED,
  CTRL_PFNS_HANDLED,
  ERR_AVAIL_JUMP,
  ERR_BAD_GPA,
  ERR_COUNT,
  ERR_HEAD_OOB,
  ERR_INDIRECT_MAP,
  ERR_INDIRECT_NESTED,
  ERR_INDIRECT_NEXT,
  ERR_INDIRECT_SIZE,
  ERR_LOOP,
  ERR_NEXT_OOB,
  ERR_ORDER,
  ERR_TOO_MANY_SEGS,
  ERR_VQ_SIZE_EXCEEDED,
  ERR_ZERO_LEN,
  EV_ERROR,
  RC_BROKEN,
  RC_ERROR,
  STATUS_DEVICE_NEEDS_RESET,
  VRING_DESC_F_INDIRECT,
  VRING_DESC_F_NEXT,
  VRING_DESC_F_WRITE,
} from './abi.ts';
import type { ChainCore } from './chain-core.ts';
import { deviceErrorKind } from './errors.ts';
import { impls, makeCore, PFNS_GPA, SPARE_GPA, STATS_GPA, STD, stdCore, stdRings } from './testing.ts';
import { asGpa } from './units.ts';

const g = asGpa;
const { desc: DESC, avail: AVAIL } = stdRings(0, 8);
const setFlags = (c: ChainCore, i: number, flags: number, table: number = DESC) =>
  c.writeU16(g(table + i * 16 + 12), flags);
const setNext = (c: ChainCore, i: number, next: number) => c.writeU16(g(DESC + i * 16 + 14), next);
const setLen = (c: ChainCore, i: number, len: number) => c.writeU32(g(DESC + i * 16 + 8), len);
const setAddr = (c: ChainCore, i: number, addr: number, table: number = DESC) =>
  c.writeU64(g(table + i * 16), BigInt(addr));
const twoChain = (c: ChainCore) =>
  c.addSgs(
    0,
    [
      { gpa: PFNS_GPA, len: 8, write: false },
      { gpa: PFNS_GPA, len: 8, write: false },
    ],
    [],
  );

interface Case {
  code: number;
  message: string | RegExp;
  provoke(c: ChainCore): number;
}

const cases: Case[] = [
  {
    code: ERR_AVAIL_JUMP,
    message: 'Guest moved used index from 0 to 9',
    provoke: (c) => {
      c.writeU16(g(AVAIL + 2), 9);
      return c.pop(0);
    },
  },
  {
    code: ERR_VQ_SIZE_EXCEEDED,
    message: 'Virtqueue size exceeded',
    provoke: (c) => {
      for (let i = 0; i < 8; i++) c.addBuf(0, PFNS_GPA, 4);
      for (let i = 0; i < 8; i++) c.pop(0); // eight in flight, none pushed back
      c.writeU16(g(AVAIL + 2), 9); // a ninth appears, naming descriptor 0 again
      return c.pop(0);
    },
  },
  {
    code: ERR_HEAD_OOB,
    message: 'Guest says index 8 is available',
    provoke: (c) => {
      c.addBuf(0, PFNS_GPA, 4);
      c.writeU16(g(AVAIL + 4), 8);
      return c.pop(0);
    },
  },
  {
    code: ERR_NEXT_OOB,
    message: 'Desc next is 200',
    provoke: (c) => {
      twoChain(c);
      setNext(c, 0, 200);
      return c.pop(0);
    },
  },
  {
    code: ERR_LOOP,
    message: 'Looped descriptor',
    provoke: (c) => {
      twoChain(c);
      setFlags(c, 1, VRING_DESC_F_NEXT);
      setNext(c, 1, 0);
      return c.pop(0);
    },
  },
  {
    code: ERR_INDIRECT_SIZE,
    message: 'Invalid size for indirect buffer table',
    provoke: (c) => {
      c.addBuf(0, SPARE_GPA, 20);
      setFlags(c, 0, VRING_DESC_F_INDIRECT);
      return c.pop(0);
    },
  },
  {
    code: ERR_INDIRECT_MAP,
    message: 'Cannot map indirect buffer',
    provoke: (c) => {
      c.addBuf(0, g(0x4000_0000), 32);
      setFlags(c, 0, VRING_DESC_F_INDIRECT);
      return c.pop(0);
    },
  },
  {
    code: ERR_INDIRECT_NESTED,
    message: /Nested indirect/,
    provoke: (c) => {
      c.addBuf(0, SPARE_GPA, 32);
      setFlags(c, 0, VRING_DESC_F_INDIRECT);
      setAddr(c, 0, SPARE_GPA + 64, SPARE_GPA);
      setFlags(c, 0, VRING_DESC_F_INDIRECT, SPARE_GPA);
      return c.pop(0);
    },
  },
  {
    code: ERR_INDIRECT_NEXT,
    message: 'Descriptor 0 has both INDIRECT and NEXT',
    provoke: (c) => {
      c.addBuf(0, SPARE_GPA, 32);
      setFlags(c, 0, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT);
      return c.pop(0);
    },
  },
  {
    code: ERR_ORDER,
    message: 'Incorrect order for descriptors',
    provoke: (c) => {
      twoChain(c);
      setFlags(c, 0, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
      return c.pop(0);
    },
  },
  {
    code: ERR_ZERO_LEN,
    message: 'virtio: zero sized buffers are not allowed',
    provoke: (c) => {
      c.addBuf(0, PFNS_GPA, 4);
      setLen(c, 0, 0);
      return c.pop(0);
    },
  },
  {
    code: ERR_BAD_GPA,
    message: 'virtio: bogus descriptor or out of resources (addr 0x440000000)',
    provoke: (c) => {
      c.addBuf(0, g(0x4_4000_0000), 4);
      return c.pop(0);
    },
  },
  {
    code: ERR_BAD_GPA,
    message: /bogus descriptor/,
    // a buffer that starts inside the window and runs past its end
    provoke: (c) => {
      c.addBuf(0, g(STD.base + 0xfff0), 0x20);
      return c.pop(0);
    },
  },
];

describe.each(impls)('device errors (%s)', (impl) => {
  it.each(cases.map((k) => [deviceErrorKind(k.code)?.name, k] as const))('%s', (_name, k) => {
    const c = stdCore(impl);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8), indirect: true });
    expect(k.provoke(c)).toBe(RC_ERROR);
    const err = c.deviceError();
    expect(err?.code).toBe(k.code);
    expect(err?.queue).toBe(0);
    if (typeof k.message === 'string') expect(err?.message).toBe(k.message);
    else expect(err?.message).toMatch(k.message);
    // a modern device reports DEVICE_NEEDS_RESET and refuses work until reset
    expect(c.deviceStatus & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
    expect(c.pop(0)).toBe(RC_BROKEN);
    expect(c.push(0, 0, 0)).toBe(RC_BROKEN);
    const errors: number[] = [];
    c.drainEvents((e) => e.kind === EV_ERROR && errors.push(e.x));
    expect(errors).toEqual([k.code]);
    c.resetDevice();
    expect(c.deviceError()).toBeNull();
    expect(c.deviceStatus).toBe(0);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8) });
    c.addBuf(0, PFNS_GPA, 4);
    expect(c.pop(0)).toBe(0);
  });

  // virtio_balloon_handle_output and virtio_balloon_receive_stats read the device-readable buffers
  // with iov_to_buf, 4 (or 10) bytes at a time: what is writable or short of a whole entry is
  // ignored, and the element is pushed back as usual. No virtio_error, no reset.
  it('ignores a device-writable balloon buffer: no PFN handled, the element used, no error', () => {
    const c = stdCore(impl);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8) });
    c.writeU32(PFNS_GPA, 5);
    c.writeU32(g(PFNS_GPA + 4), 6);
    const before = c.hostCounts().slice();
    c.addBuf(0, PFNS_GPA, 8, true);
    expect(c.balloonHandle(0, false)).toBe(1);
    expect(c.deviceError()).toBeNull();
    expect(c.deviceStatus).toBe(0);
    expect(c.hostCounts()).toEqual(before);
    expect(c.getBuf(0)).not.toBeNull();
  });

  it('ignores trailing bytes short of a PFN: 1022 bytes are 255 PFNs', () => {
    const c = stdCore(impl);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8) });
    for (let k = 0; k < 256; k++) c.writeU32(g(PFNS_GPA + 4 * k), 16 + k);
    c.addBuf(0, PFNS_GPA, 1022);
    expect(c.balloonHandle(0, false)).toBe(1);
    expect(c.deviceError()).toBeNull();
    expect(c.ctrl(CTRL_PFNS_HANDLED)).toBe(255);
  });

  it('a stats buffer marked device-writable is popped and held, every stat unset', () => {
    const c = stdCore(impl);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8) });
    c.writeU16(STATS_GPA, 4);
    c.writeU64(g(STATS_GPA + 2), 1234n);
    c.addBuf(0, STATS_GPA, 10);
    const first = c.statsPop(0);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(c.stats()[4]).toBe(1234n);
    c.push(0, first, 0);
    c.getBuf(0);
    c.addBuf(0, STATS_GPA, 10, true);
    expect(c.statsPop(0)).toBeGreaterThanOrEqual(0);
    expect(c.deviceError()).toBeNull();
    // reset_stats ran before the (empty) parse: nothing is left of the first buffer's values.
    expect(c.stats().every((v) => v === undefined)).toBe(true);
  });

  it('keeps the last stats across a device reset, as virtio_balloon_device_reset does', () => {
    const c = stdCore(impl);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8) });
    c.writeU16(STATS_GPA, 5);
    c.writeU64(g(STATS_GPA + 2), 99n);
    c.addBuf(0, STATS_GPA, 10);
    c.statsPop(0);
    c.resetDevice();
    expect(c.stats()[5]).toBe(99n);
  });

  it('on a legacy device an error breaks the device without DEVICE_NEEDS_RESET', () => {
    const c = stdCore(impl);
    c.resetDevice(false);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8) });
    c.addBuf(0, PFNS_GPA, 0);
    expect(c.pop(0)).toBe(RC_ERROR);
    expect(c.deviceStatus).toBe(0);
    expect(c.pop(0)).toBe(RC_BROKEN);
  });

  it('maps at most 1024 buffers per element, as QEMU does', () => {
    const c = makeCore(impl);
    c.init({ ramFrames: STD.ramFrames, hostPageFrames: 1, windowFrame: STD.windowFrame, windowFrames: 32 });
    c.setupQueue(0, { size: 8, ...stdRings(0, 8), indirect: true });
    const table = g(STD.base + 0x10000);
    const bufs = Array.from({ length: 1025 }, () => ({ gpa: PFNS_GPA, len: 4, write: false }));
    expect(c.addSgs(0, bufs, [], table)).toBe(0);
    expect(c.pop(0)).toBe(RC_ERROR);
    expect(c.deviceError()?.code).toBe(ERR_TOO_MANY_SEGS);
  });

  it('the driver refuses a used entry naming no buffer it added (BAD_RING)', () => {
    const c = stdCore(impl);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8) });
    const { used } = stdRings(0, 8);
    c.writeU32(g(used + 4), 99);
    c.writeU16(g(used + 2), 1);
    expect(() => c.getBuf(0)).toThrow('virtqueue 0: id-oob');
    expect(c.driverError()).toBe('id-oob');
    expect(c.getBuf(0)).toBeNull(); // the queue stays broken
  });

  it('drops and counts events when nobody drains them, never overwriting unread ones', () => {
    const c = stdCore(impl);
    c.setupQueue(0, { size: 8, ...stdRings(0, 8) });
    for (let i = 0; i < 2100; i++) {
      const h = c.addBuf(0, PFNS_GPA, 4);
      c.push(0, c.pop(0), 0);
      c.getBuf(0);
      expect(h).toBeGreaterThanOrEqual(0);
    }
    expect(c.ctrl(CTRL_EVENTS_DROPPED)).toBe(4200 - 4096);
    expect(c.drainEvents(() => undefined)).toBe(4096);
    expect(c.drainEvents(() => undefined)).toBe(0);
  });
});

it('every error code has a name and a message', () => {
  const names = new Set<string>();
  for (let code = 1; code < ERR_COUNT; code++) {
    const kind = deviceErrorKind(code);
    expect(kind, `code ${code}`).toBeDefined();
    names.add(kind?.name ?? '');
    expect(kind?.format(1, 2).length).toBeGreaterThan(10);
  }
  expect(names.size).toBe(ERR_COUNT - 1);
  expect(deviceErrorKind(ERR_COUNT)).toBeUndefined();
});
