import { describe, expect, it } from 'vitest';
import type { QueueState } from '../core/core.ts';
import { asGpa } from '../core/units.ts';
import { RingMirror } from './ring-mirror.ts';

const page = (fill: (v: DataView) => void) => {
  const b = new Uint8Array(4096);
  fill(new DataView(b.buffer));
  return b;
};

describe('RingMirror: the page’s copy of a real guest’s rings', () => {
  it('reads little-endian values across a page boundary from the pages it was sent', () => {
    const m = new RingMirror(64);
    m.update({
      pages: [
        [3, page((v) => v.setUint16(4094, 0x1234, true))],
        [4, page((v) => v.setUint16(0, 0xabcd, true))],
      ],
      queues: [],
    });
    expect(m.readU32(asGpa(3 * 4096 + 4094))).toBe(0xabcd1234);
    expect(m.readU64(asGpa(3 * 4096 + 4094))).toBe(0xabcd1234n);
    expect(m.inWindow(3 * 4096, 8192)).toBe(true);
    // A page it was never sent, past RAM, and nonsense are all outside.
    expect(m.inWindow(5 * 4096, 1)).toBe(false);
    expect(m.inWindow(4 * 4096, 4097)).toBe(false);
    expect(m.inWindow(64 * 4096 - 2, 4)).toBe(false);
    expect(m.inWindow(-1, 2)).toBe(false);
  });

  it('keeps a page until it is sent again, and each update’s queue records replace the last', () => {
    const m = new RingMirror(16);
    const st = { size: 128, lastAvail: 7 } as QueueState;
    m.update({
      pages: [[1, page((v) => v.setUint8(0, 9))]],
      queues: [{ index: 0, name: 'inflate', state: st }],
    });
    m.update({ pages: [], queues: [] });
    expect(m.readU16(asGpa(4096))).toBe(9);
    expect(m.queueState(0)).toBeNull();
    m.update({
      pages: [[1, page((v) => v.setUint8(0, 5))]],
      queues: [{ index: 2, name: 'stats', state: st }],
    });
    expect(m.readU16(asGpa(4096))).toBe(5);
    expect(m.queueState(2)?.lastAvail).toBe(7);
  });
});
