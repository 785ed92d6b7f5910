// The app's UI state (Zustand). The simulation itself is not in here: the runner owns it and the
// store mirrors only what React needs to re-render (a version counter, playback, what is shown).
import { createStore } from 'zustand/vanilla';
import type { ViewMode } from './memmap/index.ts';

export interface ScenarioEntry {
  file: string;
  name: string;
  description: string;
}

export type Speed = 1 | 10 | 100 | 1000 | 'max';
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
  version: number;
  setTheme(theme: Theme): void;
  setMapView(view: ViewMode): void;
  setShowHelp(show: boolean): void;
  setNotice(notice: UiSlice['notice']): void;
  bump(): void;
}

export type AppState = PlaybackSlice & ScenarioSlice & UiSlice;

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
    setCurrent: (currentFile, title) => set({ currentFile, title }),
    theme: 'light',
    mapView: 'split',
    showHelp: false,
    notice: null,
    version: 0,
    setTheme: (theme) => set({ theme }),
    setMapView: (mapView) => set({ mapView }),
    setShowHelp: (showHelp) => set({ showHelp }),
    setNotice: (notice) => set({ notice }),
    bump: () => set((s) => ({ version: s.version + 1 })),
    ...initial,
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;
