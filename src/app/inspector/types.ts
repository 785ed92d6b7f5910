import type { BalloonCore } from '../../core/core.ts';
import type { Gpa } from '../../core/units.ts';

/**
 * What the inspector reads: guest memory where the rings are, and each queue's record. A BalloonCore
 * is one; the real guest's page has a copy of the rings it is sent (src/guest/ring-mirror.ts).
 */
export type RingMemory = Pick<
  BalloonCore,
  'inWindow' | 'queueState' | 'ramFrames' | 'readU16' | 'readU32' | 'readU64'
>;

/** A virtqueue as the inspector is told about it: the driver's index and name, and where its rings are. */
export interface InspectorQueue {
  index: number;
  name: string;
  ring: { size: number; desc: Gpa; avail: Gpa; used: Gpa };
}

export type InspectorMode = 'step' | 'summary';

/** A selected descriptor: the queue's index and the descriptor's. */
export interface InspectorSelection {
  queue: number;
  desc: number;
}
