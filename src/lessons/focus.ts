// Which panels a stop shows. A stop names the panels that matter (`panels`); its highlights are drawn
// on panels too, and a highlight on a panel that stays folded or in a closed tab is a highlight nobody
// sees. So the panels the highlights draw on come first, in the order the stop lists its highlights,
// then the rest the stop names.
import type { Highlight, Panel, Stop } from './lesson.ts';

/** The panel a highlight is drawn on. */
export function panelOf(h: Highlight): Panel {
  switch (h.on) {
    case 'map':
      return 'map';
    case 'ring':
      return 'rings';
    case 'driver':
      return 'driver';
    case 'plot':
      return 'plots';
    case 'number':
      return h.panel;
  }
}

/** The panels stop shows, those its highlights need first; each once. */
export function focusFor(stop: Pick<Stop, 'highlights' | 'panels'>): Panel[] {
  return [...new Set([...stop.highlights.map(panelOf), ...stop.panels])];
}
