import { createContext, useContext, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import type { BalloonCore } from '../core/core.ts';
import type { SimRunner } from './sim-runner.ts';
import type { AppState, AppStore } from './store.ts';

export interface AppServices {
  store: AppStore;
  runner: SimRunner;
  core: BalloonCore;
}

export const AppContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const s = useContext(AppContext);
  if (!s) throw new Error('useServices outside <AppContext.Provider>');
  return s;
}

export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(useServices().store, selector);
}

/** Re-renders when the simulation changed; returns its version. */
export function useRunnerVersion(): number {
  const { runner } = useServices();
  return useSyncExternalStore(
    (cb) => runner.subscribe(cb),
    () => runner.version,
  );
}
