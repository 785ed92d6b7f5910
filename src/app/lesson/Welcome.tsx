// The first screen: what a memory balloon is and why a host wants one, in three sentences, then the
// two ways in: the lessons (or where the student left off) and the free lab. The lesson list shows
// which lessons are done. Nothing here needs the simulation.
import './lesson.css';
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useApp, useServices } from '../context.tsx';
import { leaveToLab, loadLessonIndex, openLesson } from './controller.ts';
import { loadProgress } from './progress.ts';
import { lessonStore } from './state.ts';

export function Welcome() {
  const svc = useServices();
  const index = useStore(lessonStore, (s) => s.index);
  const opening = useStore(lessonStore, (s) => s.opening);
  const notice = useApp((s) => s.notice);
  const [progress] = useState(loadProgress);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    loadLessonIndex().catch((e: unknown) => setProblem(e instanceof Error ? e.message : String(e)));
  }, []);
  const start = async (id: string, stop = 0) => {
    const p = await openLesson(svc, id, stop);
    if (p) setProblem(`The lesson could not be opened: ${p}.`);
  };
  const at = progress.at !== 'lab' ? progress.at : null;
  const resume = at ? index.find((e) => e.id === at.lesson) : undefined;
  const first = index[0];
  return (
    <main className="welcome" data-testid="welcome">
      <header className="welcome-head">
        <h1>Balloon Lab</h1>
        <p className="welcome-lede">How a virtual machine gives memory back to its host</p>
      </header>
      <div className="welcome-body">
        <section className="welcome-why" aria-labelledby="why-title">
          <h2 id="why-title">Why a balloon?</h2>
          <p>
            A virtual machine's memory is real memory on the host. Once the guest has touched a page, the host
            keeps paying for it, even after the guest frees it: the host cannot see inside.
          </p>
          <p>
            A <strong>memory balloon</strong> is a driver inside the guest that the host can ask to grow. It
            takes free pages from the guest and tells the host their numbers, so the host can drop them and
            use that memory elsewhere. To give memory back, the balloon shrinks.
          </p>
          <p>
            Balloon Lab runs Linux's virtio-balloon driver against a QEMU-like device, page by page, so you
            can watch it happen.
          </p>
          <div className="welcome-actions row wrap">
            {resume && at ? (
              <button
                type="button"
                className="primary"
                disabled={opening !== null}
                onClick={() => void start(resume.id, at.stop)}
              >
                Continue: {resume.title}, stop {at.stop + 1}
              </button>
            ) : null}
            {first ? (
              <button
                type="button"
                className={resume ? undefined : 'primary'}
                disabled={opening !== null}
                onClick={() => void start(first.id)}
              >
                Start the lessons
              </button>
            ) : null}
            <button type="button" onClick={() => leaveToLab(svc)}>
              Open the lab
            </button>
          </div>
          {opening ? (
            <p role="status" className="muted">
              Opening the lesson…
            </p>
          ) : null}
          {problem || notice?.kind === 'error' ? (
            <p className="notice alarm" role="alert" data-testid="notice">
              {problem ?? notice?.text}
            </p>
          ) : null}
        </section>
        <section className="welcome-lessons" aria-labelledby="lessons-title">
          <h2 id="lessons-title">Lessons</h2>
          <ol>
            {index.map((e) => (
              <li key={e.id} data-done={progress.done.includes(e.id) || undefined}>
                <button
                  type="button"
                  className="lesson-link"
                  disabled={opening !== null}
                  onClick={() => void start(e.id)}
                >
                  <span className="lesson-link-title">{e.title}</span>
                  {progress.done.includes(e.id) ? <span className="done"> (done)</span> : null}
                  <span className="lesson-link-summary">{e.summary}</span>
                </button>
              </li>
            ))}
          </ol>
        </section>
      </div>
    </main>
  );
}
