// Playback: Play/Pause, Step, Step back, Reset, speed; the timeline itself is Timeline.tsx. Every
// button runs a command of commands.ts, so a button does what its key does.
import { useState } from 'react';
import { type Command, command, SPEEDS } from '../commands.ts';
import { useApp, useRunnerVersion, useServices } from '../context.tsx';
import { seconds } from '../format.ts';
import type { StepKind } from '../steps.ts';
import type { Speed } from '../store.ts';
import { JumpTo, Timeline } from './Timeline.tsx';

const STEP_BY: { kind: StepKind; label: string }[] = [
  { kind: 'event', label: 'event' },
  { kind: 'batch', label: 'batch' },
  { kind: 'function', label: 'function' },
  { kind: 'marker', label: 'marker' },
];

const stepIds = (kind: StepKind) =>
  kind === 'event' ? ['step-back', 'step'] : [`step-${kind}-back`, `step-${kind}`];

export function Controls() {
  useRunnerVersion();
  const ctx = useServices();
  const { runner, store } = ctx;
  const playing = useApp((s) => s.playing);
  const speed = useApp((s) => s.speed);
  const [by, setBy] = useState<StepKind>('event');
  const end = runner.endUs || 1;
  const now = runner.nowUs;
  const [back, forward] = stepIds(by).map(command);
  const button = (c: Command, text: string, extra: { testId?: string; title?: string } = {}) => (
    <button
      type="button"
      data-testid={extra.testId}
      title={extra.title}
      onClick={() => c.perform(ctx)}
      aria-keyshortcuts={c.ariaKeys}
      disabled={!c.enabled(ctx)}
    >
      {text}
    </button>
  );
  return (
    <section className="controls" aria-label="Playback">
      <div className="row wrap transport">
        {button(command('play'), playing ? 'Pause' : 'Play', { testId: 'transport.play' })}
        {button(back, 'Step back', { title: `${back.label} (${back.keys})` })}
        {button(forward, 'Step', { title: `${forward.label} (${forward.keys})` })}
        <span className="row">
          <label htmlFor="step-by">by</label>
          <select id="step-by" value={by} onChange={(e) => setBy(e.target.value as StepKind)}>
            {STEP_BY.map((s) => (
              <option key={s.kind} value={s.kind}>
                {s.label}
              </option>
            ))}
          </select>
        </span>
        {button(command('reset'), 'Reset')}
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
      </div>
      <Timeline />
      <output className="clock" data-testid="transport.time" aria-label="Virtual time">
        {seconds(now)} <small>/ {seconds(end)}</small> · step {runner.eventIndex}
      </output>
    </section>
  );
}
