import { describe, expect, it } from 'vitest';
import type { QueueState } from '../core/core.ts';
import { asGpa } from '../core/units.ts';
import { driverSide, MAX_PAGES, ringPages } from './ring-view.ts';

// A 128-entry queue: the descriptor table at 0x10000 and avail right after it, as Linux lays them
// out; used here on the next page (Linux puts it 64-byte aligned after avail), so the rings span two.
const st = (over: Partial<QueueState> = {}): QueueState => ({
  size: 128,
  eventIdx: true,
  indirect: false,
  desc: asGpa(0x10000),
  avail: asGpa(0x10800),
  used: asGpa(0x11000),
  freeHead: 0,
  numFree: 128,
  availShadow: 0,
  lastUsed: 0,
  lastAvail: 7,
  usedIdx: 7,
  inuse: 0,
  driverBroken: false,
  ...over,
});

function memory(ramFrames = 64) {
  const bytes = new DataView(new ArrayBuffer(ramFrames * 4096));
  return {
    bytes,
    mem: {
      ramFrames,
      u16: (g: number) => bytes.getUint16(g, true),
      u32: (g: number) => bytes.getUint32(g, true),
    },
  };
}

describe('what the page is told of a real queue', () => {
  it('reads the driver’s side from memory: avail->idx, and last_used_idx from used_event', () => {
    const { bytes, mem } = memory();
    bytes.setUint16(0x10800 + 2, 9, true); // avail->idx: the driver published 9
    bytes.setUint16(0x10800 + 4 + 2 * 128, 7, true); // used_event: it collected 7
    expect(driverSide(st(), mem)).toMatchObject({ availShadow: 9, lastUsed: 7, numFree: 126 });
    // Across the u16 wrap.
    bytes.setUint16(0x10800 + 2, 2, true);
    bytes.setUint16(0x10800 + 4 + 2 * 128, 65535, true);
    expect(driverSide(st(), mem)).toMatchObject({ availShadow: 2, lastUsed: 65535, numFree: 125 });
    // Without EVENT_IDX, the driver is taken to have collected what the device returned.
    expect(driverSide(st({ eventIdx: false, usedIdx: 2 }), mem)).toMatchObject({ lastUsed: 2, numFree: 128 });
  });

  it('sends the pages of the three rings and of each buffer, inside RAM and at most MAX_PAGES', () => {
    const { bytes, mem } = memory();
    // Descriptor 0: the driver's pfns[] (1 KiB) at 0x20400; descriptor 1: past RAM; 2: above 4 GiB.
    bytes.setUint32(0x10000, 0x20400, true);
    bytes.setUint32(0x10000 + 8, 1024, true);
    bytes.setUint32(0x10010, 0x7000000, true);
    bytes.setUint32(0x10010 + 8, 1024, true);
    bytes.setUint32(0x10020, 0x3000, true);
    bytes.setUint32(0x10020 + 4, 1, true);
    bytes.setUint32(0x10020 + 8, 1024, true);
    expect([...ringPages(st(), mem)].sort((a, b) => a - b)).toEqual([0x10, 0x11, 0x20]);
    // A table of buffers on 128 pages sends no more than MAX_PAGES.
    for (let k = 0; k < 128; k++) {
      bytes.setUint32(0x10000 + k * 16, (k % 60) * 4096, true);
      bytes.setUint32(0x10000 + k * 16 + 4, 0, true);
      bytes.setUint32(0x10000 + k * 16 + 8, 4096, true);
    }
    expect(ringPages(st(), mem).size).toBeLessThanOrEqual(MAX_PAGES);
  });
});
