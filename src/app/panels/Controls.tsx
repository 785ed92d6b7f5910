// Playback: Play/Pause, Step, Step back, Reset, speed, and the timeline with its markers.

import { useMemo } from 'react';
import { useApp, useRunnerVersion, useServices } from '../context.tsx';
import { seconds } from '../format.ts';
import type { Marker } from '../sim-runner.ts';
import type { Speed } from '../store.ts';
import { jumpWindow, layOut, type Mark, mergeRepeats } from '../timeline-markers.ts';

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
  const all = runner.markers();
  // The runner's list only grows (or is replaced), so its length says when to lay it out again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: all.length is the change to watch
  const marks = useMemo(() => mergeRepeats(all.filter((m) => MARKER[m.kind])), [all, all.length]);
  const spots = useMemo(() => layOut(marks, end), [marks, end]);
  const rows = spots.map((s) => (s.type === 'mark' ? s.row : 0));
  const jump = jumpWindow(marks, now);
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
            disabled={marks.length === 0}
            onChange={(e) => {
              const m = jump.marks[Number(e.target.value)];
              if (m) goTo(m.us);
            }}
          >
            <option value="">{marks.length ? 'an event on the timeline…' : 'no events yet'}</option>
            {jump.before > 0 && <option disabled>{`… ${jump.before} earlier`}</option>}
            {jump.marks.map((m, k) => (
              <option key={`${m.us} ${m.kind} ${m.label}`} value={k}>
                {seconds(m.us)} {MARKER[m.kind]} {markLabel(m)}
              </option>
            ))}
            {jump.after > 0 && <option disabled>{`… ${jump.after} later`}</option>}
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
          {spots.map((spot) => {
            const m = spot.type === 'mark' ? spot.mark : spot;
            const name =
              spot.type === 'mark'
                ? `${seconds(m.us)}: ${markLabel(spot.mark)}`
                : `${spot.count} events from ${seconds(spot.us)} to ${seconds(spot.lastUs)}`;
            return (
              <li
                key={`${m.us} ${spot.type === 'mark' ? `${spot.mark.kind} ${spot.mark.label}` : 'group'}`}
                style={{
                  left: `${(m.us / end) * 100}%`,
                  top: `${(spot.type === 'mark' ? spot.row : 0) * 1.2}rem`,
                }}
                data-kind={spot.type === 'mark' ? spot.mark.kind : 'group'}
              >
                <button type="button" title={name} aria-label={name} onClick={() => goTo(m.us)}>
                  {spot.type === 'mark' ? MARKER[spot.mark.kind] : `${spot.count}`}
                </button>
              </li>
            );
          })}
        </ol>
      </div>
    </section>
  );
}

/** A mark's words: a repeated one says how often, and until when. */
function markLabel(m: Mark): string {
  return m.count === 1
    ? m.label
    : `${m.label} (${m.count.toLocaleString('en')} times, to ${seconds(m.lastUs)})`;
}
