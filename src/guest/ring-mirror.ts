// The page's copy of the real guest's rings: the pages the worker sent (GuestUpdate.pages) and each
// queue's record, read through the same interface as a BalloonCore, so the virtqueue inspector reads a
// real driver's rings with the code that reads the simulated one's.
import type { QueueState } from '../core/core.ts';
import type { Gpa } from '../core/units.ts';
import type { GuestUpdate } from './protocol.ts';

const PAGE = 4096;

export class RingMirror {
  private readonly pages = new Map<number, DataView>();
  private readonly states = new Map<number, QueueState>();

  constructor(readonly ramFrames: number) {}

  /** Takes in what an update carries; pages not sent again keep their last copy. */
  update(u: Pick<GuestUpdate, 'pages' | 'queues'>): void {
    for (const [p, bytes] of u.pages) this.pages.set(p, new DataView(bytes.buffer, bytes.byteOffset, PAGE));
    this.states.clear();
    for (const q of u.queues) this.states.set(q.index, q.state);
  }

  queueState(q: number): QueueState | null {
    return this.states.get(q) ?? null;
  }

  /** Every byte of [gpa, gpa + len) is in a page the worker sent. */
  inWindow(gpa: number, len: number): boolean {
    if (!(Number.isInteger(gpa) && Number.isInteger(len) && gpa >= 0 && len >= 0)) return false;
    if (gpa + len > this.ramFrames * PAGE) return false;
    for (let p = Math.floor(gpa / PAGE); p * PAGE < gpa + Math.max(len, 1); p++)
      if (!this.pages.has(p)) return false;
    return true;
  }

  private byte(gpa: number): number {
    return this.pages.get(Math.floor(gpa / PAGE))?.getUint8(gpa % PAGE) ?? 0;
  }

  readU16(gpa: Gpa): number {
    return this.byte(gpa) | (this.byte(gpa + 1) << 8);
  }

  readU32(gpa: Gpa): number {
    return (this.readU16(gpa) | (this.readU16((gpa + 2) as Gpa) << 16)) >>> 0;
  }

  readU64(gpa: Gpa): bigint {
    return BigInt(this.readU32(gpa)) | (BigInt(this.readU32((gpa + 4) as Gpa)) << 32n);
  }
}
