// window.balloonLab (design.md, "Browser hook"): for Playwright tests and for curious users in the
// devtools console. load(scenario) → runUntil(seconds) → summary() / trace().
import { parseScenario } from '../sim/scenario.ts';
import type { SimSummary } from '../sim/view.ts';
import type { CompareSummary } from './compare/compare-runner.ts';
import { currentCompare } from './compare/compare-store.ts';
import { lessonInfo, lessonStore } from './lesson/state.ts';
import type { SimRunner } from './sim-runner.ts';

export interface BalloonLabHook {
  load(scenario: unknown): { ok: true } | { ok: false; errors: string[] };
  runUntil(seconds: number): number;
  summary(): SimSummary | null;
  trace(): string;
  /** The scenario as it stands (with the operator's actions), for saving. */
  scenario(): unknown;
  /** The lessons, in taking order, with how many stops each has. */
  lessons(): Promise<{ id: string; title: string; stops: number }[]>;
  /** The open lesson and its stop (counted from 1), or null in the lab and on the first screen. */
  lesson(): {
    id: string;
    title: string;
    stop: number;
    stops: number;
    stopTitle: string;
    arrived: boolean;
  } | null;
  /**
   * The open comparison (src/app/compare/): the shared clock and both runs' summaries; null when
   * none is open (a compare lesson's runs when one is open). Added after the design doc's hook: load/runUntil/summary/trace act on the lab only.
   */
  compare(): CompareSummary | null;
}

export function installHook(runner: SimRunner, onLoad: (title: string) => void): BalloonLabHook {
  const hook: BalloonLabHook = {
    load(input) {
      const r = parseScenario(input);
      if (!r.ok) return { ok: false, errors: r.errors };
      runner.load(r.scenario);
      onLoad(r.scenario.name);
      return { ok: true };
    },
    runUntil(s) {
      if (typeof s !== 'number') {
        throw new TypeError(`runUntil(seconds): seconds must be a number, not ${typeName(s)}`);
      }
      if (!Number.isFinite(s) || s < 0) {
        throw new RangeError(`runUntil(seconds): ${s} is not a time in seconds (0 or more)`);
      }
      // Past the scenario's end there is nothing to run: stop there.
      runner.seek(Math.min(Math.round(s * 1e6), runner.endUs));
      return runner.nowUs / 1e6;
    },
    summary: () => runner.summary(),
    trace: () => runner.traceText(),
    scenario: () => runner.scenario,
    async lessons() {
      const { fetchLesson, loadLessonIndex } = await import('./lesson/controller.ts');
      const index = await loadLessonIndex();
      return Promise.all(
        index.map(async (e) => ({ id: e.id, title: e.title, stops: (await fetchLesson(e)).stops.length })),
      );
    },
    lesson: () => lessonInfo(),
    // The comparison the lab opened, or a compare lesson's two runs.
    compare: () => (currentCompare() ?? lessonStore.getState().compare?.runner)?.compareSummary() ?? null,
  };
  (window as unknown as { balloonLab: BalloonLabHook }).balloonLab = hook;
  return hook;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.slice(0, 40))}`;
  return typeof v;
}
