// Owns what the app plays (playable.ts: a simulation, or a replayed QEMU trace): loading it, playing
// it against the wall clock, stepping forward and back, seeking. React never holds the simulation: it
// subscribes, and reads what it shows through the read model's selectors (src/sim/view.ts) with
// useRunner().
//
// Going back in time (step back, a seek back, reset) restores a checkpoint of the simulation and runs
// on from it (src/sim/checkpoints.ts). Checkpoints are taken as the run goes, about every
// CHECKPOINT_SPACING_MS of running (wall clock) at moments the machine is data only, so a seek costs a
// restore and at most that much running: in the 16 GiB scenario under 100 ms (npm run bench, and
// e2e/seek.bench.spec.ts in Chromium). Their memory is capped at CHECKPOINT_MAX_BYTES (256 MiB);
// past it, the checkpoints are thinned evenly. Consecutive checkpoints share what did not change: the
// 16 GiB guest's first costs ~64 MB, each later one a few MB; a 256 MiB guest's all together a few MB.
// A replayed QEMU trace has no checkpoints: going back replays it from the start.
import type { BalloonCore } from '../core/core.ts';
import type { Checkpoints } from '../sim/checkpoints.ts';
import type { SimEvent } from '../sim/events.ts';
import { atEnd, type Marker, type Playable } from '../sim/playable.ts';
import { parseScenario, type Scenario, scenarioToJson } from '../sim/scenario.ts';
import type { Step } from '../sim/scenario-steps.ts';
import { Simulation } from '../sim/sim.ts';
import type { SimSummary } from '../sim/summary.ts';
// The trace replayer (and its parser) load only when a trace is opened: not on the critical path.
import type { TraceReplay } from '../sim/trace-replay.ts';

export type Listener = () => void;

// The checkpoints' code (a snapshot of the whole machine) loads beside the first paint, not before
// it: the lab draws without it. A simulation loaded before it arrives takes its checkpoints from its
// start if it has not run yet; otherwise it goes back by replaying from its start (correct, slower),
// and the next one loaded has them.
let CheckpointsClass: typeof Checkpoints | null = null;
const checkpointsReady: Promise<void> = import('../sim/checkpoints.ts').then((m) => {
  CheckpointsClass = m.Checkpoints;
});

export type { Marker };

/** How many events runFor() runs between two looks at the clock. */
const CLOCK_EVERY = 8;
/** Wall-clock milliseconds of running between two checkpoints. */
const CHECKPOINT_SPACING_MS = 25;
/** The most memory the checkpoints may hold. */
const CHECKPOINT_MAX_BYTES = 256 * 1024 * 1024;

export class SimRunner {
  /** What is playing: a simulation, a trace replay, or nothing yet. */
  playable: Playable | null = null;
  scenario: Scenario | null = null;
  /** Bumped on every change the UI should show. */
  version = 0;
  /**
   * Bumped when the simulation or trace replay is replaced (a load, a reset, a replay from the start):
   * the map then uploads everything instead of only what its dirty bytes name.
   */
  generation = 0;
  /** Events run since the scenario was loaded (the step cursor). */
  eventIndex = 0;
  private readonly listeners = new Set<Listener>();
  /** runFor() ran events it did not tell the UI about yet (see flush()). */
  private pending = false;
  private shown: Playable | null = null;
  /** The simulation's checkpoints (null for a trace replay or nothing). */
  private checkpoints: Checkpoints | null = null;
  /**
   * A moment playback stops at (a lesson's next stop): runFor() runs no event past `event` events
   * from the start, and there moves the clock on to `us` (a time stop stands between two events).
   */
  pauseAt: { event: number; us: number } | null = null;

  /** Whether the run stands at pauseAt. */
  get atPause(): boolean {
    const p = this.pauseAt;
    return p !== null && this.eventIndex === p.event && this.nowUs === p.us;
  }

  constructor(private readonly core: BalloonCore) {}

