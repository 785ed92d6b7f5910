// Playback: Play/Pause, Step, Step back, Reset, speed, and the timeline with its markers.

import { useApp, useRunnerVersion, useServices } from '../context.tsx';
import { seconds } from '../format.ts';
import type { Marker } from '../sim-runner.ts';
import type { Speed } from '../store.ts';

const SPEEDS: { value: Speed; label: string }[] = [
  { value: 1, label: 'real time' },
  { value: 10, label: '10×' },
  { value: 100, label: '100×' },
  { value: 1000, label: '1000×' },
  { value: 'max', label: 'as fast as possible' },
];

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

export function Controls({ onReset }: { onReset(): void }) {
  useRunnerVersion();
  const { runner, store } = useServices();
  const playing = useApp((s) => s.playing);
  const speed = useApp((s) => s.speed);
  const end = runner.endUs || 1;
  const now = runner.nowUs;
  const markers = runner.markers().flatMap((m, n) => (MARKER[m.kind] ? [{ ...m, n }] : []));
  const rows = markerRows(markers.map((m) => m.us / end));
  const goTo = (us: number) => {
    store.getState().setPlaying(false);
    runner.seek(us);
  };
  return (
    <section className="controls" aria-label="Playback">
      <div className="row wrap">
        <button
          type="button"
          data-testid="transport.play"
          onClick={() => store.getState().setPlaying(!playing)}
          aria-keyshortcuts="Space"
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        <button
          type="button"
          onClick={() => runner.stepBack()}
          aria-keyshortcuts="ArrowLeft"
          disabled={runner.eventIndex === 0}
        >
          Step back
        </button>
        <button type="button" onClick={() => runner.stepForward()} aria-keyshortcuts="ArrowRight">
          Step
        </button>
        <button type="button" onClick={onReset} aria-keyshortcuts="R">
          Reset
        </button>
        <span className="row">
          <label htmlFor="speed">Speed</label>
          <select
            id="speed"
            value={String(speed)}
            onChange={(e) =>
              store.getState().setSpeed(e.target.value === 'max' ? 'max' : (Number(e.target.value) as Speed))
            }
          >
            {SPEEDS.map((s) => (
              <option key={s.label} value={String(s.value)}>
                {s.label}
              </option>
            ))}
          </select>
        </span>
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
        <output className="clock" data-testid="transport.time" aria-label="Virtual time">
          {seconds(now)} <small>/ {seconds(end)}</small> · step {runner.eventIndex}
        </output>
      </div>
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
    </section>
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
