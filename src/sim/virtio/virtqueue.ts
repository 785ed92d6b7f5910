// The guest's struct virtqueue: Linux's split-ring API (virtqueue_add_outbuf, virtqueue_kick,
// virtqueue_get_buf) over the core's driver side, and virtio_find_vqs, which lays the rings out in
// kernel memory (the window) and tells the transport where they are.
import type { BalloonCore } from '../../core/core.ts';
import { RC_NO_SPACE } from '../../core/core.ts';
import { availRingBytes, descTableBytes, usedRingBytes } from '../../core/ring-layout.ts';
import { asGpa, type Gpa } from '../../core/units.ts';
import type { WindowAllocator } from './dma.ts';
import {
  hasFeature,
  VIRTIO_F_VERSION_1,
  VIRTIO_RING_F_EVENT_IDX,
  VIRTIO_RING_F_INDIRECT_DESC,
} from './features.ts';
import type { VirtioTransport } from './transport.ts';

export type VqCallback = (vq: Virtqueue) => void;

export interface RingLayout {
  size: number;
  desc: Gpa;
  avail: Gpa;
  used: Gpa;
}

export class Virtqueue {
  /** A broken queue (a bad used entry) refuses everything, like Linux after BAD_RING. */
  broken = false;
  constructor(
    readonly index: number,
    readonly name: string,
    readonly callback: VqCallback | null,
    readonly ring: RingLayout,
    private readonly core: BalloonCore,
    private readonly transport: VirtioTransport,
  ) {}

  /** virtqueue_add_outbuf with one buffer; false when the ring is full. */
  addOutbuf(gpa: Gpa, len: number): boolean {
    const head = this.core.addBuf(this.index, gpa, len, false);
    if (head === RC_NO_SPACE) return false;
    if (head < 0) throw new Error(`virtqueue ${this.name}: add failed (${head})`);
    return true;
  }

  /** virtqueue_kick: notify the device unless it asked not to be. Returns whether it notified. */
  kick(): boolean {
    if (!this.core.kickPrepare(this.index)) return false;
    this.transport.notify(this.index);
    return true;
  }

  /** virtqueue_get_buf: the next used buffer's length, or null if there is none yet. */
  getBuf(): { head: number; len: number } | null {
    if (this.broken) return null;
    try {
      return this.core.getBuf(this.index);
    } catch {
      this.broken = true;
      return null;
    }
  }
}

export const DEFAULT_QUEUE_SIZE = 128; // QEMU's virtio-balloon queues

/**
 * virtio_find_vqs: allocates and sets up queues 0..n-1. Rings are laid out as the transport wants
 * them: modern (VERSION_1) devices take separate desc/avail/used areas; legacy devices want the used
 * ring on the next 4096-byte boundary after the avail ring (VIRTIO_PCI_VRING_ALIGN).
 */
export function findVqs(
  core: BalloonCore,
  transport: VirtioTransport,
  mem: WindowAllocator,
  queueSize: number,
  specs: readonly { name: string; callback: VqCallback | null }[],
): Virtqueue[] {
  const features = transport.driverFeatures;
  const legacy = !hasFeature(features, VIRTIO_F_VERSION_1);
  return specs.map((spec, q) => {
    const size = queueSize;
    let ring: RingLayout;
    if (legacy) {
      // vring_init: one block, the used ring on the next page boundary after the available ring.
      const availEnd = descTableBytes(size) + availRingBytes(size);
      const usedOff = (availEnd + 4095) & ~4095;
      const base = mem.alloc(usedOff + usedRingBytes(size), 4096);
      ring = { size, desc: base, avail: asGpa(base + descTableBytes(size)), used: asGpa(base + usedOff) };
    } else {
      ring = {
        size,
        desc: mem.alloc(descTableBytes(size), 16),
        avail: mem.alloc(availRingBytes(size), 2),
        used: mem.alloc(usedRingBytes(size), 4),
      };
    }
    core.setupQueue(q, {
      ...ring,
      eventIdx: hasFeature(features, VIRTIO_RING_F_EVENT_IDX),
      indirect: hasFeature(features, VIRTIO_RING_F_INDIRECT_DESC),
    });
    return new Virtqueue(q, spec.name, spec.callback, ring, core, transport);
  });
}
