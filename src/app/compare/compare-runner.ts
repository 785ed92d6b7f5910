// Two runs side by side on one virtual clock: each a SimRunner with its own BalloonCore (its own wasm
// instance: a core holds one guest's frame table, and each side's memory map reads its own). The
// runs are independent, so the order in which their events run does not matter; what the clock
// guarantees is that whenever the UI looks, both stand at the same virtual time (a run that has
// ended stands at its end).
import type { BalloonCore } from '../../core/core.ts';
import type { Scenario } from '../../sim/scenario.ts';
import type { SimSummary } from '../../sim/view.ts';
import { type Listener, SimRunner } from '../sim-runner.ts';

export type CompareSide = 'left' | 'right';
export const SIDES: readonly CompareSide[] = ['left', 'right'];

export interface CompareLabels {
  left: string;
  right: string;
}

/** compareSummary(): both runs' summaries at the clock's time, for tests and tools. */
export interface CompareSummary {
  /** The shared clock, µs. */
  us: number;
  endUs: number;
  labels: CompareLabels;
  left: SimSummary | null;
  right: SimSummary | null;
  /** Times the OOM notifier started deflating, per run (its timeline's oom-deflate moments). */
  oomDeflates: { left: number; right: number };
}

const NO_CLOCK = () => 0;
let made = 0;

export class CompareRunner {
  readonly left: SimRunner;
  readonly right: SimRunner;
  /** Each run's core: its memory map reads the frame table there. */
  readonly cores: Readonly<Record<CompareSide, BalloonCore>>;
  labels: CompareLabels = { left: '', right: '' };
  /** Tells runners apart (the maps start over for another runner on the same cores). */
  readonly serial = ++made;
  /** Bumped on every change the UI should show. */
  version = 0;
  /**
   * Whether the comparison plays against the wall clock (the view's transport, or whoever drives the
   * view, sets it; the view's playback runs it). Any jump (load, seek, step, replayTo) pauses it.
   */
  playing = false;
  private clockUs = 0;
  private readonly listeners = new Set<Listener>();
  /** runFor() moved the clock without telling the UI yet (see flush()). */
  private pending = false;

  constructor(leftCore: BalloonCore, rightCore: BalloonCore) {
    if (leftCore === rightCore) throw new Error('CompareRunner: each run needs its own BalloonCore');
    this.cores = { left: leftCore, right: rightCore };
    this.left = new SimRunner(leftCore);
    this.right = new SimRunner(rightCore);
  }

  setPlaying(playing: boolean): void {
    if (playing === this.playing) return;
    this.playing = playing;
    this.changed();
  }

  side(s: CompareSide): SimRunner {
    return s === 'left' ? this.left : this.right;
  }

  /** Loads both runs at time 0. */
  load(left: Scenario, right: Scenario, labels: CompareLabels): void {
    this.left.load(left);
    this.right.load(right);
    this.labels = { ...labels };
    this.clockUs = 0;
    this.playing = false;
    this.changed();
  }

  /** The shared virtual time, µs. */
  get nowUs(): number {
    return this.clockUs;
  }

  /** Where the longer run ends, µs. */
  get endUs(): number {
    return Math.max(this.left.endUs, this.right.endUs);
  }

  /** Both runs are over: no event left, and the clock at the longer one's end. */
  get atEnd(): boolean {
    return this.clockUs >= this.endUs && this.left.atEnd && this.right.atEnd;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.pending = false;
    this.version++;
    for (const fn of this.listeners) fn();
  }

  /** Tells the UI about what quiet runs did since it was last told. */
  flush(): void {
    if (this.pending) this.changed();
  }

  /** The earlier of the two runs' next events (Infinity when neither has one). */
  private nextTime(): number {
    const l = this.left.playable?.nextTime() ?? Number.POSITIVE_INFINITY;
    const r = this.right.playable?.nextTime() ?? Number.POSITIVE_INFINITY;
    return Math.min(l, r);
  }

  /** Both runs to virtual time `t`, every event at or before it, however long it takes. */
  private bothTo(t: number): void {
    this.left.runFor(t, Number.POSITIVE_INFINITY, { quiet: true, clock: NO_CLOCK });
    this.right.runFor(t, Number.POSITIVE_INFINITY, { quiet: true, clock: NO_CLOCK });
    this.clockUs = t;
  }

  /**
   * Moves the clock towards virtual time `us` (never back) for at most about `budgetMs` of wall-clock
   * time: one tick runs both runs' events of the next microsecond that has any, so when the budget
   * runs out both stand at the same time. With `quiet`, the UI is told only at the next flush().
   * Returns true when the clock got to `us` (or to the end).
   */
  runFor(
    us: number,
    budgetMs: number,
    { quiet = false, clock = () => performance.now() }: { quiet?: boolean; clock?: () => number } = {},
  ): boolean {
    const goal = Math.min(Math.max(us, this.clockUs), this.endUs);
    const deadline = clock() + budgetMs;
    while (this.clockUs < goal) {
      // Events of the current microsecond left by an event stop run first (next === clockUs).
      this.bothTo(Math.min(goal, this.nextTime()));
      // A tick runs at least one event, and one event of a 16 GiB guest can take milliseconds.
      if (clock() >= deadline) break;
    }
    if (quiet) this.pending = true;
    else this.changed();
    return this.clockUs >= goal;
  }

  /** Seeks both runs to virtual time `us` (each from its last checkpoint before it). */
  seek(us: number): void {
    const t = Math.min(Math.max(0, Math.round(us)), this.endUs);
    for (const s of SIDES) {
      const r = this.side(s);
      r.seek(Math.min(t, r.endUs));
    }
    this.clockUs = t;
    this.playing = false;
    this.changed();
  }

  /** A step of `dUs` forward (run on) or back (a seek), on both runs. */
  stepBy(dUs: number): void {
    this.playing = false;
    if (dUs >= 0) this.runFor(this.clockUs + dUs, Number.POSITIVE_INFINITY);
    else this.seek(this.clockUs + dUs);
  }

  /**
   * Goes to the moment a lesson's engine paused at (ReachedStop: `steps` per run, `us`): each run
   * replays its number of scheduler events, then its clock moves on to `us` only where no event of
   * that microsecond is left (an event stop stands between two events of the same µs and stays there).
   */
  replayTo(steps: { left: number; right: number }, us: number): void {
    for (const s of SIDES) {
      const r = this.side(s);
      r.replayToEvent(steps[s], Math.min(us, r.endUs));
    }
    this.clockUs = Math.min(Math.max(0, us), this.endUs);
    this.playing = false;
    this.changed();
  }

  /** Both runs' summaries at the clock's time (window.balloonLab.compare()). */
  compareSummary(): CompareSummary {
    const oomDeflates = (s: CompareSide) =>
      this.side(s).sim?.timeline.filter((e) => e.kind === 'oom-deflate').length ?? 0;
    return {
      us: this.clockUs,
      endUs: this.endUs,
      labels: { ...this.labels },
      left: this.left.summary(),
      right: this.right.summary(),
      oomDeflates: { left: oomDeflates('left'), right: oomDeflates('right') },
    };
  }
}
