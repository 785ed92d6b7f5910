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
  oom: '✖',
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
        <output className="clock" data-testid="transport.time" aria-label="Virtual time">
          {seconds(now)} <small>/ {seconds(end)}</small> · step {runner.eventIndex}
        </output>
      </div>
      <div className="timeline">
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
          {markers.map((m) => (
            <li key={m.n} style={{ left: `${(m.us / end) * 100}%` }} data-kind={m.kind}>
              <button
                type="button"
                title={`${seconds(m.us)}: ${m.label}`}
                aria-label={`${seconds(m.us)}: ${m.label}`}
                onClick={() => {
                  store.getState().setPlaying(false);
                  runner.seek(m.us);
                }}
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
