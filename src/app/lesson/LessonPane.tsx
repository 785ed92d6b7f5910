// The lesson pane: the lesson and its stops, the stop's few sentences with the simulation's own
// numbers, a prediction to make before the answer shows, and the way on (Back, Next, replay the stop,
// explore the lab from here). It sits at the top of the lab's left column; what the stop points at is
// drawn on the panels themselves (highlights.ts).
import './lesson.css';
import { Fragment, type ReactNode, useCallback, useEffect, useId, useRef, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import { formatNumber, type ReachedStop } from '../../lessons/engine.ts';
import type { Question } from '../../lessons/lesson.ts';
import { useRunnerVersion, useServices } from '../context.tsx';
import { goToStop, leaveToLab, openLesson, replayStop, showWelcome, standsAt } from './controller.ts';
import {
  applyHighlights,
  clearCallouts,
  forgetRevealedMarks,
  placeCallouts,
  revealMarks,
} from './highlights.ts';
import { answerKey, lessonStore } from './state.ts';

/** The stop's prose, each number the simulation's, marked with the measure it is (for tests and readers). */
export function proseParts(template: string, stop: ReachedStop): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    out.push(template.slice(last, m.index));
    const [a, b] = m[1].split('.');
    const side = b === undefined ? 'main' : (a as 'left' | 'right');
    const name = b ?? a;
    const v = stop.measures[side]?.[name as keyof NonNullable<ReachedStop['measures']['main']>];
    out.push(
      <strong
        key={m.index}
        className="lesson-num"
        data-measure={name}
        data-side={b === undefined ? undefined : side}
        data-value={v === undefined ? undefined : String(v)}
      >
        {typeof v === 'number' ? formatNumber(v) : (v ?? '?')}
      </strong>,
    );
    last = (m.index ?? 0) + m[0].length;
  }
  out.push(template.slice(last));
  return out;
}

/** Re-renders with a compare lesson's runner (playing to a stop, landing on it). */
function useCompareVersion(): number {
  const runner = useStore(lessonStore, (s) => s.compare?.runner ?? null);
  const subscribe = useCallback((cb: () => void) => runner?.subscribe(cb) ?? (() => {}), [runner]);
  return useSyncExternalStore(subscribe, () => runner?.version ?? 0);
}

