import { createContext, useCallback, useContext, useRef, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import type { BalloonCore } from '../core/core.ts';
import { type Playable, sameView } from '../sim/view.ts';
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

/**
 * What a component shows of the run, through a selector of the read model (src/sim/view.ts). The
 * component re-renders only when the selection changes by `equal` (sameView: equal values, not
 * the same object), not on every step of the run. The selector is called after every change the
 * runner reports; keep it cheap, and let it close over nothing that changes between renders
 * (a new selector is called again at once).
 */
export function useRunner<T>(
  selector: (p: Playable | null) => T,
  equal: (a: T, b: T) => boolean = sameView,
): T {
  const { runner } = useServices();
  const last = useRef<{ version: number; selector: (p: Playable | null) => T; value: T } | null>(null);
  const subscribe = useCallback((cb: () => void) => runner.subscribe(cb), [runner]);
  const snapshot = () => {
    const c = last.current;
    if (c && c.version === runner.version && c.selector === selector) return c.value;
    const value = selector(runner.playable);
    if (c && equal(c.value, value)) {
      c.version = runner.version;
      c.selector = selector;
      return c.value;
    }
    last.current = { version: runner.version, selector, value };
    return value;
  };
  return useSyncExternalStore(subscribe, snapshot);
}

/**
 * Re-renders on every change of the run; returns its version. For the controls (time, step) and
 * the page's frame, which change with every step anyway; panels use useRunner().
 */
export function useRunnerVersion(): number {
  const { runner } = useServices();
  return useSyncExternalStore(
    (cb) => runner.subscribe(cb),
    () => runner.version,
  );
}
