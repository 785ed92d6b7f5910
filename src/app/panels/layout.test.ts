// The one-screen layout's rules that need no browser: which panels a lesson's focus folds, which
// detail tabs show, when the narration speaks.
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../store.ts';
import { shownTabs } from './DetailTabs.tsx';
import { isFolded } from './Fold.tsx';
import { announceDelay, COALESCE_MS } from './Narration.tsx';

describe('a lesson focus', () => {
  it('is kept in the store, null by default (the user’s own choices)', () => {
    const store = createAppStore();
    expect(store.getState().focus).toBeNull();
    store.getState().setFocus(['map', 'host']);
    expect(store.getState().focus).toEqual(['map', 'host']);
    store.getState().setFocus(null);
    expect(store.getState().focus).toBeNull();
  });

  it('folds the panels it does not name, until the user opens one', () => {
    expect(isFolded(null, ['host'], false)).toBe(false);
    expect(isFolded(['map', 'host'], ['host'], false)).toBe(false);
    expect(isFolded(['map'], ['host'], false)).toBe(true);
    expect(isFolded(['map'], ['host'], true)).toBe(false);
    // The detail area is open when the focus names any detail panel.
    expect(isFolded(['map', 'driver'], ['guest', 'rings', 'driver'], false)).toBe(false);
  });

  it('shows two detail panels together when a stop names two, else the selected one', () => {
    expect(shownTabs('rings', 'driver')).toEqual(['rings', 'driver']);
    expect(shownTabs('rings', null)).toEqual(['rings']);
    expect(shownTabs('rings', 'rings')).toEqual(['rings']);
  });
});

describe('the narration while playing', () => {
  it('speaks at once when stepping or paused', () => {
    expect(announceDelay(false, 1000, 990)).toBe(0);
  });

  it('waits until COALESCE_MS after the last sentence while playing', () => {
    expect(announceDelay(true, 1000, Number.NEGATIVE_INFINITY)).toBe(0);
    expect(announceDelay(true, 1000, 500)).toBe(COALESCE_MS - 500);
    expect(announceDelay(true, 5000, 500)).toBe(0);
  });
});
