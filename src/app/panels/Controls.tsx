// Playback: Play/Pause, Step, Step back, Reset, speed; the timeline itself is Timeline.tsx.

import { useApp, useRunnerVersion, useServices } from '../context.tsx';
import { seconds } from '../format.ts';
import type { Speed } from '../store.ts';
import { JumpTo, Timeline } from './Timeline.tsx';

const SPEEDS: { value: Speed; label: string }[] = [
  { value: 1, label: 'real time' },
  { value: 10, label: '10×' },
  { value: 100, label: '100×' },
  { value: 1000, label: '1000×' },
  { value: 'max', label: 'as fast as possible' },
];

export function Controls({ onReset }: { onReset(): void }) {
  useRunnerVersion();
  const { runner, store } = useServices();
  const playing = useApp((s) => s.playing);
  const speed = useApp((s) => s.speed);
  const end = runner.endUs || 1;
  const now = runner.nowUs;
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
        <JumpTo />
        <output className="clock" data-testid="transport.time" aria-label="Virtual time">
          {seconds(now)} <small>/ {seconds(end)}</small> · step {runner.eventIndex}
        </output>
      </div>
      <Timeline />
    </section>
  );
}
