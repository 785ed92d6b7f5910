// Lesson mode's actions: open a lesson (fetch it, check it, work out its stops on cores of its own),
// go to a stop (replay to its moment, or play there at the lesson's pace), mark what the stop points
// at, leave into the free lab at that moment. The pane, the first screen, the keys and the hook all
// come through here.

import { BalloonCore } from '../../core/core.ts';
import { loadCoreModule } from '../../core/wasm-browser.ts';
import { LessonError, type ReachedStop } from '../../lessons/engine.ts';
import { focusFor } from '../../lessons/focus.ts';
import { type Lesson, type LessonIndexEntry, parseLesson, parseLessonIndex } from '../../lessons/lesson.ts';
import { parseScenario, type Scenario } from '../../sim/scenario.ts';
import { SPEEDS } from '../commands.ts';
import type { AppServices } from '../context.tsx';
import { fetchJson, openScenario } from '../open.ts';
import type { Speed } from '../store.ts';
import { recordAt } from './progress.ts';
import { lessonHash } from './route.ts';
import { type LessonStore, lessonStore, NO_MARKS } from './state.ts';

/** Wall-clock seconds a Next takes to play to its stop, at the lesson's pace. */
const PACE_S = 2.5;

/** The lesson list (public/lessons/index.json), fetched once. */
let indexLoad: Promise<LessonIndexEntry[]> | null = null;
export function loadLessonIndex(store: LessonStore = lessonStore): Promise<LessonIndexEntry[]> {
  indexLoad ??= fetchJson('./lessons/index.json').then((json) => {
    const r = parseLessonIndex(json);
    if (!r.ok) throw new Error(`lessons/index.json: ${r.errors[0]}`);
    store.getState().setIndex(r.lessons);
    return r.lessons;
  });
  indexLoad.catch(() => {
    indexLoad = null;
  });
  return indexLoad;
}

/** The cores lessons are worked out on (two for a compare lesson); never the core on screen. */
const cores: BalloonCore[] = [];
async function lessonCores(n: number): Promise<BalloonCore[]> {
  const module = await loadCoreModule();
  while (cores.length < n) cores.push(BalloonCore.fromWasm(module));
  return cores.slice(0, n);
}

/** A lesson file from public/lessons/, checked: the lesson, or the problems (as `<path>: <reason>`). */
export async function fetchLesson(entry: LessonIndexEntry): Promise<Lesson> {
  const r = parseLesson(await fetchJson(`./lessons/${entry.file}`));
  if (!r.ok) {
    const more = r.errors.length > 3 ? ` (and ${r.errors.length - 3} more)` : '';
    throw new LessonError(`lesson ${entry.file} is not valid: ${r.errors.slice(0, 3).join('; ')}${more}`);
  }
  return r.lesson;
}

async function fetchScenarios(files: string[]): Promise<Map<string, Scenario>> {
  const out = new Map<string, Scenario>();
  for (const file of files) {
    const r = parseScenario(await fetchJson(`./scenarios/${file}`));
    if (!r.ok) throw new LessonError(`scenario ${file}: ${r.errors[0]}`);
    out.set(file, r.scenario);
  }
  return out;
}

/** A bundled trace of public/traces/, as text (a trace lesson replays it). */
async function fetchTrace(file: string): Promise<string> {
  const res = await fetch(`./traces/${file}`);
  if (!res.ok) throw new LessonError(`trace ${file}: could not be fetched (HTTP ${res.status})`);
  return res.text();
}

/**
 * Opens lesson `id` at stop `stop` (from 0; past the last, the last). Returns why it could not (the
 * lab is then left as it was), or null.
 */
export async function openLesson(svc: AppServices, id: string, stop = 0): Promise<string | null> {
  const ls = lessonStore.getState();
  ls.setOpening(id);
  try {
    const index = await loadLessonIndex();
    const entry = index.find((e) => e.id === id);
    if (!entry) return `lesson "${id}" is not one of the ${index.length} lessons`;
    const lesson = await fetchLesson(entry);
    const { planLesson, scenarioFilesOf, scenarioOf } = await import('../../lessons/plan.ts');
    const files = await fetchScenarios(scenarioFilesOf(lesson));
    const runs = lesson.compare ? 2 : 1;
    const traceText = lesson.trace ? await fetchTrace(lesson.trace) : undefined;
    const stops = planLesson(lesson, files, await lessonCores(runs), traceText);
    compareStage()?.close();
    if (lesson.compare) {
      const { openCompareLesson } = await import('./compare-stage.ts');
      await openCompareLesson(svc, lesson, files);
    } else if (lesson.trace && traceText !== undefined) {
      svc.store.getState().setPlaying(false);
      const error = await svc.runner.loadTrace(traceText);
      if (error) throw new LessonError(`trace ${lesson.trace}: ${error}`);
      svc.store.getState().setCurrent(null, `trace: ${lesson.trace}`);
    } else if (lesson.scenario) {
      const ref = lesson.scenario;
      await openScenario(svc, {
        kind: 'scenario',
        scenario: scenarioOf(ref, files),
        file: 'file' in ref ? ref.file : null,
      });
    }
    lessonStore.getState().setOpen({ entry, lesson, stops, stop: 0 });
    lessonStore.getState().setMode('lesson');
    goToStop(svc, Math.min(Math.max(0, stop), stops.length - 1), { animate: false });
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    lessonStore.getState().setOpening(null);
  }
}