  /** The simulation playing, if it is one (for the hook and tests; the panels use view.ts). */
  get sim(): Simulation | null {
    return this.playable?.kind === 'simulation' ? (this.playable as Simulation) : null;
  }

  /** The QEMU trace replaying, if it is one. */
  get replay(): TraceReplay | null {
    return this.playable?.kind === 'trace' ? (this.playable as TraceReplay) : null;
  }

  /** window.balloonLab.summary(): the simulation's summary; null for a trace or nothing. */
  summary(): SimSummary | null {
    return this.sim?.summary() ?? null;
  }

  /** The simulation's trace as text (empty for a replayed trace or nothing). */
  traceText(): string {
    try {
      return this.sim?.trace.toText() ?? '';
    } catch (e) {
      // A 16 GiB round trip is ~8 million lines: past what one JavaScript string holds.
      if (e instanceof RangeError) {
        throw new RangeError('this trace is too long for one string: use Export trace, which streams it');
      }
      throw e;
    }
  }

  /** The run's trace text in ~64 KiB blocks of whole lines, for a file of any size. */
  traceChunks(): Iterable<string> {
    return this.sim?.trace.chunks() ?? [];
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.pending = false;
    this.version++;
    if (this.playable !== this.shown) {
      this.shown = this.playable;
      this.generation++;
      this.listenToEvents();
    }
    for (const fn of this.listeners) fn();
  }

  private readonly eventListeners = new Set<(e: SimEvent) => void>();
  private stopListening: (() => void) | null = null;

