// The simulation events a lesson stop can wait for, and the one adapter that counts them on a running
// Simulation: `watchEvents` listens on the simulation's typed event bus (src/sim/events.ts), where the
// driver, the kernel and the device say what happened; the driver's batches come from its counters,
// and the OOM deflates from the timeline the observer builds from those same events.
import type { Simulation } from '../sim/sim.ts';

/** Each event a stop can wait for, with what it means, for the format's documentation and errors. */
export const LESSON_EVENTS = {
  'inflate-popped': 'the device took a buffer of PFNs off the inflate queue',
  'deflate-popped': 'the device took a buffer of PFNs off the deflate queue',
  'stats-popped': 'the device took the stats buffer off the stats queue',
  'inflate-kick': 'the driver queued an inflate buffer and kicked the device (tell_host)',
  'deflate-kick': 'the driver queued a deflate buffer and kicked the device (tell_host)',
  'inflate-used': 'the device put an inflate buffer on the used ring',
  'deflate-used': 'the device put a deflate buffer on the used ring',
  'actual-written': 'the driver wrote `actual` into the config space',
  'target-change': 'the device took a new target (QMP balloon): num_pages changed',
  'out-of-puff': 'fill_balloon found no free page and logged "Out of puff!"',
  'oom-deflate': 'the OOM notifier started deflating the balloon (DEFLATE_ON_OOM): one timeline marker',
  'oom-kill': 'the OOM killer killed a process',
  migration: 'compaction migrated one balloon page (virtballoon_migratepage)',
  'device-error': 'the device found a malformed buffer and set NEEDS_RESET',
} as const;

export type LessonEvent = keyof typeof LESSON_EVENTS;
export const LESSON_EVENT_NAMES = Object.keys(LESSON_EVENTS) as LessonEvent[];

export interface EventWatch {
  /** How many times `event` has happened since the run began. */
  count(event: LessonEvent): number;
}

/**
 * Starts counting lesson events on `sim` (call it before the first step): listeners on its event bus,
 * which cost the run nothing else (the trace is the same, byte for byte).
 */
export function watchEvents(sim: Simulation): EventWatch {
  const counts = new Map<LessonEvent, number>();
  const bump = (event: LessonEvent) => counts.set(event, (counts.get(event) ?? 0) + 1);
  const bus = sim.events;
  bus.on('buffer-popped', (e) => bump(`${e.queue}-popped`));
  bus.on('used-push', (e) => {
    if (e.queue !== 'stats') bump(`${e.queue}-used`);
  });
  bus.on('actual', () => bump('actual-written'));
  bus.on('target', () => bump('target-change'));
  bus.on('out-of-puff', () => bump('out-of-puff'));
  bus.on('oom-kill', () => bump('oom-kill'));
  bus.on('migration', () => bump('migration'));
  bus.on('device-error', () => bump('device-error'));
  return {
    count(event) {
      switch (event) {
        case 'inflate-kick':
          return sim.counters.inflateBatches;
        case 'deflate-kick':
          return sim.counters.deflateBatches;
        case 'oom-deflate':
          // A burst of notifier calls is one deflate on the timeline (the observer joins them).
          return sim.timeline.filter((e) => e.kind === 'oom-deflate').length;
        default:
          return counts.get(event) ?? 0;
      }
    },
  };
}
