// A compare lesson's page: the lesson pane beside its two runs (the compare view), on one screen.
import { useState } from 'react';
import { useStore } from 'zustand';
import { CompareView } from '../compare/CompareView.tsx';
import { Notice } from '../Notice.tsx';
import { LessonPane } from './LessonPane.tsx';
import { lessonStore } from './state.ts';

export function CompareLesson() {
  const compare = useStore(lessonStore, (s) => s.compare);
  const outlines = useStore(lessonStore, (s) => s.marks.compareMap);
  // The comparison's key numbers sit under the pane: the maps get the width, the numbers stay in view.
  const [numbers, setNumbers] = useState<HTMLElement | null>(null);
  return (
    <div className="compare-lesson">
      <header className="app-header compare-lesson-head">
        <h1>Balloon Lab</h1>
        <p className="tagline">How a virtual machine gives memory back to its host</p>
      </header>
      <Notice />
      <main className="compare-lesson-body">
        <div className="lesson-slot">
          <LessonPane />
          <div className="compare-lesson-numbers" ref={setNumbers} />
        </div>
        {compare ? (
          <CompareView
            runner={compare.runner}
            labels={compare.labels}
            numbersIn={numbers}
            highlights={outlines}
          />
        ) : null}
      </main>
    </div>
  );
}
