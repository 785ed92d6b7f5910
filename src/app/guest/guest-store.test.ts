// The page's side of the worker's protocol: what each message does to the store, against a fake worker.
import { describe, expect, it } from 'vitest';
import type { FromGuest, GuestUpdate, ToGuest } from '../../guest/protocol.ts';
import { connectGuest, MAX_EVENTS, S_MEMFREE, S_MEMTOT } from './guest-store.ts';

class FakeWorker {
  sent: ToGuest[] = [];
  terminated = false;
  onmessage: ((e: MessageEvent<FromGuest>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  postMessage(m: ToGuest) {
    this.sent.push(m);
  }
  terminate() {
    this.terminated = true;
  }
  say(m: FromGuest) {
    this.onmessage?.({ data: m } as MessageEvent<FromGuest>);
  }
}

const options = { memoryMiB: 128, features: [1], base: '/guest/', statsIntervalS: 1 };

function update(over: Partial<GuestUpdate> = {}): GuestUpdate {
  const stats: (number | null)[] = new Array(10).fill(null);
  stats[S_MEMTOT] = 100 * 1048576;
  stats[S_MEMFREE] = 80 * 1048576;
  return {
    t: 'update',
    us: 1_000_000,
    numPages: 0,
    actual: 0,
    deviceStatus: 15,
    negotiated: [1],
    counts: { inflateBuffers: 0, deflateBuffers: 0, statsBuffers: 1, errors: 0 },
    host: new Uint8Array(16),
    hostCounts: [0, 16, 0, 0],
    frames: new Uint8Array(16),
    lastBatch: null,
    queues: [],
    pages: [],
    stats,
    events: [],
    log: [],
    ...over,
  };
}

describe('connectGuest: the page’s store of what the real guest’s worker says', () => {
  it('starts the worker with the options, then follows its progress to ready', () => {
    const w = new FakeWorker();
    const c = connectGuest(options, w as unknown as Worker);
    expect(w.sent).toEqual([{ t: 'start', options }]);
    expect(c.store.getState().phase).toBe('loading');
    w.say({ t: 'progress', phase: 'restore', fraction: 0.5, text: 'Fetching the saved guest' });
    expect(c.store.getState().progress).toEqual({ fraction: 0.5, text: 'Fetching the saved guest' });
    w.say({ t: 'ready', how: 'restored', ms: 700 });
    expect(c.store.getState()).toMatchObject({ phase: 'ready', ready: { how: 'restored', ms: 700 } });
    w.say({
      t: 'ready',
      how: 'booted',
      ms: 15_000,
      note: 'The saved guest could not be read (x), so Linux booted instead.',
    });
    expect(c.store.getState().ready?.note).toBe(
      'The saved guest could not be read (x), so Linux booted instead.',
    );
    c.stop();
    expect(w.terminated).toBe(true);
  });

  it('keeps the console’s output until the terminal is there, then streams it', () => {
    const w = new FakeWorker();
    const c = connectGuest(options, w as unknown as Worker);
    w.say({ t: 'serial', text: 'Linux ' });
    w.say({ t: 'serial', text: 'booted\r\n' });
    const got: string[] = [];
    c.onSerial((t) => got.push(t));
    w.say({ t: 'serial', text: '/ # ' });
    expect(got.join('')).toBe('Linux booted\r\n/ # ');
  });

  it('an update: the numbers, a plot point only when one changed, the ring pages for the inspector', () => {
    const w = new FakeWorker();
    const c = connectGuest(options, w as unknown as Worker);
    const page = new Uint8Array(4096);
    page[2] = 7;
    w.say(update({ pages: [[1, page]] }));
    w.say(update({ us: 2_000_000 })); // the same numbers a second later: no new point
    w.say(update({ us: 3_000_000, actual: 256 }));
    const s = c.store.getState();
    expect(s.version).toBe(3);
    expect(s.last?.actual).toBe(256);
    expect(s.series.map((p) => [p.s, p.balloon, p.memTotal])).toEqual([
      [1, 0, 100 * 1048576],
      [3, 256 * 4096, 100 * 1048576],
    ]);
    expect(c.mirror?.readU16(4098 as never)).toBe(7);
  });

  it('keeps the last MAX_EVENTS events, and a failure says what failed', () => {
    const w = new FakeWorker();
    const c = connectGuest(options, w as unknown as Worker);
    const events = Array.from({ length: MAX_EVENTS + 10 }, (_, i) => ({
      n: i + 1,
      us: i,
      kind: 'stats' as const,
      text: 'stats buffer from the driver',
    }));
    w.say(update({ events }));
    expect(c.store.getState().events).toHaveLength(MAX_EVENTS);
    expect(c.store.getState().events[0].n).toBe(11);
    w.say({ t: 'failed', message: 'guest/bios.bin: HTTP 404' });
    expect(c.store.getState()).toMatchObject({ phase: 'failed', error: 'guest/bios.bin: HTTP 404' });
  });

  it('asks for the trace and resolves with what the worker sends back', async () => {
    const w = new FakeWorker();
    const c = connectGuest(options, w as unknown as Worker);
    const trace = c.trace();
    expect(w.sent.at(-1)).toEqual({ t: 'trace' });
    w.say({ t: 'trace', text: '1@0.000001:virtio_balloon_to_target ...' });
    await expect(trace).resolves.toBe('1@0.000001:virtio_balloon_to_target ...');
  });
});
