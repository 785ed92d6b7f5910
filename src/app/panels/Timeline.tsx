// The timeline: the range to scrub virtual time, its markers, and the "Jump to" list of the same markers.

import { useRunnerVersion, useServices } from '../context.tsx';
import { seconds } from '../format.ts';
import type { Marker } from '../sim-runner.ts';

const MARKER: Partial<Record<Marker['kind'], string>> = {
  target: '◆',
  'stats-interval': '⏱',
  warning: '!',
  oom: '✖',
  'oom-deflate': '↓',
  'oom-kill': '✖',
  error: '⚠',
  'out-of-puff': '●',
  freeze: '❄',
  restore: '☀',
  unplug: '⏏',
  fault: '⚡',
  compact: '⇄',
  workload: '▲',
  free: '▽',
  inflate: '↑',
  deflate: '↓',
};

/** The markers the timeline shows, with a way to go to one; the "Jump to" list and the track share them. */
function useMarkers() {
  useRunnerVersion();
  const { runner, store } = useServices();
  const end = runner.endUs || 1;
  const now = runner.nowUs;
  const markers = runner.markers().flatMap((m, n) => (MARKER[m.kind] ? [{ ...m, n }] : []));
  const goTo = (us: number) => {
    store.getState().setPlaying(false);
    runner.seek(us);
  };
  return { runner, store, end, now, markers, goTo };
}

/** "Jump to": every marker of the timeline as an option. */
export function JumpTo() {
  const { markers, goTo } = useMarkers();
  return (
    <span className="row">
      <label htmlFor="jump">Jump to</label>
      <select
        id="jump"
        className="jump"
        value=""
        disabled={markers.length === 0}
        onChange={(e) => {
          const m = markers[Number(e.target.value)];
          if (m) goTo(m.us);
        }}
      >
        <option value="">{markers.length ? 'an event on the timeline…' : 'no events yet'}</option>
        {markers.map((m, k) => (
          <option key={m.n} value={k}>
            {seconds(m.us)} {MARKER[m.kind]} {m.label}
          </option>
        ))}
      </select>
    </span>
  );
}

export function Timeline() {
  const { runner, store, end, now, markers, goTo } = useMarkers();
  const rows = markerRows(markers.map((m) => m.us / end));
  return (
    <div className="timeline" style={{ paddingBottom: `${1.5 + Math.max(0, ...rows) * 1.2}rem` }}>
      <input
        type="range"
        aria-label="Timeline"
        min={0}
        max={end}
        step={1000}
        value={now}
        onChange={(e) => {
          store.getState().setPlaying(false);
          runner.seek(Number(e.target.value));
        }}
      />
      <ol className="markers" aria-label="Timeline events">
        {markers.map((m, k) => (
          <li
            key={m.n}
            style={{ left: `${(m.us / end) * 100}%`, top: `${rows[k] * 1.2}rem` }}
            data-kind={m.kind}
          >
            <button
              type="button"
              title={`${seconds(m.us)}: ${m.label}`}
              aria-label={`${seconds(m.us)}: ${m.label}`}
              onClick={() => goTo(m.us)}
            >
              {MARKER[m.kind]}
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}

/**
 * A row for each marker (positions as fractions of the timeline, in time order) so that markers
 * closer than `gap` stand one above the other instead of hiding each other: the first row that is
 * free that far back.
 */
export function markerRows(positions: readonly number[], gap = 0.02, maxRows = 3): number[] {
  const lastAt: number[] = [];
  return positions.map((x) => {
    let row = lastAt.findIndex((at) => x - at >= gap);
    if (row < 0) row = lastAt.length < maxRows ? lastAt.length : 0;
    lastAt[row] = x;
    return row;
  });
}
