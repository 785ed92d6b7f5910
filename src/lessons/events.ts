// The simulation events a lesson stop can wait for, and the one adapter that counts them on a running
// Simulation. The simulation has no typed event stream yet, so `watchEvents` reads what exists: the
// trace recorder's calls (pop, set_config, to_target, flush), the simulation's counters, its timeline
// and its error list. When typed events arrive (src/sim/events.ts), only `watchEvents` changes.
import type { Simulation } from '../sim/sim.ts';
import { VQ_DEFLATE, VQ_INFLATE, VQ_STATS } from '../sim/trace-format.ts';

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
  'oom-deflate': 'the OOM notifier deflated the balloon (DEFLATE_ON_OOM)',
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
 * Starts counting lesson events on `sim` (call it before the first step). It wraps four recorder
 * methods of this one simulation's trace recorder (which a NullTraceRecorder also calls) and reads
 * the rest from the simulation's counters, timeline and errors.
 */
export function watchEvents(sim: Simulation): EventWatch {
  const pops = new Map<number, number>();
  const used = new Map<number, number>();
  let actualWritten = 0;
  let targets = 0;
  const rec = sim.trace;
  const pop = rec.pop.bind(rec);
  rec.pop = (us, vq, elem, inNum, outNum) => {
    pops.set(vq, (pops.get(vq) ?? 0) + 1);
    pop(us, vq, elem, inNum, outNum);
  };
  const flush = rec.flush.bind(rec);
  rec.flush = (us, vq, count) => {
    used.set(vq, (used.get(vq) ?? 0) + count);
    flush(us, vq, count);
  };
  const setConfig = rec.setConfig.bind(rec);
  rec.setConfig = (us, actual, old) => {
    actualWritten++;
    setConfig(us, actual, old);
  };
  const toTarget = rec.toTarget.bind(rec);
  rec.toTarget = (us, bytes, numPages) => {
    targets++;
    toTarget(us, bytes, numPages);
  };
  const timelineCount = (kind: string) => sim.timeline.filter((e) => e.kind === kind).length;
  return {
    count(event) {
      switch (event) {
        case 'inflate-popped':
          return pops.get(VQ_INFLATE) ?? 0;
        case 'deflate-popped':
          return pops.get(VQ_DEFLATE) ?? 0;
        case 'stats-popped':
          return pops.get(VQ_STATS) ?? 0;
        case 'inflate-kick':
          return sim.counters.inflateBatches;
        case 'deflate-kick':
          return sim.counters.deflateBatches;
        case 'inflate-used':
          return used.get(VQ_INFLATE) ?? 0;
        case 'deflate-used':
          return used.get(VQ_DEFLATE) ?? 0;
        case 'actual-written':
          return actualWritten;
        case 'target-change':
          return targets;
        case 'out-of-puff':
          return sim.counters.outOfPuff;
        case 'oom-deflate':
          return timelineCount('oom-deflate');
        case 'oom-kill':
          return sim.kernel.vm.oomKill;
        case 'migration':
          return sim.kernel.vm.balloonMigrate;
        case 'device-error':
          return sim.errors.length;
      }
    },
  };
}
