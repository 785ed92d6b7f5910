// The real guest's page state: what the worker (src/guest/worker.ts) last said, kept in a Zustand store,
// and the commands the page sends it. One guest a page.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { FromGuest, GuestEvent, GuestStartOptions, GuestUpdate, ToGuest } from '../../guest/protocol.ts';
import { RingMirror } from '../../guest/ring-mirror.ts';

/** VIRTIO_BALLOON_S_* tags the plot follows (virtio 1.x §5.5.6.3). */
export const S_MEMFREE = 4;
export const S_MEMTOT = 5;
export const S_AVAIL = 6;
export const S_CACHES = 7;

export interface StatsPoint {
  /** Seconds since the device started. */
  s: number;
  memTotal: number | null;
  memFree: number | null;
  avail: number | null;
  caches: number | null;
  /** The balloon's size, in bytes (actual × 4 KiB). */
  balloon: number;
}

export interface GuestState {
  phase: 'idle' | 'loading' | 'ready' | 'failed';
  progress: { fraction: number; text: string };
  ready: { how: 'restored' | 'booted'; ms: number; note?: string } | null;
  error: string | null;
  /** The last update, without its transferred pages. */
  last: Omit<GuestUpdate, 'pages'> | null;
  /** Bumped on each update: the inspector and the map read guest memory again. */
  version: number;
  events: GuestEvent[];
  series: StatsPoint[];
}

export const MAX_EVENTS = 500;
const MAX_POINTS = 3600;

export interface GuestConnection {
  store: StoreApi<GuestState>;
  mirror: RingMirror | null;
  send(m: ToGuest): void;
  /** The serial console's output goes to this (the terminal), and what arrived before it. */
  onSerial(fn: (text: string) => void): void;
  /** The device's trace, in QEMU's format. */
  trace(): Promise<string>;
  stop(): void;
}

export function connectGuest(options: GuestStartOptions, worker: Worker): GuestConnection {
  const store = createStore<GuestState>(() => ({
    phase: 'loading',
    progress: { fraction: 0, text: 'Starting' },
    ready: null,
    error: null,
    last: null,
    version: 0,
    events: [],
    series: [],
  }));
  let serialSink: ((text: string) => void) | null = null;
  let early = '';
  const traceWaiters: ((text: string) => void)[] = [];
  const conn: GuestConnection = {
    store,
    mirror: null,
    send: (m) => worker.postMessage(m),
    onSerial(fn) {
      serialSink = fn;
      if (early) fn(early);
      early = '';
    },
    trace: () =>
      new Promise((resolve) => {
        traceWaiters.push(resolve);
        worker.postMessage({ t: 'trace' } satisfies ToGuest);
      }),
    stop: () => worker.terminate(),
  };
  worker.onmessage = (e: MessageEvent<FromGuest>) => {
    const m = e.data;
    switch (m.t) {
      case 'progress':
        store.setState({ progress: { fraction: m.fraction, text: m.text } });
        break;
      case 'serial':
        if (serialSink) serialSink(m.text);
        else early += m.text;
        break;
      case 'ready':
        store.setState({
          phase: 'ready',
          ready: { how: m.how, ms: m.ms, note: m.note },
          progress: { fraction: 1, text: '' },
        });
        break;
      case 'failed':
        store.setState({ phase: 'failed', error: m.message });
        break;
      case 'trace':
        for (const w of traceWaiters.splice(0)) w(m.text);
        break;
      case 'update': {
        conn.mirror ??= new RingMirror(m.host.length);
        conn.mirror.update(m);
        const { pages: _pages, ...last } = m;
        const s = store.getState();
        const events = s.events.concat(m.events);
        const point = statsPoint(m);
        const prev = s.series.at(-1);
        const series =
          prev && !changedPoint(prev, point) ? s.series : s.series.concat(point).slice(-MAX_POINTS);
        store.setState({
          last,
          version: s.version + 1,
          events: events.length > MAX_EVENTS ? events.slice(-MAX_EVENTS) : events,
          series,
        });
        break;
      }
    }
  };
  worker.onerror = (e) =>
    store.setState({ phase: 'failed', error: e.message || 'the guest’s worker stopped' });
  worker.postMessage({ t: 'start', options } satisfies ToGuest);
  return conn;
}

export function statsPoint(u: Pick<GuestUpdate, 'us' | 'stats' | 'actual'>): StatsPoint {
  const at = (tag: number) => u.stats[tag] ?? null;
  return {
    s: u.us / 1e6,
    memTotal: at(S_MEMTOT),
    memFree: at(S_MEMFREE),
    avail: at(S_AVAIL),
    caches: at(S_CACHES),
    balloon: u.actual * 4096,
  };
}

const changedPoint = (a: StatsPoint, b: StatsPoint) =>
  a.memTotal !== b.memTotal ||
  a.memFree !== b.memFree ||
  a.avail !== b.avail ||
  a.caches !== b.caches ||
  a.balloon !== b.balloon;
