// The numbers a comparison shows for each run, row by row: lesson measures (src/lessons/measures.ts),
// so a compare lesson's prose and the table quote the same values.
import type { EventWatch, LessonEvent } from '../../lessons/events.ts';
import { MEASURES, type MeasureName } from '../../lessons/measures.ts';
import type { SimRunner } from '../sim-runner.ts';

export interface KeyNumber {
  measure: MeasureName;
  label: string;
  /** The unit after the number in the row's label, if any. */
  unit?: string;
}

export const KEY_NUMBERS: readonly KeyNumber[] = [
  { measure: 'hostRssMiB', label: 'Host RSS', unit: 'MiB' },
  { measure: 'numPages', label: 'num_pages', unit: '4 KiB pages' },
  { measure: 'actual', label: 'actual', unit: '4 KiB pages' },
  { measure: 'memTotalMiB', label: 'MemTotal', unit: 'MiB' },
  { measure: 'memFreeMiB', label: 'MemFree', unit: 'MiB' },
  { measure: 'oomKills', label: 'OOM kills' },
  { measure: 'oomDeflates', label: 'OOM deflates' },
  { measure: 'outOfPuff', label: 'Out of puff' },
  { measure: 'hostPageKiB', label: 'Host page size', unit: 'KiB' },
];

type Sim = NonNullable<SimRunner['sim']>;

/**
 * The lesson events the simulation's own state counts (counters, timeline, errors), so they stay
 * right after a checkpoint restore; the rest are counted from trace recorder calls as a run goes
 * (src/lessons/events.ts) and no key number needs them.
 */
function stateEvents(sim: Sim): EventWatch {
  return {
    count(event: LessonEvent): number {
      switch (event) {
        case 'oom-deflate':
          return sim.timeline.filter((e) => e.kind === 'oom-deflate').length;
        case 'oom-kill':
          return sim.kernel.vm.oomKill;
        case 'out-of-puff':
          return sim.counters.outOfPuff;
        default:
          throw new Error(`the comparison does not count ${event} events`);
      }
    },
  };
}

export type KeyValues = Partial<Record<MeasureName, number>>;

/** The key numbers of one run now (empty when it plays no simulation). */
export function readKeyNumbers(runner: SimRunner): KeyValues {
  const sim = runner.sim;
  if (!sim) return {};
  const context = { sim, events: stateEvents(sim), previousRss: sim.device.hostRss() };
  const out: KeyValues = {};
  for (const k of KEY_NUMBERS) {
    const v = MEASURES[k.measure].read(context);
    if (typeof v === 'number') out[k.measure] = v;
  }
  return out;
}

/** right − left, rounded as the measures are (no 0.30000000000000004); undefined when one is missing. */
export function difference(left: number | undefined, right: number | undefined): number | undefined {
  if (left === undefined || right === undefined) return undefined;
  return Math.round((right - left) * 1000) / 1000;
}
