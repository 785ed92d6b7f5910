// The headless lesson engine: runs a lesson's scenario (or both runs of a compare lesson, on one
// clock) to each stop in order, reads the measures there, fills the prose and checks each question's
// stated answer where the lesson gives a check. The app replays the same way: a stop is the moment
// (virtual µs, and for event stops the scheduler event) at which the engine paused.
import type { Scenario } from '../sim/scenario.ts';
import type { Simulation } from '../sim/sim.ts';
import type { TraceReplay } from '../sim/trace-replay.ts';
import { type EventWatch, watchEvents } from './events.ts';
import type { Check, Lesson, ScenarioRef, Side, Stop } from './lesson.ts';
import { type MeasureValues, readMeasures, readTraceMeasures } from './measures.ts';

export interface LessonHost {
  /** A scenario file of public/scenarios/ by name. */
  scenarioFile(file: string): Scenario;
  simulate(scenario: Scenario): Simulation;
  /** A trace file of public/traces/ by name, loaded for replay (a trace lesson). */
  replayTrace?(file: string): TraceReplay;
}

export interface ReachedStop {
  index: number;
  /** Virtual time of the pause, µs (both runs of a compare lesson stand at it). */
  us: number;
  /**
   * Scheduler events run from the start to the pause, per run (Simulation.step() calls): replaying that
   * many steps gives this exact moment again (for a time stop, then move the clock on to `us`; an event
   * stop pauses between two events of the same µs, so do not run on to `us` there).
   */
  steps: { main?: number; left?: number; right?: number };
  /** The measures at the stop: one run's, or `left` and `right` (a trace's: those it carries). */
  measures: { main?: Partial<MeasureValues>; left?: Partial<MeasureValues>; right?: Partial<MeasureValues> };
  prose: string;
  labels: string[];
  /** The question's check, if any: whether the stated answer holds in the simulation. */
  check?: { holds: boolean; said: string };
}

export class LessonError extends Error {}

interface Run {
  sim: Simulation;
  events: EventWatch;
  previousRss: number;
  steps: number;
  values?: MeasureValues;
}

/** Runs `run` one scheduler event at a time up to `us` (or until `stop`), counting the events. */
function advance(run: Run, us: number, stop: () => boolean = () => false): void {
  const { sim } = run;
  while (!stop()) {
    const t = sim.sched.nextTime();
    if (t === undefined || t > us || !sim.step()) break;
    run.steps++;
  }
}

/** `{name}` / `{left.name}` → the measure's value. */
export function fillPlaceholders(text: string, measures: ReachedStop['measures']): string {
  return text.replace(/\{([^{}]*)\}/g, (_, ref: string) => {
    const [a, b] = ref.split('.');
    const values = b === undefined ? measures.main : measures[a as Side];
    const v = values?.[(b ?? a) as keyof MeasureValues];
    if (v === undefined) throw new LessonError(`placeholder {${ref}} has no value here`);
    return typeof v === 'number' ? formatNumber(v) : v;
  });
}

/** 150, 18.3, 40,960, −1 (a true minus sign): as the prose shows a number. */
export function formatNumber(v: number): string {
  const text = Math.abs(v).toLocaleString('en-US', { maximumFractionDigits: 3 });
  return v < 0 ? `\u2212${text}` : text;
}

function start(ref: ScenarioRef, host: LessonHost): Run {
  const scenario = 'file' in ref ? host.scenarioFile(ref.file) : ref.inline;
  const sim = host.simulate(scenario);
  const events = watchEvents(sim);
  return { sim, events, previousRss: sim.device.hostRss(), steps: 0 };
}

function reach(stop: Stop, runs: Partial<Record<'main' | Side, Run>>, index: number): number {
  const w = stop.when;
  const all = Object.values(runs) as Run[];
  if (w.at !== undefined) {
    const us = Math.round(w.at * 1e6);
    for (const r of all) {
      if (us > r.sim.endUs) throw new LessonError(`stops[${index}]: ${w.at} s is past the scenario's end`);
      advance(r, us);
      r.sim.runUntilUs(us);
    }
    return us;
  }
  const run = runs[w.side ?? 'main'];
  if (!run) throw new LessonError(`stops[${index}]: no ${w.side ?? 'single'} run`);
  const reached = () => run.events.count(w.event) >= w.count;
  advance(run, run.sim.endUs, reached);
  if (!reached()) {
    throw new LessonError(
      `stops[${index}]: event ${w.event} #${w.count} never happens (${run.events.count(w.event)} by the end)`,
    );
  }
  const us = run.sim.nowUs;
  for (const r of all) {
    if (r === run) continue;
    advance(r, us);
    r.sim.runUntilUs(us);
  }
  return us;
}

