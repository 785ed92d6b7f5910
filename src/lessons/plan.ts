// A lesson's stops, worked out before the student sees the first: the engine runs the lesson's
// scenario (both runs of a compare lesson) on cores of its own, so the run on screen is never
// touched, and hands back each stop's moment (events run and virtual time), measures and prose. The
// app then goes to a stop by replaying its run to that moment (a checkpoint and a short run).
import type { BalloonCore } from '../core/core.ts';
import type { Scenario } from '../sim/scenario.ts';
import { Simulation } from '../sim/sim.ts';
import { TraceReplay } from '../sim/trace-replay.ts';
import { LessonError, type ReachedStop, runLesson } from './engine.ts';
import type { Lesson, ScenarioRef } from './lesson.ts';

/** The scenario files a lesson names (to fetch before planning it). */
export function scenarioFilesOf(lesson: Lesson): string[] {
  const refs: ScenarioRef[] = lesson.scenario
    ? [lesson.scenario]
    : lesson.compare
      ? [lesson.compare.left, lesson.compare.right]
      : [];
  return refs.flatMap((r) => ('file' in r ? [r.file] : []));
}

/** The scenario a reference names (a fetched file, or the one written inline). */
export function scenarioOf(ref: ScenarioRef, files: ReadonlyMap<string, Scenario>): Scenario {
  if ('inline' in ref) return ref.inline;
  const s = files.get(ref.file);
  if (!s) throw new Error(`scenario ${ref.file} was not loaded`);
  return s;
}

/**
 * Runs `lesson` headless to every stop. `cores` gives one core per run (two for a compare lesson),
 * none of them the core of the run on screen; the trace is not recorded (the stops need none).
 */
export function planLesson(
  lesson: Lesson,
  files: ReadonlyMap<string, Scenario>,
  cores: readonly BalloonCore[],
  traceText?: string,
): ReachedStop[] {
  let next = 0;
  return runLesson(lesson, {
    scenarioFile: (file) => scenarioOf({ file }, files),
    simulate: (scenario) => {
      const core = cores[next++];
      if (!core) throw new Error('planLesson: one core per run is needed');
      return new Simulation(scenario, core, { trace: false });
    },
    replayTrace: (file) => {
      const core = cores[next++];
      if (!core || traceText === undefined) throw new Error(`planLesson: trace ${file} was not loaded`);
      const r = TraceReplay.load(core, traceText);
      if (typeof r === 'string') throw new LessonError(`trace ${file}: ${r}`);
      return r;
    },
  });
}
