// What the app's runner plays: a simulation, or a real QEMU trace replayed on the map. Both go
// forward one event at a time on virtual time, mark moments worth a marker, and start over from
// the beginning; the runner needs nothing else, so it treats the two alike.

import type { TimelineKind } from './observer.ts';

/** A moment on the timeline: a simulation's, or a trace's (a target, a run of inflate or deflate buffers). */
export interface Marker {
  us: number;
  kind: TimelineKind | 'inflate' | 'deflate' | 'stats';
  label: string;
}

export interface Playable {
  /** Which one it is, for the read model's selectors (view.ts). */
  readonly kind: 'simulation' | 'trace';
  /** Virtual time now, and where the run ends (µs). */
  readonly nowUs: number;
  readonly endUs: number;
  /** When the next event runs; undefined when none is left before the end. */
  nextTime(): number | undefined;
  /** Runs the next event; false when none is left. */
  step(): boolean;
  /** Runs every event up to virtual time `us` (not past the end), and moves the clock there. */
  runUntilUs(us: number): void;
  /** The moments so far (a simulation) or in the whole trace, in time order. */
  markers(): readonly Marker[];
  /** The same run, new, at its start. */
  restart(): Playable;
}

/** No event left before the end. */
export function atEnd(p: Playable): boolean {
  return p.nextTime() === undefined;
}
