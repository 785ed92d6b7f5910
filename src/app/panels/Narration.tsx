// The narration, announced: one polite live region, always in the page, that says what the driver
// just did (narration.ts's sentence). Stepping, each step is said at once; playing, at most one
// sentence every COALESCE_MS of wall-clock time (the latest wins), so a screen reader can keep up;
// pausing says where the run stopped.
import { useEffect, useRef, useState } from 'react';
import { type Playable, simulationOf } from '../../sim/view.ts';
import { useApp, useRunner } from '../context.tsx';

/** Wall-clock milliseconds between two announcements while playing. */
export const COALESCE_MS = 2000;

type Narrate = (fn: string, detail?: string) => string;
let narrator: Promise<Narrate> | null = null;
/** narration.ts, off the critical path: nothing is said before the first step anyway. */
const loadNarrator = () => {
  narrator ??= import('../inspector/narration.ts').then((m) => m.narrate);
  return narrator;
};

/** The driver's last call (its index makes a repeated call a new one). */
export function lastCallView(p: Playable | null) {
  const sim = simulationOf(p);
  const call = sim?.calls.at(-1);
  return call && sim ? { n: sim.calls.length, fn: call.fn, detail: call.detail } : null;
}

/**
 * When to say the next sentence: now (stepping, paused, or the last one said long enough ago), or in
 * how many milliseconds (playing). Pure, for the tests.
 */
export function announceDelay(playing: boolean, nowMs: number, lastSaidMs: number): number {
  if (!playing) return 0;
  return Math.max(0, lastSaidMs + COALESCE_MS - nowMs);
}

export function Narration() {
  const call = useRunner(lastCallView);
  const playing = useApp((s) => s.playing);
  const [said, setSaid] = useState('');
  const lastSaid = useRef(Number.NEGATIVE_INFINITY);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    let live = true;
    const say = () => {
      timer.current = null;
      if (!call) return setSaid('');
      void loadNarrator().then((narrate) => {
        if (!live) return;
        lastSaid.current = performance.now();
        setSaid(narrate(call.fn, call.detail));
      });
    };
    const wait = announceDelay(playing, performance.now(), lastSaid.current);
    if (timer.current !== null) clearTimeout(timer.current);
    if (wait === 0) say();
    else timer.current = setTimeout(say, wait);
    return () => {
      live = false;
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [call, playing]);
  return (
    <p className="sr-only" aria-live="polite" data-testid="lab.narration">
      {said}
    </p>
  );
}
