import type { Gpa } from '../../core/units.ts';

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
