// What the page and the real guest's worker (worker.ts) say to each other. Everything is plain data
// (structured clone); typed arrays are transferred.
import type { QueueState } from '../core/core.ts';

export interface GuestStartOptions {
  memoryMiB: number;
  /** Balloon features offered beside VERSION_1 (bits: 0 MUST_TELL_HOST, 1 STATS_VQ, 2 DEFLATE_ON_OOM). */
  features: number[];
  /** Where public/guest/ is served (ends with /). */
  base: string;
  /** Boot from the kernel even when a saved state is at hand. */
  coldBoot?: boolean;
  /** Seconds between stats requests (QMP guest-stats-polling-interval); 0 for none. */
  statsIntervalS: number;
}

export type ToGuest =
  | { t: 'start'; options: GuestStartOptions }
  /** Text typed at the serial console. */
  | { t: 'input'; text: string }
  /** QMP balloon: the target, in 4 KiB pages (num_pages). */
  | { t: 'target'; pages: number }
  | { t: 'stats-interval'; seconds: number }
  | { t: 'trace' };

/** One thing the device saw, for the timeline. `us` is the host's clock since the device started. */
export interface GuestEvent {
  /** Its place in the run: 1, 2, … (the device numbers its events). */
  n: number;
  us: number;
  kind: 'target' | 'inflate' | 'deflate' | 'actual' | 'stats' | 'error' | 'boot';
  text: string;
  /** inflate/deflate: the PFNs of the buffer; error: the queue. */
  pfns?: number;
}

/** A queue as the inspector reads it: the device's record, the driver's side as far as memory shows it. */
export interface GuestQueue {
  index: number;
  name: string;
  state: QueueState;
}

export interface GuestUpdate {
  t: 'update';
  /** The host's clock (µs since the device started). */
  us: number;
  numPages: number;
  actual: number;
  deviceStatus: number;
  /** The offered balloon features (bits 0–2) the driver accepted. */
  negotiated: number[];
  counts: { inflateBuffers: number; deflateBuffers: number; statsBuffers: number; errors: number };
  /** The host table (HOST_* per 4 KiB frame) and the frames the balloon holds (FRAME_BALLOON, else 0). */
  host: Uint8Array;
  /** Frames in each HOST_* state (the core keeps the counts). */
  hostCounts: number[];
  frames: Uint8Array;
  /** The last balloon buffer's PFNs, and its queue. */
  lastBatch: { queue: number; pfns: Uint32Array } | null;
  queues: GuestQueue[];
  /** Copies of the guest pages the rings and their buffers lie in: page number → 4 KiB. */
  pages: [number, Uint8Array][];
  /** The driver's last stats, by tag (VIRTIO_BALLOON_S_*), as numbers (bytes or counts). */
  stats: (number | null)[];
  /** Events since the last update. */
  events: GuestEvent[];
  /** What the device's log says last (its errors). */
  log: string[];
}

export type FromGuest =
  | { t: 'progress'; phase: 'fetch' | 'restore' | 'boot' | 'save'; fraction: number; text: string }
  | { t: 'serial'; text: string }
  /** `note`: what went otherwise than planned (a saved guest that could not be restored, say). */
  | { t: 'ready'; how: 'restored' | 'booted'; ms: number; note?: string }
  | GuestUpdate
  | { t: 'trace'; text: string }
  | { t: 'failed'; message: string };

/** The balloon features a student may have the device offer, by the names the page and URL use. */
export const OFFERABLE = [
  { name: 'stats', bit: 1, label: 'STATS_VQ', what: 'the driver reports the guest’s memory when asked' },
  {
    name: 'deflate-on-oom',
    bit: 2,
    label: 'DEFLATE_ON_OOM',
    what: 'the driver gives pages back when the guest runs out',
  },
  {
    name: 'must-tell-host',
    bit: 0,
    label: 'MUST_TELL_HOST',
    what: 'the driver tells the host before it reuses a page',
  },
] as const;

/** QEMU's default offer: STATS_VQ alone. */
export const DEFAULT_OFFER: readonly number[] = [1];

/**
 * `stats,deflate-on-oom` → the feature bits, sorted; or a sentence naming what is wrong. An empty
 * text offers no balloon feature at all (a driver still works without any).
 */
export function parseOffer(text: string): number[] | string {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bits: number[] = [];
  for (const n of names) {
    const f = OFFERABLE.find((o) => o.name === n);
    if (!f)
      return `"${n.slice(0, 40)}" is not a feature the device can offer (${OFFERABLE.map((o) => o.name).join(', ')})`;
    if (!bits.includes(f.bit)) bits.push(f.bit);
  }
  return bits.sort((a, b) => a - b);
}

export const offerText = (bits: readonly number[]) =>
  OFFERABLE.filter((o) => bits.includes(o.bit))
    .map((o) => o.name)
    .join(',');
