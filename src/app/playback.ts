// Playback: runs the simulation against the wall clock while `playing`, one slice per animation frame.
import { useEffect } from 'react';
import { useApp, useServices } from './context.tsx';

/**
 * The simulation's share of an animation frame while playing: the map, the panels and the browser need
 * the rest of the 16.7 ms, or the page stops answering while a big guest runs.
 */
const FRAME_BUDGET_MS = 8;
/**
 * How often the panels follow a playing simulation: ten times a second is faster than anyone reads a
 * number, and a big guest's plots and tables cost more than a frame to redraw. The map draws every frame
 * on its own (it reads the core's dirty bytes).
 */
const PANELS_EVERY_MS = 100;

/** Plays the simulation against the wall clock while `playing`; 'max' runs as fast as a frame allows. */
export function usePlayback(): void {
  const { runner, store } = useServices();
  const playing = useApp((s) => s.playing);
  const speed = useApp((s) => s.speed);
  useEffect(() => {
    if (!playing) return;
    let raf = 0;
    let last = performance.now();
    let shown = last;
    // Slow motion moves the clock by less than a microsecond some frames: the fraction carries over,
    // so the virtual clock stays on whole microseconds and still keeps pace.
    let carryUs = 0;
    const tick = (t: number) => {
      if (t - shown >= PANELS_EVERY_MS) {
        // A frame for the panels (they redraw in this task): the simulation waits for the next one,
        // which makes up for this frame's time.
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
          // Behind at a high speed, the virtual clock falls back rather than the frame running long.
          to = runner.nowUs + whole;
        }
        runner.runFor(to, FRAME_BUDGET_MS, { quiet: true });
        if (runner.atPause || (runner.atEnd && runner.nowUs >= runner.endUs)) {
          // At a lesson's stop: it is reached once; Play goes on from here.
          runner.pauseAt = null;
          runner.flush();
          store.getState().setPlaying(false);
          return;
        }
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(raf);
      // Paused (or a new speed): the panels show exactly where the simulation stopped.
      runner.flush();
    };
  }, [playing, speed, runner, store]);
}
