import { describe, expect, it } from 'vitest';
import { focusFor } from './focus.ts';
import type { Highlight } from './lesson.ts';

describe('focusFor', () => {
  it('puts the panels the highlights draw on first, then the rest the stop names, each once', () => {
    const highlights: Highlight[] = [
      { on: 'driver', fn: 'stats_request' },
      { on: 'number', panel: 'host', measure: 'actual' },
    ];
    expect(focusFor({ highlights, panels: ['rings', 'stats', 'driver'] })).toEqual([
      'driver',
      'host',
      'rings',
      'stats',
    ]);
  });

  it('maps each kind of highlight to its panel', () => {
    const highlights: Highlight[] = [
      { on: 'plot', series: 'hostRss' },
      { on: 'ring', queue: 'inflate', part: 'avail', slot: 'last' },
      { on: 'map', frames: 'balloon' },
    ];
    expect(focusFor({ highlights, panels: [] })).toEqual(['plots', 'rings', 'map']);
  });

  it('is the stop’s own list when it has no highlights', () => {
    expect(focusFor({ highlights: [], panels: ['host', 'plots'] })).toEqual(['host', 'plots']);
  });
});