  /**
   * The simulation's typed events (src/sim/events.ts) as they happen while it plays on screen: a
   * lesson waits on these. A replay from the start (a step back, a seek back) runs in silence; the
   * events after it come again as the run goes on. Returns the unsubscribe.
   */
  onSimEvent(fn: (e: SimEvent) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  private listenToEvents(): void {
    this.stopListening?.();
    this.stopListening =
      this.sim?.events.onAny((e) => {
        for (const fn of this.eventListeners) fn(e);
      }) ?? null;
  }

  load(scenario: Scenario): void {
    this.scenario = scenario;
    this.pauseAt = null;
    const sim = new Simulation(scenario, this.core);
    this.playable = sim;
    this.checkpoints = this.checkpointsFor(sim);
    if (!this.checkpoints) {
      void checkpointsReady.then(() => {
        if (this.playable === sim && this.eventIndex === 0 && sim.nowUs === 0 && !this.checkpoints)
          this.checkpoints = this.checkpointsFor(sim);
      });
    }
    this.eventIndex = 0;
    this.seen = [];
    this.changed();
  }

  /** Resolves once checkpoints can be taken (a simulation loaded after it has them from its start). */
  static ready(): Promise<void> {
    return checkpointsReady;
  }

  private checkpointsFor(sim: Simulation): Checkpoints | null {
    if (!CheckpointsClass) return null;
    return new CheckpointsClass(sim, {
      clock: () => performance.now(),
      spacing: CHECKPOINT_SPACING_MS,
      maxBytes: CHECKPOINT_MAX_BYTES,
    });
  }

  /** Replays a QEMU trace; resolves to a message naming the problem when it cannot. */
  async loadTrace(text: string): Promise<string | null> {
    const { TraceReplay } = await import('../sim/trace-replay.ts');
    const r = TraceReplay.load(this.core, text);
    if (typeof r === 'string') {
      // The core was not touched by a failed load; the simulation shown before goes on.
      return r;
    }
    this.playable = r;
    this.checkpoints = null;
    this.scenario = null;
    this.eventIndex = 0;
    this.seen = [];
    this.changed();
    return null;
  }

  /**
   * The longest timeline this scenario has shown. The run is deterministic, so after a step back the
   * timeline is a prefix of it: what lies ahead stays on the timeline to jump to. A copy: a restored
   * checkpoint shortens the simulation's own.
   */
  private seen: readonly Marker[] = [];

  /** The timeline's markers: the simulation's events, or the trace's moments. */
  markers(): readonly Marker[] {
    const now = this.playable?.markers() ?? [];
    if (now.length > this.seen.length) this.seen = now.slice();
    return this.seen;
  }

  get nowUs(): number {
    return this.playable?.nowUs ?? 0;
  }

  get endUs(): number {
    return this.playable?.endUs ?? 0;
  }

  get atEnd(): boolean {
    return this.playable ? atEnd(this.playable) : true;
  }

  /** Runs the simulation (or the trace replay) forward to virtual time `us`, however long it takes. */
  advanceTo(us: number): boolean {
    return this.runFor(us, Number.POSITIVE_INFINITY);
  }

  /**
   * Runs the simulation towards virtual time `us` for at most `budgetMs` of wall-clock time: playback
   * calls it once an animation frame, so the page never blocks for longer than its budget, however big
   * the guest. (The app may read the wall clock; the simulation never does.) With `quiet`, the UI is
   * told only at the next flush(). Returns true when it got to `us` (or to the end).
   */
  runFor(
    us: number,
    budgetMs: number,
    { quiet = false, clock = () => performance.now() }: { quiet?: boolean; clock?: () => number } = {},
  ): boolean {
    const sim = this.playable;
    if (!sim) return false;
    const target = Math.min(us, sim.endUs);
    const deadline = clock() + budgetMs;
    let n = 0;
    let done = false;
    this.checkpoints?.resume();
    // A pause already behind the run (the user stepped past it) lapses.
    if (this.pauseAt && (this.eventIndex > this.pauseAt.event || this.nowUs > this.pauseAt.us))
      this.pauseAt = null;
    const pause = this.pauseAt;
    for (;;) {
      if (pause && this.eventIndex + n >= pause.event) {
        // No event is left before the pause's time (the stop counted them all): the clock moves on
        // towards it, this frame's share at a time.
        if (sim.nowUs < pause.us) sim.runUntilUs(Math.min(pause.us, target));
        done = sim.nowUs >= target || (this.eventIndex + n === pause.event && sim.nowUs === pause.us);
        break;
      }
      const next = sim.nextTime();
      if (next === undefined || next > target) {
        sim.runUntilUs(target);
        done = true;
        break;
      }
      this.stepOnce(sim);
      n++;
      // Events take from under a microsecond to a few hundred: look at the clock every few of them.
      if (n % CLOCK_EVERY === 0 && clock() >= deadline) break;
    }
    this.eventIndex += n;
    if (quiet) this.pending = true;
    else this.changed();
    return done;
  }

  /** Tells the UI about what quiet runs did since it was last told. */
  flush(): void {
    if (this.pending) this.changed();
  }

  /** One event forward (in a trace: to the next moment or batch). */
  stepForward(): void {
    this.checkpoints?.resume();
    if (this.playable && this.stepOnce(this.playable)) this.eventIndex++;
    this.changed();
  }

  /** Runs the next event, and lets the checkpoints see it (actions due, a checkpoint due). */
  private stepOnce(p: Playable): boolean {
    if (!p.step()) return false;
    this.checkpoints?.afterEvent();
    return true;
  }

  /**
   * Steps forward, one event at a time, until `stop(sim)` says so after an event or the run ends; the
   * UI is told once. Returns the events run. (A trace replay goes one moment forward.)
   */
  stepUntil(stop: (sim: Simulation) => boolean): number {
    if (this.replay) {
      this.stepForward();
      return 1;
    }
    const sim = this.sim;
    if (!sim) return 0;
    let n = 0;
    this.checkpoints?.resume();
    while (this.stepOnce(sim)) {
      n++;
      if (stop(sim)) break;
    }
    this.eventIndex += n;
    this.changed();
    return n;
  }

  /** One event back: the last checkpoint before it, and a run on to the event before this one. */
  stepBack(): void {
    if (!this.playable || this.eventIndex === 0) return;
    this.replayToEvent(this.eventIndex - 1);
  }

  /**
   * Goes to the moment `index` events after the start (from a checkpoint at or before it, or from
   * the start for a trace replay), then lets the clock run on to `us` if given.
   */
  replayToEvent(index: number, us?: number): void {
    if (!this.playable) return;
    const p = this.rewind((cp) => cp.rewindForEvent(index), true);
    let n = this.eventIndex;
    this.checkpoints?.resume();
    while (n < index && this.stepOnce(p)) n++;
    this.eventIndex = n;
    const next = p.nextTime();
    if (us !== undefined && us > p.nowUs && (next === undefined || us < next)) p.runUntilUs(us);
    this.listenAgain();
    this.changed();
  }

  /** After a rewind's silent run: the simulation's events are told again from now on. */
  private listenAgain(): void {
    if (!this.stopListening && this.playable === this.shown) this.listenToEvents();
  }

  /**
   * Makes the playable ready to run forward to a moment: a simulation restores the checkpoint
   * `restore` picks (if it picks one; it says whether it did), a trace replay starts again when
   * `back`. What runs after a restore, up to the moment, is not told to onSimEvent listeners: the
   * run has told them once.
   */
  private rewind(restore: (cp: Checkpoints) => boolean, back: boolean): Playable {
    const cp = this.checkpoints;
    if (cp) {
      if (restore(cp)) {
        this.eventIndex = cp.index;
        // Silence until the run is back where it was asked to go (the caller listens again then).
        // The map needs no new generation: the restore marked the frames it changed as dirty.
        this.stopListening?.();
        this.stopListening = null;
      }
      return this.playable!;
    }
    if (back) {
      this.playable = this.playable!.restart();
      this.eventIndex = 0;
    }
    return this.playable!;
  }

  /**
   * An operator's action (set the target, start a workload, …) at the current moment. It becomes a
   * step of the scenario, so replays (step back, seek, a shared link) include it. Returns why it was
   * refused (nothing changed then), or null.
   */
  act(step: Step): string | null {
    const sim = this.sim;
    if (!this.scenario || !sim) return 'there is no simulation to act on (a trace is replayed)';
    const at = sim.nowUs / 1e6;
    const placed = { ...step, at } as Step;
    const steps = [...this.scenario.steps];
    let i = steps.length;
    while (i > 0 && (steps[i - 1].at > at || steps[i - 1].do === 'end')) i--;
    steps.splice(i, 0, placed);
    // The scenario with this action must still be one the file format accepts (the same rules as a
    // scenario file: sizes, names, freeze before restore…): otherwise nothing changes.
    const checked = parseScenario(JSON.parse(scenarioToJson({ ...this.scenario, steps })));
    if (!checked.ok) {
      const prefix = `steps[${i}].`;
      const mine = checked.errors.find((e) => e.startsWith(prefix)) ?? checked.errors[0];
      // "steps[4].MiB: must be …" → "must be …": the form that called says which field it is.
      return mine.startsWith(prefix) ? mine.slice(mine.indexOf(': ') + 2) : mine;
    }
    this.scenario = { ...this.scenario, steps };
    if (this.checkpoints) this.checkpoints.act(placed);
    else sim.addStep(placed);
    // What was seen after this moment may not happen any more.
    this.seen = sim.timeline.slice();
    this.changed();
    return null;
  }

  /** The event index of the last checkpoint at or before `index` (0 for a trace replay). */
  checkpointBefore(index: number): number {
    return this.checkpoints?.before(index) ?? 0;
  }

  /** How many checkpoints the simulation holds and their bytes (for benchmarks; zeros for a trace). */
  checkpointStats(): { count: number; bytes: number } {
    return { count: this.checkpoints?.count ?? 0, bytes: this.checkpoints?.bytes ?? 0 };
  }

  /** Seeks to virtual time `us`: from the last checkpoint before it (a trace replays from the start). */
  seek(us: number): void {
    if (!this.playable) return;
    this.rewind((cp) => cp.rewindForTime(us), us < this.playable.nowUs);
    this.advanceTo(us);
    this.listenAgain();
  }
}
