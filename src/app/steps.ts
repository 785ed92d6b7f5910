// Steps a person would name: to the next buffer the device handles, the next driver function, the
// next timeline marker, besides one event. Each kind is a "mark" read from the simulation: a step of
// that kind runs events until the mark changes; the marks come from the read model (view.ts).
import { stepMark as mark, type NamedStep } from '../sim/view.ts';
import type { SimRunner } from './sim-runner.ts';

export type StepKind = 'event' | NamedStep;

/** One step of `kind` forward: runs until the mark changes (or the run ends). */
export function stepForward(runner: SimRunner, kind: StepKind): void {
  const sim = runner.sim;
  if (kind === 'event' || !sim) {
    runner.stepForward();
    return;
  }
  const from = mark(sim, kind);
  runner.stepUntil((s) => mark(s, kind) !== from);
}

/**
 * One step of `kind` back: to the last moment before this one where the mark changed (the start when
 * there is none). The simulation cannot run backwards, so this replays from the start twice: once to
 * find the moment, once to go there.
 */
export function stepBack(runner: SimRunner, kind: StepKind): void {
  if (kind === 'event' || !runner.sim) {
    runner.stepBack();
    return;
  }
  const here = runner.eventIndex;
  if (here === 0) return;
  runner.replayToEvent(0);
  let last = 0;
  for (;;) {
    const sim = runner.sim;
    if (!sim) break;
    const from = mark(sim, kind);
    const before = runner.eventIndex;
    let k = before;
    runner.stepUntil((s) => {
      k++;
      return mark(s, kind) !== from || k >= here;
    });
    if (runner.eventIndex >= here || runner.eventIndex === before) break;
    last = runner.eventIndex;
  }
  runner.replayToEvent(last);
}
