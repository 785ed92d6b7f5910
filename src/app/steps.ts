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
 * there is none). The simulation cannot run backwards, so this looks back a stretch at a time: from
 * the runner's last checkpoint before the stretch's end, it runs to the end noting where the mark
 * changed; the last such moment is the answer, and if there is none it tries the stretch before.
 */
export function stepBack(runner: SimRunner, kind: StepKind): void {
  if (kind === 'event' || !runner.sim) {
    runner.stepBack();
    return;
  }
  let end = runner.eventIndex;
  if (end === 0) return;
  // The last checkpoint at or before `limit`; after a stretch with no change, one strictly before it.
  let limit = end - 1;
  for (;;) {
    const start = runner.checkpointBefore(limit);
    runner.replayToEvent(start);
    const sim = runner.sim;
    if (!sim) return;
    let m = mark(sim, kind);
    let k = start;
    let last = -1;
    if (k < end - 1) {
      runner.stepUntil((s) => {
        k++;
        const now = mark(s, kind);
        if (now !== m) {
          last = k;
          m = now;
        }
        return k >= end - 1;
      });
    }
    if (last >= 0 || start === 0) {
      runner.replayToEvent(Math.max(last, 0));
      return;
    }
    end = start + 1;
    limit = start - 1;
  }
}
