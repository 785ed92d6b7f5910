// The page: the map's gallery (?demo=memmap), the real guest (?guest), or the lab once Boot has loaded the core and a scenario.
// The lab's rooms: Boot.tsx (start-up), commands.ts (+ keyboard.ts, KeysDialog.tsx), playback.ts,
// Header.tsx, open.ts (opening scenarios and links), and the panels.
//
// One screen (LabLayout): the header and the playback row, then a body that fills the rest of the
// window: on the left the lesson (when there is one) and the host; in the centre the memory map, the
// guest's and the host's views side by side; on the right the guest's numbers and the detail tabs.
import { lazy, type ReactNode, Suspense, useEffect } from 'react';
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
import { DetailTabs } from './panels/DetailTabs.tsx';
import { Fold } from './panels/Fold.tsx';
import { MapPanel } from './panels/MapPanel.tsx';
import { Narration } from './panels/Narration.tsx';
import { usePlayback } from './playback.ts';

// Off the critical path (they load right after the first paint): the host's panel and the guest's
// numbers (with the glossary's terms), the keys dialog and the map's gallery page; the detail panels
// load in DetailTabs.
const HostPanel = lazy(() => import('./panels/HostPanel.tsx').then((m) => ({ default: m.HostPanel })));
const GuestNumbers = lazy(() =>
  import('./panels/GuestNumbers.tsx').then((m) => ({ default: m.GuestNumbers })),
);
// Lesson mode loads when a lesson or the first screen is shown.
const Welcome = lazy(() => import('./lesson/Welcome.tsx').then((m) => ({ default: m.Welcome })));
const CompareLesson = lazy(() =>
  import('./lesson/CompareLesson.tsx').then((m) => ({ default: m.CompareLesson })),
);
const LessonPane = lazy(() => import('./lesson/LessonPane.tsx').then((m) => ({ default: m.LessonPane })));
const KeysDialog = lazy(() => import('./KeysDialog.tsx').then((m) => ({ default: m.KeysDialog })));
const MapGallery = lazy(() => import('./MapGallery.tsx').then((m) => ({ default: m.MapGallery })));
// "Real guest" (?guest): a Linux guest in v86, with none of the simulation.
const RealGuest = lazy(() => import('./guest/RealGuest.tsx').then((m) => ({ default: m.RealGuest })));

export function App() {
  const q = new URLSearchParams(location.search);
  const Page = q.get('demo') === 'memmap' ? MapGallery : q.has('guest') ? RealGuest : null;
  if (Page) {
    return (
      <Suspense fallback={null}>
        <Page />
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

/** The first screen, a lesson (beside the lab, or beside a comparison), or the free lab. */
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
  return (
    <LabLayout
      lesson={
        mode === 'lesson' ? (
          <Suspense fallback={<p className="panel">Loading the lesson…</p>}>
            <LessonPane />
          </Suspense>
        ) : undefined
      }
    />
  );
}

/**
 * The whole lab on one screen: header, notice, playback, and the body. `lesson`, when given, sits at
 * the top of the left column.
 */
export function LabLayout({ lesson }: { lesson?: ReactNode }) {
  const showHelp = useApp((s) => s.showHelp);
  usePlayback();
  useKeyboard();
  return (
    <div className="lab-shell" data-lesson={lesson ? true : undefined}>
      <Header />
      <Notice />
      <Controls />
      <main className="lab">
        <div className="lab-left">
          {lesson ? <div className="lesson-slot">{lesson}</div> : null}
          <Fold panel="host" title="Host (QEMU)">
            <Suspense fallback={<Loading name="the host's panel" />}>
              <HostPanel />
            </Suspense>
          </Fold>
        </div>
        {/* The map is the picture every stop draws on: it never folds. */}
        <div className="lab-center">
          <MapPanel />
        </div>
        <div className="lab-right">
          <Fold panel="guest" title="Guest memory">
            <Suspense fallback={<Loading name="the guest's numbers" />}>
              <GuestNumbers />
            </Suspense>
          </Fold>
          <DetailTabs />
        </div>
      </main>
      <Narration />
      {showHelp && (
        <Suspense fallback={null}>
          <KeysDialog />
        </Suspense>
      )}
      <CompareMount />
    </div>
  );
}

function Loading({ name }: { name: string }) {
  return <p className="panel muted">Loading {name}…</p>;
}
