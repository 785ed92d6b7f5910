// Where a visit lands, from the address bar's hash: the first screen (or, for a returning student,
// where they left off), the free lab, a lesson's stop, or a share link of the lab. Whatever the hash,
// the page opens something and says why when it could not open what was asked.
import type { AppServices } from '../context.tsx';
import { DEFAULT_SCENARIO, openFromLocation, openScenario } from '../open.ts';
import { loadProgress } from './progress.ts';
import { parseRoute } from './route.ts';
import { lessonStore } from './state.ts';

/** Opens a lesson (the controller and the engine load only when a lesson is asked for). */
async function openLesson(svc: AppServices, id: string, stop: number): Promise<string | null> {
  return (await import('./controller.ts')).openLesson(svc, id, stop);
}

export async function navigate(svc: AppServices, hash = location.hash): Promise<void> {
  const route = parseRoute(hash);
  const ls = lessonStore.getState();
  const { store } = svc;
  switch (route.kind) {
    case 'home': {
      const at = loadProgress().at;
      if (at && at !== 'lab') {
        // A returning student lands on the stop they left; if the lesson is gone, on the first screen.
        if ((await openLesson(svc, at.lesson, at.stop)) === null) return;
      }
      await openScenario(svc, { kind: 'bundled', file: DEFAULT_SCENARIO });
      ls.setMode(at === 'lab' ? 'lab' : 'welcome');
      return;
    }
    case 'lab':
      await openScenario(svc, { kind: 'bundled', file: DEFAULT_SCENARIO });
      ls.setMode('lab');
      return;
    case 'lesson': {
      const problem = await openLesson(svc, route.id, route.stop);
      if (problem === null) return;
      await openScenario(svc, { kind: 'bundled', file: DEFAULT_SCENARIO });
      ls.setMode('welcome');
      store.getState().setNotice({ kind: 'error', text: `This link could not be opened: ${problem}.` });
      return;
    }
    case 'bad':
      await openScenario(svc, { kind: 'bundled', file: DEFAULT_SCENARIO });
      ls.setMode('welcome');
      store.getState().setNotice({ kind: 'error', text: `This link could not be opened: ${route.error}.` });
      return;
    case 'share':
      ls.setOpen(null);
      ls.setMode('lab');
      store.getState().setFocus(null);
      await openFromLocation(svc, route.hash);
      return;
  }
}
