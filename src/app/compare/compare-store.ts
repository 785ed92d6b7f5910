// Whether a comparison (or its picker) is open: the little the page needs before any comparison is
// opened. Opening and closing one is compare-state.ts, loaded when first used.
import { createStore } from 'zustand/vanilla';
import type { CompareLabels, CompareRunner } from './compare-runner.ts';

/** The bundled scenario files a comparison was opened from. */
export interface CompareFiles {
  left: string;
  right: string;
}

export interface CompareState {
  /** The comparison shown (with its files, when it was opened from two bundled ones), or null. */
  open: { runner: CompareRunner; labels: CompareLabels; files: CompareFiles | null } | null;
  /** The picker of two bundled scenarios is open. */
  picking: boolean;
}

export const compareStore = createStore<CompareState>()(() => ({ open: null, picking: false }));

/** The comparison's runner, if one is open (window.balloonLab.compare()). */
export function currentCompare(): CompareRunner | null {
  return compareStore.getState().open?.runner ?? null;
}
