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
          <BalloonPicture />
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
            can watch it happen. When you have seen it simulated, try the real thing: a Linux guest in this
            page, its own balloon driver, and a shell to type in.
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
            <a className="button-link" href="?guest">
              Try a real Linux guest
            </a>
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

/** The idea in one picture: the host's memory, the guest's inside it, the balloon giving pages back. */
function BalloonPicture() {
  return (
    <svg className="welcome-picture" viewBox="0 0 480 150" role="img" aria-labelledby="welcome-picture-title">
      <title id="welcome-picture-title">
        The host's memory holds the guest's. Inside the guest, the balloon holds free pages; the host takes
        them back.
      </title>
      <rect x="1" y="1" width="478" height="148" rx="10" className="wp-host" />
      <text x="14" y="22" className="wp-label">
        host (QEMU)
      </text>
      <rect x="14" y="32" width="300" height="104" rx="8" className="wp-guest" />
      <text x="26" y="52" className="wp-label">
        guest (Linux)
      </text>
      {[0, 1, 2, 3, 4, 5, 6, 7].map((i) => (
        <rect
          key={i}
          x={26 + i * 22}
          y="64"
          width="18"
          height="18"
          rx="2"
          className={i < 3 ? 'wp-used' : 'wp-free'}
        />
      ))}
      <text x="26" y="102" className="wp-small">
        used · free pages
      </text>
      <ellipse cx="250" cy="86" rx="40" ry="34" className="wp-balloon" />
      <text x="250" y="90" textAnchor="middle" className="wp-label">
        balloon
      </text>
      <path d="M292 80 C 330 70, 350 70, 380 80" className="wp-arrow" markerEnd="url(#wp-head)" />
      <text x="336" y="62" textAnchor="middle" className="wp-small">
        page numbers
      </text>
      <text x="400" y="86" className="wp-label">
        memory
      </text>
      <text x="400" y="104" className="wp-label">
        for others
      </text>
      <defs>
        <marker
          id="wp-head"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0 0 L10 5 L0 10 z" className="wp-head" />
        </marker>
      </defs>
    </svg>
  );
}