function compare(check: Check, got: number, want: number): boolean {
  switch (check.op) {
    case 'eq':
      return got === want;
    case 'ne':
      return got !== want;
    case 'lt':
      return got < want;
    case 'le':
      return got <= want;
    case 'gt':
      return got > want;
    case 'ge':
      return got >= want;
  }
}

/**
 * A stop reached: its prose and labels filled from the measures there, and the questions' checks
 * settled, a check "at next" once the next stop is reached.
 */
class Arrivals {
  private pending: { check: Check; stop: ReachedStop; thisValues: ReachedStop['measures'] }[] = [];

  arrive(
    stop: Stop,
    index: number,
    us: number,
    steps: ReachedStop['steps'],
    measures: ReachedStop['measures'],
  ): ReachedStop {
    const reached: ReachedStop = {
      index,
      us,
      steps,
      measures,
      prose: fillPlaceholders(stop.prose, measures),
      labels: stop.highlights.flatMap((h) => (h.label ? [fillPlaceholders(h.label, measures)] : [])),
    };
    // Checks waiting for this stop ("next"), then this stop's own ("this") or a new wait.
    for (const p of this.pending.splice(0)) p.stop.check = evaluate(p.check, measures, p.thisValues);
    const check = stop.question?.check;
    if (check?.at === 'this') reached.check = evaluate(check, measures, measures);
    else if (check) this.pending.push({ check, stop: reached, thisValues: measures });
    return reached;
  }
}

/** A trace lesson: the replay run to each stop's time, the measures it carries read there. */
function runTraceLesson(lesson: Lesson, file: string, host: LessonHost): ReachedStop[] {
  if (!host.replayTrace) throw new LessonError(`trace ${file}: this host cannot replay traces`);
  const replay = host.replayTrace(file);
  let steps = 0;
  const checks = new Arrivals();
  return lesson.stops.map((stop, index) => {
    const at = stop.when.at;
    if (at === undefined) throw new LessonError(`stops[${index}]: a trace lesson's stop needs a time`);
    const us = Math.round(at * 1e6);
    if (us > replay.endUs) throw new LessonError(`stops[${index}]: ${at} s is past the trace's end`);
    for (let t = replay.nextTime(); t !== undefined && t <= us && replay.step(); t = replay.nextTime())
      steps++;
    replay.runUntilUs(us);
    return checks.arrive(stop, index, us, { main: steps }, { main: readTraceMeasures(replay) });
  });
}

/** Runs the whole lesson; throws LessonError naming the stop when a stop cannot be reached. */
export function runLesson(lesson: Lesson, host: LessonHost): ReachedStop[] {
  if (lesson.trace) return runTraceLesson(lesson, lesson.trace, host);
  const runs: Partial<Record<'main' | Side, Run>> = {};
  if (lesson.scenario) runs.main = start(lesson.scenario, host);
  if (lesson.compare) {
    runs.left = start(lesson.compare.left, host);
    runs.right = start(lesson.compare.right, host);
  }
  const out: ReachedStop[] = [];
  const checks = new Arrivals();
  lesson.stops.forEach((stop, index) => {
    const us = reach(stop, runs, index);
    const measures: ReachedStop['measures'] = {};
    const steps: ReachedStop['steps'] = {};
    for (const [key, run] of Object.entries(runs) as ['main' | Side, Run][]) {
      steps[key] = run.steps;
      run.values = readMeasures(run.sim, run.events, run.previousRss);
      run.previousRss = run.sim.device.hostRss();
      measures[key] = run.values;
    }
    out.push(checks.arrive(stop, index, us, steps, measures));
  });
  return out;
}

function evaluate(
  check: Check,
  at: ReachedStop['measures'],
  thisStop: ReachedStop['measures'],
): { holds: boolean; said: string } {
  const side = check.side ?? 'main';
  const got = at[side]?.[check.measure];
  const want = typeof check.value === 'number' ? check.value : thisStop[side]?.[check.value.measure];
  if (typeof got !== 'number' || typeof want !== 'number') {
    return { holds: false, said: `${check.measure} is not a number here` };
  }
  return { holds: compare(check, got, want), said: `${check.measure} = ${got}, ${check.op} ${want}` };
}
