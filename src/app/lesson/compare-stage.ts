// A compare lesson's stage: its two runs side by side on one clock (the compare view, in place of the
// lab's body, beside the lesson pane). A stop is each run's number of events and the shared time the
// engine paused at; the view is driven from here. Next plays both runs to the stop at the lesson's
// pace and lands exactly on it; Back, links and reduced motion go there at once.
import type { ReachedStop } from '../../lessons/engine.ts';
import type { Lesson } from '../../lessons/lesson.ts';
import { scenarioOf } from '../../lessons/plan.ts';
import type { Scenario } from '../../sim/scenario.ts';
import type { AppServices } from '../context.tsx';
import { paceFor, setCompareStage } from './controller.ts';
import { lessonStore } from './state.ts';

/** Both runs' share of an animation frame, ms (as the compare view's own playback). */
const FRAME_BUDGET_MS = 8;
/** How often the maps and numbers follow the runs while they play to a stop, ms. */
const PANELS_EVERY_MS = 100;

export async function openCompareLesson(
  svc: AppServices,
  lesson: Lesson,
  files: Map<string, Scenario>,
): Promise<void> {
  const c = lesson.compare;
  if (!c) return;
  const { createCompareRunner } = await import('../compare/compare-state.ts');
  const labels = { left: c.leftLabel, right: c.rightLabel };
  svc.store.getState().setPlaying(false);
  const runner = await createCompareRunner(scenarioOf(c.left, files), scenarioOf(c.right, files), labels);
  const at = (stop: ReachedStop) => ({ left: stop.steps.left ?? 0, right: stop.steps.right ?? 0 });
  let frame = 0;
  const halt = () => {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
  };
  /** Plays both runs towards `stop` at the lesson's pace, then stands exactly at it. */
  const playTo = (stop: ReachedStop) => {
    const want = at(stop);
    // The clock stops short of the stop's microsecond: the stop may stand between two of its events,
    // which replayTo reaches exactly.
    const short = stop.us - 1;
    const speed = paceFor(stop.us - runner.nowUs);
    let last = performance.now();
    let shown = last;
    let carryUs = 0;
    const tick = (t: number) => {
      const dt = Math.min(100, t - last);
      last = t;
      let to = short;
      if (speed !== 'max') {
        const wantUs = dt * 1000 * speed + carryUs;
        carryUs = wantUs - Math.floor(wantUs);
        to = Math.min(short, runner.nowUs + Math.floor(wantUs));
      }
      runner.runFor(to, FRAME_BUDGET_MS, { quiet: true });
      if (runner.nowUs >= short) {
        frame = 0;
        runner.replayTo(want, stop.us);
        return;
      }
      if (t - shown >= PANELS_EVERY_MS) {
        runner.flush();
        shown = t;
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
  };
  setCompareStage({
    standsAt(stop) {
      const want = at(stop);
      return (
        runner.left.eventIndex === want.left &&
        runner.right.eventIndex === want.right &&
        runner.nowUs === stop.us
      );
    },
    goTo(stop, animate) {
      halt();
      const want = at(stop);
      const ahead =
        runner.nowUs < stop.us &&
        runner.left.eventIndex <= want.left &&
        runner.right.eventIndex <= want.right;
      if (animate && ahead) playTo(stop);
      else runner.replayTo(want, stop.us);
    },
    goToStart(before) {
      halt();
      if (before) runner.replayTo(at(before), before.us);
      else runner.seek(0);
    },
    close() {
      halt();
      runner.setPlaying(false);
      setCompareStage(null);
      lessonStore.getState().setCompare(null);
    },
  });
  lessonStore.getState().setCompare({ runner, labels });
}
