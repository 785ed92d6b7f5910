// A compare lesson's stage: its two runs side by side on one clock (the compare view, in place of the
// lab's body, beside the lesson pane). A stop is each run's number of events and the shared time the
// engine paused at; the view is driven from here, and goes to a stop at once.
import type { ReachedStop } from '../../lessons/engine.ts';
import type { Lesson } from '../../lessons/lesson.ts';
import { scenarioOf } from '../../lessons/plan.ts';
import type { Scenario } from '../../sim/scenario.ts';
import type { AppServices } from '../context.tsx';
import { setCompareStage } from './controller.ts';
import { lessonStore } from './state.ts';

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
  setCompareStage({
    standsAt(stop) {
      const want = at(stop);
      return (
        runner.left.eventIndex === want.left &&
        runner.right.eventIndex === want.right &&
        runner.nowUs === stop.us
      );
    },
    goTo(stop) {
      runner.replayTo(at(stop), stop.us);
    },
    goToStart(before) {
      if (before) runner.replayTo(at(before), before.us);
      else runner.seek(0);
    },
    close() {
      runner.setPlaying(false);
      setCompareStage(null);
      lessonStore.getState().setCompare(null);
    },
  });
  lessonStore.getState().setCompare({ runner, labels });
}
