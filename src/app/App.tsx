// The page: the map's gallery (?demo=memmap), or the lab once Boot has loaded the core and a scenario.
// The lab's rooms: Boot.tsx (start-up), commands.ts (+ keyboard.ts, KeysDialog.tsx), playback.ts,
// Header.tsx, open.ts (opening scenarios and links), and the panels.
import { lazy, Suspense, useEffect } from 'react';
import { useStore } from 'zustand';
import { Boot } from './Boot.tsx';
import { CompareMount } from './compare/CompareMount.tsx';
import { useApp, useServices } from './context.tsx';
import { Header } from './Header.tsx';
import { useKeyboard } from './keyboard.ts';
import { navigate } from './lesson/navigate.ts';
import { lessonStore } from './lesson/state.ts';
import { Notice } from './Notice.tsx';
import { Controls } from './panels/Controls.tsx';
import { GuestPanel } from './panels/GuestPanel.tsx';
import { HostPanel } from './panels/HostPanel.tsx';
import { MapPanel } from './panels/MapPanel.tsx';
import { TracePanel } from './panels/TracePanel.tsx';
import { usePlayback } from './playback.ts';

// Off the critical path: the virtqueue inspector and driver view (with the driver's source), the keys
// dialog, and the map's gallery page.
const RingsPanel = lazy(() => import('./panels/RingsPanel.tsx').then((m) => ({ default: m.RingsPanel })));
const StatsPanel = lazy(() => import('./panels/StatsPanel.tsx').then((m) => ({ default: m.StatsPanel })));
const KeysDialog = lazy(() => import('./KeysDialog.tsx').then((m) => ({ default: m.KeysDialog })));
// Lesson mode loads when a lesson or the first screen is shown.
const Welcome = lazy(() => import('./lesson/Welcome.tsx').then((m) => ({ default: m.Welcome })));
const CompareLesson = lazy(() =>
  import('./lesson/CompareLesson.tsx').then((m) => ({ default: m.CompareLesson })),
);
const LessonPane = lazy(() => import('./lesson/LessonPane.tsx').then((m) => ({ default: m.LessonPane })));
const MapGallery = lazy(() => import('./MapGallery.tsx').then((m) => ({ default: m.MapGallery })));

export function App() {
  if (new URLSearchParams(location.search).get('demo') === 'memmap') {
    return (
      <Suspense fallback={null}>
        <MapGallery />
      </Suspense>
    );
  }
  return (
    <Boot>
      <Lab />
    </Boot>
  );
}

/** A link pasted into the address bar of the open page reopens there, without a reload. */
function useHashChange(): void {
  const svc = useServices();
  useEffect(() => {
    const onHash = () => void navigate(svc);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [svc]);
}

function Lab() {
  const mode = useStore(lessonStore, (s) => s.mode);
  const comparing = useStore(lessonStore, (s) => s.compare !== null);
  const theme = useApp((s) => s.theme);
  useHashChange();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  if (mode === 'welcome') {
    return (
      <Suspense fallback={null}>
        <Welcome />
      </Suspense>
    );
  }
  if (mode === 'lesson' && comparing) {
    return (
      <Suspense fallback={null}>
        <CompareLesson />
      </Suspense>
    );
  }
  return <LabPage lesson={mode === 'lesson'} />;
}

function LabPage({ lesson }: { lesson: boolean }) {
  const showHelp = useApp((s) => s.showHelp);
  usePlayback();
  useKeyboard();
  return (
    <>
      <Header />
      <Notice />
      <Controls />
      <main className="lab">
        {lesson ? (
          <Suspense fallback={<p className="panel">Loading the lesson…</p>}>
            <LessonPane />
          </Suspense>
        ) : null}
        <TracePanel />
        <HostPanel />
        <MapPanel />
        <GuestPanel />
        <Suspense fallback={<p className="panel rings">Loading the virtqueue inspector…</p>}>
          <RingsPanel />
        </Suspense>
        <Suspense fallback={null}>
          <StatsPanel />
        </Suspense>
      </main>
      {showHelp && (
        <Suspense fallback={null}>
          <KeysDialog />
        </Suspense>
      )}
      <CompareMount />
    </>
  );
}
