// What lesson mode holds: the lesson list, the open lesson with its worked-out stops, the stop the
// student is at or going to, their answers, and what the stop marks on the panels. A store of its own
// (Zustand, as the app's): the lab's store knows nothing of lessons.
import { createStore } from 'zustand/vanilla';
import type { ReachedStop } from '../../lessons/engine.ts';
import type { Highlight, Lesson, LessonIndexEntry } from '../../lessons/lesson.ts';
import type { CompareLabels, CompareRunner } from '../compare/compare-runner.ts';

/** Where the page is: the first screen, the free lab, or a lesson. */
export type Mode = 'welcome' | 'lab' | 'lesson';

export interface OpenLesson {
  entry: LessonIndexEntry;
  lesson: Lesson;
  /** Every stop's moment, measures and prose, worked out when the lesson opened. */
  stops: ReachedStop[];
  /** The stop shown (arrived at, or being played to). */
  stop: number;
}

/** What the open stop marks on the panels besides the map (which the lab's highlight carries). */
export interface LessonMarks {
  driver: Extract<Highlight, { on: 'driver' }> | null;
  ring: Extract<Highlight, { on: 'ring' }> | null;
  /** A point on a plot: its series at the stop's time (µs). */
  plot: { series: Extract<Highlight, { on: 'plot' }>['series']; us: number; label?: string } | null;
  /** What the frames outlined on the map are, in the lesson's words (null: no lesson outline). */
  map: string | null;
  /** A compare lesson's outlines, per run. */
  compareMap: { left?: readonly number[]; right?: readonly number[] } | null;
}

export const NO_MARKS: LessonMarks = { driver: null, ring: null, plot: null, map: null, compareMap: null };

export interface LessonState {
  mode: Mode;
  index: LessonIndexEntry[];
  open: OpenLesson | null;
  /** Opening a lesson (fetching and working out its stops) takes a moment: what is being opened. */
  opening: string | null;
  /** The student's choice per question, by `<lesson id>/<stop index>`. */
  answers: Record<string, number>;
  marks: LessonMarks;
  /** A compare lesson's two runs, shown in the compare view beside the pane; null otherwise. */
  compare: { runner: CompareRunner; labels: CompareLabels } | null;
  setCompare(compare: LessonState['compare']): void;
  /** Whether the run stands at the open stop (it may still be playing there). */
  arrived: boolean;
  setArrived(arrived: boolean): void;
  setMode(mode: Mode): void;
  setIndex(index: LessonIndexEntry[]): void;
  setOpen(open: OpenLesson | null): void;
  setOpening(id: string | null): void;
  setStop(stop: number): void;
  answer(key: string, choice: number): void;
  setMarks(marks: LessonMarks): void;
}

export function createLessonStore(initial: Partial<LessonState> = {}) {
  return createStore<LessonState>()((set) => ({
    mode: 'lab',
    index: [],
    open: null,
    opening: null,
    answers: {},
    marks: NO_MARKS,
    arrived: false,
    compare: null,
    setCompare: (compare) => set({ compare }),
    setArrived: (arrived) => set({ arrived }),
    setMode: (mode) => set({ mode }),
    setIndex: (index) => set({ index }),
    setOpen: (open) => set({ open, marks: NO_MARKS }),
    setOpening: (opening) => set({ opening }),
    setStop: (stop) => set((s) => (s.open ? { open: { ...s.open, stop } } : {})),
    answer: (key, choice) => set((s) => ({ answers: { ...s.answers, [key]: choice } })),
    setMarks: (marks) => set({ marks }),
    ...initial,
  }));
}

export type LessonStore = ReturnType<typeof createLessonStore>;

/** The page's one lesson store (lesson mode, the panels' marks and the hook read it). */
export const lessonStore = createLessonStore();

export const answerKey = (id: string, stop: number) => `${id}/${stop}`;

/** window.balloonLab.lesson(): the open lesson and its stop (from 1), or null. */
export function lessonInfo(store: LessonStore = lessonStore) {
  const { open, arrived } = store.getState();
  if (!open) return null;
  return {
    id: open.entry.id,
    title: open.entry.title,
    stop: open.stop + 1,
    stops: open.stops.length,
    stopTitle: open.lesson.stops[open.stop].title,
    arrived,
  };
}