export function LessonPane() {
  useRunnerVersion();
  useCompareVersion();
  const svc = useServices();
  const open = useStore(lessonStore, (s) => s.open);
  const index = useStore(lessonStore, (s) => s.index);
  const answers = useStore(lessonStore, (s) => s.answers);
  const headingId = useId();
  const arrivedAt = useRef<number | null>(null);
  const stop = open ? open.stops[open.stop] : null;
  const arrived = stop !== null && standsAt(svc, stop);
  const stopIndex = open?.stop ?? -1;

  // Once the run stands at the stop, draw what it points at (again after a replay).
  useEffect(() => {
    lessonStore.getState().setArrived(arrived);
    if (!arrived) {
      arrivedAt.current = null;
      return;
    }
    if (arrivedAt.current === stopIndex) return;
    arrivedAt.current = stopIndex;
    applyHighlights(svc, stopIndex);
  }, [arrived, stopIndex, svc]);
  useEffect(() => () => clearCallouts(), []);
  // A panel that draws anew (a tab opened, the compare view's table moved under the pane) loses its
  // callout: put the stop's callouts back whenever the page's elements change while at the stop.
  useEffect(() => {
    if (!arrived || !open) return;
    const highlights = open.lesson.stops[stopIndex].highlights;
    const want = highlights.filter((h) => h.on === 'number').length;
    forgetRevealedMarks();
    let queued = 0;
    const observer = new MutationObserver(() => {
      if (queued) return;
      queued = requestAnimationFrame(() => {
        queued = 0;
        if (want > 0 && document.querySelectorAll('[data-callout]').length < want)
          placeCallouts(highlights, open.stops[stopIndex]);
        revealMarks();
      });
    });
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      observer.disconnect();
      cancelAnimationFrame(queued);
    };
  }, [arrived, open, stopIndex]);

  if (!open || !stop) return null;
  const { lesson, entry } = open;
  const spec = lesson.stops[open.stop];
  const n = index.findIndex((e) => e.id === entry.id);
  const nextLesson = n >= 0 ? index[n + 1] : undefined;
  const last = open.stop === open.stops.length - 1;
  const key = answerKey(entry.id, open.stop);
  return (
    <section className="lesson-pane" aria-label="Lesson" data-testid="lesson" data-stop={open.stop + 1}>
      <header className="lesson-head">
        <p className="lesson-kicker">
          Lesson {n + 1} of {index.length}
          <button type="button" className="link" onClick={() => showWelcome(svc)}>
            All lessons
          </button>
        </p>
        <h2 id={headingId}>{lesson.title}</h2>
      </header>
      <nav aria-label="Stops of this lesson">
        <ol className="lesson-stops">
          {lesson.stops.map((s, i) => (
            <li key={s.title}>
              <button
                type="button"
                aria-current={i === open.stop ? 'step' : undefined}
                aria-label={`Stop ${i + 1}: ${s.title}`}
                title={s.title}
                onClick={() => goToStop(svc, i, { animate: false })}
              >
                {i + 1}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <h3 className="lesson-stop-title">
        <span className="muted">
          Stop {open.stop + 1} of {open.stops.length}:
        </span>{' '}
        {spec.title}
      </h3>
      {arrived ? (
        <p className="lesson-prose" data-testid="lesson.prose">
          {proseParts(spec.prose, stop).map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed sentence
            <Fragment key={i}>{p}</Fragment>
          ))}
        </p>
      ) : (
        <p className="lesson-prose muted" data-testid="lesson.playing">
          Playing to this stop… watch the map.
        </p>
      )}
      {arrived && spec.question ? (
        <Prediction
          question={spec.question}
          chosen={answers[key]}
          onChoose={(c) => lessonStore.getState().answer(key, c)}
        />
      ) : null}
      {/* Said once per stop, not with every frame: a screen reader hears the stop as it arrives. */}
      <p className="sr-only" aria-live="polite" data-testid="lesson.announce">
        {arrived ? `Stop ${open.stop + 1}, ${spec.title}. ${stop.prose}` : ''}
      </p>
      <div className="lesson-nav row wrap">
        <button
          type="button"
          disabled={open.stop === 0}
          onClick={() => goToStop(svc, open.stop - 1, { animate: false })}
        >
          Back
        </button>
        <button type="button" onClick={() => replayStop(svc, open.stop)} title="Play to this stop again">
          Replay stop
        </button>
        {last ? (
          nextLesson ? (
            <button type="button" className="primary" onClick={() => void openNext(svc, nextLesson.id)}>
              Next lesson: {nextLesson.title}
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => showWelcome(svc)}>
              All lessons done
            </button>
          )
        ) : (
          <button
            type="button"
            className="primary"
            onClick={() => goToStop(svc, open.stop + 1, { animate: true })}
          >
            Next
          </button>
        )}
      </div>
      <p className="lesson-leave">
        <button type="button" className="link" onClick={() => leaveToLab(svc)}>
          Explore in the lab from here
        </button>
      </p>
    </section>
  );
}

async function openNext(svc: ReturnType<typeof useServices>, id: string) {
  const problem = await openLesson(svc, id, 0);
  if (problem)
    svc.store.getState().setNotice({ kind: 'error', text: `The lesson could not be opened: ${problem}.` });
}

function Prediction({
  question,
  chosen,
  onChoose,
}: {
  question: Question;
  chosen: number | undefined;
  onChoose(choice: number): void;
}) {
  const askId = useId();
  const answered = chosen !== undefined;
  const right = chosen === question.answer;
  return (
    <fieldset className="lesson-question" data-testid="lesson.question">
      <legend id={askId} className="lesson-ask">
        <span className="lesson-predict">Predict</span> {question.ask}
      </legend>
      <ul className="lesson-choices">
        {question.choices.map((c, i) => (
          <li key={c}>
            <button
              type="button"
              aria-pressed={chosen === i}
              data-answer={
                answered ? (i === question.answer ? 'right' : chosen === i ? 'wrong' : undefined) : undefined
              }
              onClick={() => onChoose(i)}
            >
              {c}
            </button>
          </li>
        ))}
      </ul>
      <p className="lesson-reveal" role="status" data-testid="lesson.reveal">
        {answered ? (
          <>
            <strong>{right ? 'Right.' : `Not quite: ${question.choices[question.answer]}.`}</strong>{' '}
            {question.why}
          </>
        ) : (
          'Choose an answer to see why.'
        )}
      </p>
    </fieldset>
  );
}
