// The key to the map: every state of a view with its swatch (colour and pattern, drawn from the same
// tables as the map), its name, what it means, and how many frames are in it.
import { useId } from 'react';
import { framesAndSize } from './inspect.ts';
import {
  inkFor,
  type MapView,
  PATTERN_PERIOD,
  parseHex,
  patternPath,
  type StateInfo,
  statesOf,
  type Theme,
  toHex,
} from './palette.ts';

export interface MemoryMapLegendProps {
  view: MapView;
  theme: Theme;
  /** Frames in each state, indexed by the state's byte value (core.stateCounts(), core.hostCounts()). */
  counts?: ArrayLike<number>;
  /** Defaults to the view's name. */
  title?: string;
}

const TITLES: Record<MapView, string> = {
  guest: "Guest's view: what each frame holds",
  host: "Host's view: what backs each frame",
};

export function MemoryMapLegend({ view, theme, counts, title }: MemoryMapLegendProps) {
  const id = useId();
  return (
    <figure className="memmap-legend" data-testid={`memmap.legend.${view}`} aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title ?? TITLES[view]}</figcaption>
      <ul>
        {statesOf(view).map((s) => (
          <li key={s.key} data-testid={`memmap.legend.${view}.${s.key}`} data-state={s.key}>
            <Swatch id={`${id}-${s.key}`} state={s} theme={theme} />
            <span className="memmap-legend-label">{s.label}</span>
            {counts && <Count text={framesAndSize(counts[s.value] ?? 0)} />}
            <span className="memmap-legend-description">{s.description}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

function Swatch({ id, state, theme }: { id: string; state: StateInfo; theme: Theme }) {
  const fill = state.fill[theme];
  const ink = toHex(inkFor(parseHex(fill)));
  return (
    <svg className="memmap-swatch" width="40" height="24" viewBox="0 0 40 24" aria-hidden="true">
      <defs>
        <pattern id={id} width={PATTERN_PERIOD} height={PATTERN_PERIOD} patternUnits="userSpaceOnUse">
          <rect width={PATTERN_PERIOD} height={PATTERN_PERIOD} fill={fill} />
          <path d={patternPath(state.pattern)} fill={ink} shapeRendering="crispEdges" />
        </pattern>
      </defs>
      <rect x="0.5" y="0.5" width="39" height="23" fill={`url(#${id})`} className="memmap-swatch-frame" />
    </svg>
  );
}

/** "N frames · size": the frames part in its own span, which a narrow lab leaves out (the size stays). */
function Count({ text }: { text: string }) {
  const at = text.indexOf(' · ');
  if (at < 0) return <span className="memmap-legend-count">{text}</span>;
  return (
    <span className="memmap-legend-count">
      <span className="memmap-legend-frames">{text.slice(0, at + 3)}</span>
      {text.slice(at + 3)}
    </span>
  );
}
