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
  counts: { inflateBuffers: number; deflateBuffers: number; statsBuffers: number; errors: number };
  /** The host table (HOST_* per 4 KiB frame) and the frames the balloon holds (FRAME_BALLOON, else 0). */
  host: Uint8Array;
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
  | { t: 'ready'; how: 'restored' | 'booted'; ms: number; memTotalKb?: number }
  | GuestUpdate
  | { t: 'trace'; text: string }
  | { t: 'failed'; message: string };