/** The speed that plays `us` of virtual time in about PACE_S seconds (slower for short stretches). */
export function paceFor(us: number): Speed {
  const want = us / 1e6 / PACE_S;
  for (const s of SPEEDS) if (s.value !== 'max' && s.value >= want) return s.value;
  return 'max';
}

function reducedMotion(): boolean {
  return globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

/** Whether the run on screen stands at a stop's moment. */
export function standsAt(svc: AppServices, stop: ReachedStop): boolean {
  const { runner } = svc;
  const compare = compareStage();
  if (compare) return compare.standsAt(stop);
  return runner.eventIndex === stop.steps.main && runner.nowUs === stop.us;
}

/**
 * Goes to stop `i`. With `animate` (Next, Replay) and the stop ahead, the run plays there at the
 * lesson's pace and pauses at it; otherwise (Back, a link, reduced motion) it is there at once.
 */
export function goToStop(svc: AppServices, i: number, { animate }: { animate: boolean }): void {
  const open = lessonStore.getState().open;
  if (!open) return;
  const stop = open.stops[i];
  if (!stop) return;
  const { runner, store } = svc;
  store.getState().setPlaying(false);
  runner.pauseAt = null;
  lessonStore.getState().setStop(i);
  lessonStore.getState().setMarks(NO_MARKS);
  store.getState().clearHighlight();
  const compare = compareStage();
  if (compare) compare.goTo(stop, animate && !reducedMotion());
  else {
    const ahead = runner.eventIndex <= (stop.steps.main ?? 0) && runner.nowUs <= stop.us;
    if (animate && ahead && !reducedMotion()) {
      runner.pauseAt = { event: stop.steps.main ?? 0, us: stop.us };
      store.getState().setSpeed(paceFor(stop.us - runner.nowUs));
      store.getState().setPlaying(true);
    } else runner.replayToEvent(stop.steps.main ?? 0, stop.us);
  }
  store.getState().setFocus(focusFor(open.lesson.stops[i]));
  const last = i === open.stops.length - 1;
  recordAt({ lesson: open.entry.id, stop: i }, last ? open.entry.id : undefined);
  if (location.hash !== lessonHash(open.entry.id, i))
    history.replaceState(null, '', lessonHash(open.entry.id, i));
}

/** Replays stop `i`: from the stop before it (or the start), playing to it again. */
export function replayStop(svc: AppServices, i: number): void {
  const open = lessonStore.getState().open;
  if (!open) return;
  const before = open.stops[i - 1];
  const compare = compareStage();
  if (compare) compare.goToStart(before);
  else if (before) svc.runner.replayToEvent(before.steps.main ?? 0, before.us);
  else svc.runner.replayToEvent(0, 0);
  goToStop(svc, i, { animate: true });
}

/** Leaves the lesson into the free lab, at this very moment of its run. */
export function leaveToLab(svc: AppServices): void {
  const { store, runner } = svc;
  store.getState().setPlaying(false);
  runner.pauseAt = null;
  store.getState().setFocus(null);
  store.getState().clearHighlight();
  compareStage()?.close();
  const ls = lessonStore.getState();
  ls.setOpen(null);
  ls.setMode('lab');
  recordAt('lab');
  history.replaceState(null, '', `${location.pathname}${location.search}#lab`);
}

/** Back to the first screen (the lesson list). */
export function showWelcome(svc: AppServices): void {
  svc.store.getState().setPlaying(false);
  svc.runner.pauseAt = null;
  svc.store.getState().setFocus(null);
  svc.store.getState().clearHighlight();
  compareStage()?.close();
  const ls = lessonStore.getState();
  ls.setOpen(null);
  ls.setMode('welcome');
  history.replaceState(null, '', `${location.pathname}${location.search}`);
}

// ── A compare lesson's two runs (compare-stage.ts registers itself when one opens) ──────────────

export interface CompareStage {
  standsAt(stop: ReachedStop): boolean;
  goTo(stop: ReachedStop, animate: boolean): void;
  goToStart(before: ReachedStop | undefined): void;
  close(): void;
}

let stage: CompareStage | null = null;
export function compareStage(): CompareStage | null {
  return stage;
}
export function setCompareStage(s: CompareStage | null): void {
  stage = s;
}
