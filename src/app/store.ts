// The app's UI state (Zustand). The simulation itself is not in here: the runner owns it and the
// store mirrors only what React needs to re-render (a version counter, playback, what is shown).
import { createStore } from 'zustand/vanilla';
import type { Panel } from '../lessons/lesson.ts';
import type { ViewMode } from './memmap/index.ts';

export interface ScenarioEntry {
  file: string;
  name: string;
  description: string;
}

/** Virtual seconds per wall-clock second ('max': as fast as a frame allows); below 1 is slow motion. */
export type Speed = 0.01 | 0.1 | 1 | 10 | 100 | 1000 | 'max';
export type Theme = 'light' | 'dark';

interface PlaybackSlice {
  playing: boolean;
  speed: Speed;
  setPlaying(playing: boolean): void;
  setSpeed(speed: Speed): void;
}

interface ScenarioSlice {
  scenarios: ScenarioEntry[];
  /** The bundled scenario file, or null for one loaded from a file, a link or a trace. */
  currentFile: string | null;
  title: string;
  setScenarios(list: ScenarioEntry[]): void;
  setCurrent(file: string | null, title: string): void;
}

interface UiSlice {
  theme: Theme;
  mapView: ViewMode;
  showHelp: boolean;
  /** A message for the user: a bad link, a bad file. */
  notice: { kind: 'error' | 'info'; text: string } | null;
  /**
   * The panels a lesson stop says matter: those are open and the rest fold to their headings (the first
   * detail tab named is selected). null: the user's own choices.
   */
  focus: Panel[] | null;
  version: number;
  setTheme(theme: Theme): void;
  setMapView(view: ViewMode): void;
  setShowHelp(show: boolean): void;
  setNotice(notice: UiSlice['notice']): void;
  setFocus(panels: Panel[] | null): void;
  bump(): void;
}

/** A descriptor of a virtqueue: the queue's index (0 inflate, 1 deflate, 2 stats) and the descriptor's. */
export interface DescriptorRef {
  queue: number;
  desc: number;
}

interface HighlightSlice {
  /** The descriptor selected in the virtqueue inspector. */
  selectedDescriptor: DescriptorRef | null;
  /** The PFNs the memory map outlines: what the selected descriptor's buffer carries, as read. */
  highlight: readonly number[];
  selectDescriptor(sel: DescriptorRef | null): void;
  setHighlight(pfns: readonly number[]): void;
  /** Lets go of the descriptor and clears the map's highlight. */
  clearHighlight(): void;
}

export type AppState = PlaybackSlice & ScenarioSlice & UiSlice & HighlightSlice;

const NOTHING: readonly number[] = [];

export function createAppStore(initial: Partial<AppState> = {}) {
  return createStore<AppState>()((set) => ({
    playing: false,
    speed: 1,
    setPlaying: (playing) => set({ playing }),
    setSpeed: (speed) => set({ speed }),
    scenarios: [],
    currentFile: null,
    title: '',
    setScenarios: (scenarios) => set({ scenarios }),
    // Another run: its descriptors are other buffers.
    setCurrent: (currentFile, title) =>
      set({ currentFile, title, selectedDescriptor: null, highlight: NOTHING }),
    theme: 'light',
    mapView: 'split',
    showHelp: false,
    notice: null,
    focus: null,
    version: 0,
    setTheme: (theme) => set({ theme }),
    setMapView: (mapView) => set({ mapView }),
    setShowHelp: (showHelp) => set({ showHelp }),
    setNotice: (notice) => set({ notice }),
    setFocus: (focus) => set({ focus }),
    bump: () => set((s) => ({ version: s.version + 1 })),
    selectedDescriptor: null,
    highlight: NOTHING,
    selectDescriptor: (selectedDescriptor) => set({ selectedDescriptor }),
    setHighlight: (pfns) => set({ highlight: pfns.length ? pfns : NOTHING }),
    clearHighlight: () => set({ selectedDescriptor: null, highlight: NOTHING }),
    ...initial,
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;
