// Owns the running simulation for the app: loading a scenario, playing it against the wall clock,
// stepping forward and back, seeking. The simulation is deterministic, so going back in time is
// running again from the start to the earlier moment (a 256 MiB scenario replays in milliseconds;
// a 16 GiB guest's whole round trip in a few hundred, in one go: the page waits that long). React
// never holds the simulation: it subscribes to `version` and reads what it shows.
import type { BalloonCore } from '../core/core.ts';
import type { Scenario } from '../sim/scenario.ts';
import type { Step } from '../sim/scenario-steps.ts';
import { Simulation, type TimelineKind } from '../sim/sim.ts';
// The trace replayer (and its parser) load only when a trace is opened: not on the critical path.
import type { ReplayMoment, TraceReplay } from './trace-replay.ts';

export type Listener = () => void;

/** How many events runFor() runs between two looks at the clock. */
const CLOCK_EVERY = 8;

export interface Marker {
  us: number;
  kind: TimelineKind | ReplayMoment['kind'];
  label: string;
}

export class SimRunner {
  sim: Simulation | null = null;
  /** A real QEMU trace being replayed instead of a simulation. */
  replay: TraceReplay | null = null;
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
  private shownSim: Simulation | null = null;
  private shownReplay: TraceReplay | null = null;

  constructor(private readonly core: BalloonCore) {}

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.pending = false;
    this.version++;
    if (this.sim !== this.shownSim || this.replay !== this.shownReplay) {
      this.shownSim = this.sim;
      this.shownReplay = this.replay;
      this.generation++;
    }
    for (const fn of this.listeners) fn();
  }

  load(scenario: Scenario): void {
    this.replay = null;
    this.scenario = scenario;
    this.sim = new Simulation(scenario, this.core);
    this.eventIndex = 0;
    this.seen = [];
    this.changed();
  }

  /** Replays a QEMU trace; resolves to a message naming the problem when it cannot. */
  async loadTrace(text: string): Promise<string | null> {
    const { TraceReplay } = await import('./trace-replay.ts');
    const r = TraceReplay.load(this.core, text);
    if (typeof r === 'string') {
      // The core was not touched by a failed load; the simulation shown before goes on.
      return r;
    }
    this.replay = r;
    this.sim = null;
    this.scenario = null;
    this.eventIndex = 0;
    this.seen = [];
    this.changed();
    return null;
  }

  /**
   * The longest timeline this scenario has shown. The run is deterministic, so after a step back the
   * replay's timeline is a prefix of it: what lies ahead stays on the timeline to jump to.
   */
  private seen: readonly Marker[] = [];

  /** The timeline's markers: the simulation's events, or the trace's moments. */
  markers(): readonly Marker[] {
    if (this.replay) {
      // Every target change, and where a run of inflate or deflate buffers begins.
      const out: Marker[] = [];
      let last = '';
      for (const m of this.replay.moments) {
        if (m.kind === 'stats') continue;
        if (m.kind === 'target' || m.kind !== last) out.push(m);
        last = m.kind;
      }
      return out;
    }
    const now = this.sim?.timeline ?? [];
    if (now.length >= this.seen.length) this.seen = now;
    return this.seen;
  }

  get nowUs(): number {
    return this.replay?.nowUs ?? this.sim?.nowUs ?? 0;
  }

  get endUs(): number {
    return this.replay?.endUs ?? this.sim?.endUs ?? 0;
  }

  get atEnd(): boolean {
    if (this.replay) return this.replay.nowUs >= this.replay.endUs;
    const sim = this.sim;
    if (!sim) return true;
    const next = sim.sched.nextTime();
    return next === undefined || next > sim.endUs;
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
    if (this.replay) {
      this.replay.advanceTo(Math.min(us, this.replay.endUs));
      this.eventIndex = this.replay.batchesApplied;
      this.changed();
      return true;
    }
    const sim = this.sim;
    if (!sim) return false;
    const target = Math.min(us, sim.endUs);
    const deadline = clock() + budgetMs;
    let n = 0;
    let done = false;
    for (;;) {
      const next = sim.sched.nextTime();
      if (next === undefined || next > target) {
        sim.runUntilUs(target);
        done = true;
        break;
      }
      sim.step();
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

  /** One event forward (in a trace: to the next moment). */
  stepForward(): void {
    if (this.replay) {
      const next = this.replay.moments.find((m) => m.us > this.replay!.nowUs);
      this.advanceTo(next ? next.us : this.replay.endUs);
      return;
    }
    if (this.sim?.step()) this.eventIndex++;
    this.changed();
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
    while (sim.step()) {
      n++;
      if (stop(sim)) break;
    }
    this.eventIndex += n;
    this.changed();
    return n;
  }

  /** One event back: replay from the start to the event before this one. */
  stepBack(): void {
    if (this.replay) {
      const prev = this.replay.moments.filter((m) => m.us < this.replay!.nowUs).at(-1);
      this.advanceTo(prev ? prev.us : 0);
      return;
    }
    if (!this.scenario || this.eventIndex === 0) return;
    this.replayToEvent(this.eventIndex - 1);
  }

  /** Replays from the start up to `index` events, then lets the clock run on to `us` if given. */
  replayToEvent(index: number, us?: number): void {
    if (this.replay) {
      this.advanceTo(us ?? 0);
      return;
    }
    if (!this.scenario) return;
    this.sim = new Simulation(this.scenario, this.core);
    let n = 0;
    while (n < index && this.sim.step()) n++;
    this.eventIndex = n;
    const next = this.sim.sched.nextTime();
    if (us !== undefined && us > this.sim.nowUs && (next === undefined || us < next)) this.sim.runUntilUs(us);
    this.changed();
  }

  /**
   * An operator's action (set the target, start a workload, …) at the current moment. It becomes a
   * step of the scenario, so replays (step back, seek, a shared link) include it.
   */
  act(step: Step): void {
    if (!this.scenario || !this.sim) return;
    const at = this.sim.nowUs / 1e6;
    const placed = { ...step, at } as Step;
    const steps = [...this.scenario.steps];
    let i = steps.length;
    while (i > 0 && (steps[i - 1].at > at || steps[i - 1].do === 'end')) i--;
    steps.splice(i, 0, placed);
    this.scenario = { ...this.scenario, steps };
    this.sim.addStep(placed);
    // What was seen after this moment may not happen any more.
    this.seen = this.sim.timeline;
    this.changed();
  }

  /** Seeks to virtual time `us`, replaying from the start when it lies in the past. */
  seek(us: number): void {
    if (this.replay) {
      this.advanceTo(us);
      return;
    }
    if (!this.scenario || !this.sim) return;
    if (us < this.sim.nowUs) {
      this.sim = new Simulation(this.scenario, this.core);
      this.eventIndex = 0;
    }
    this.advanceTo(us);
  }
}
