// Plays a comparison against the wall clock, one slice of both runs per animation frame, as the lab's
// playback.ts plays one run: the simulation gets a frame budget, the panels a redraw ten times a second.
import { useEffect, useRef } from 'react';
import type { Speed } from '../store.ts';
import type { CompareRunner } from './compare-runner.ts';

/** Both runs' share of an animation frame: the two maps and the browser need the rest. */
const FRAME_BUDGET_MS = 8;
/** How often the numbers follow a playing comparison (the maps draw every frame on their own). */
const PANELS_EVERY_MS = 100;

/** Plays `runner` while `playing`; calls `onEnd` once both runs are over. */
export function useComparePlayback(
  runner: CompareRunner,
  playing: boolean,
  speed: Speed,
  onEnd: () => void,
): void {
  const ended = useRef(onEnd);
  ended.current = onEnd;
  useEffect(() => {
    if (!playing) return;
    let raf = 0;
    let last = performance.now();
    let shown = last;
    // Slow motion moves the clock by less than a microsecond some frames: the fraction carries over.
    let carryUs = 0;
    const tick = (t: number) => {
      if (t - shown >= PANELS_EVERY_MS) {
        runner.flush();
        shown = t;
      } else {
        const dt = Math.min(100, t - last);
        last = t;
        let to: number;
        if (speed === 'max') to = runner.endUs;
        else {
          const wantUs = dt * 1000 * speed + carryUs;
          const whole = Math.floor(wantUs);
          carryUs = wantUs - whole;
          to = runner.nowUs + whole;
        }
        runner.runFor(to, FRAME_BUDGET_MS, { quiet: true });
        if (runner.atEnd) {
          runner.flush();
          ended.current();
          return;
        }
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(raf);
      runner.flush();
    };
  }, [playing, speed, runner]);
}
