// Checkpoints: snapshots of one simulation (snapshot.ts), taken as it runs, to seek with. Going to
// any moment is restoring the last checkpoint at or before it and running on from there, so a seek
// costs a restore (milliseconds) and at most the run between two checkpoints.
//
// When: after an event, once `spacing` of running cost has passed since the last checkpoint, at the
// first moment the machine is data only (SimSnapshots.canTake). The cost is read from a clock the
// caller gives: the app passes the wall clock, so checkpoints lie a few milliseconds of running apart
// on any machine; by default it is the number of events run, which places them deterministically.
// (The simulation itself never reads the wall clock: the clock only decides where checkpoints go, and
// a restore is exact wherever they are.)
//
// How many: checkpoints share the chunks that did not change between them, so each costs what
// changed. Past `maxBytes`, the checkpoint whose removal leaves the smallest gap goes (never the
// first, nor the one the machine last matched), and the spacing grows to that gap, so the store holds
// as many evenly spread checkpoints as the memory allows.
//
// The operator's actions (a target typed in, a workload started) are part of the run from the moment
// they were taken: a run from an earlier checkpoint takes them again at the same event, so it goes
// where the live run went. Checkpoints after an action are dropped: they belonged to the run without it.
import type { Step } from './scenario-steps.ts';
import type { Simulation } from './sim.ts';
import { SimSnapshots, type Snapshot } from './snapshot.ts';

export interface CheckpointOptions {
  /** The running cost so far, read every few events; by default the number of events run. */
  clock?: () => number;
  /** Running cost between two checkpoints, on the clock's scale (default: 2000 events). */
  spacing?: number;
  /** Bytes the checkpoints may hold (default 256 MiB). */
  maxBytes?: number;
  /** Check what snapshots skip (SimSnapshots' verify): for tests. */
  verify?: boolean;
}

export interface Checkpoint {
  /** Events run since the start when it was taken. */
  readonly index: number;
  /** Virtual time then (µs). */
  readonly us: number;
  /** The running cost up to it, on the clock's scale. */
  readonly work: number;
  /** How many of the operator's actions the machine had taken. */
  readonly acts: number;
  readonly snap: Snapshot;
}

/** How many events between two looks at the clock. */
const LOOK_EVERY = 16;
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_SPACING_EVENTS = 2000;

export class Checkpoints {
  private readonly snaps: SimSnapshots;
  /** In the order of their index. */
  private readonly list: Checkpoint[] = [];
  /** Events run since the start: the runner's step cursor. */
  index = 0;
  /** Running cost so far (restored with a checkpoint, so that costs stay positions on one scale). */
  private work = 0;
  private lastLook = 0;
  private sinceLook = 0;
  /** The cost at the checkpoint the machine last matched. */
  private lastWork = 0;
  /** The checkpoint after the machine's position, if any: passing it, the machine matches it. */
  private ahead: Checkpoint | null = null;
  private readonly clock: () => number;
  private spacing: number;
  private readonly maxBytes: number;
  /** The operator's actions in the order of the events they came after (index). */
  private readonly acts: { index: number; step: Step }[] = [];
  /** How many of them the machine has taken. */
  private applied = 0;

  constructor(
    readonly sim: Simulation,
    opts: CheckpointOptions = {},
  ) {
    this.snaps = new SimSnapshots(sim, opts.verify);
    this.clock = opts.clock ?? (() => this.index);
    this.spacing = opts.spacing ?? DEFAULT_SPACING_EVENTS;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.resume();
    this.take();
    // A new simulation has run nothing and spawned no task: it is data only.
    if (this.list.length === 0)
      throw new Error('Checkpoints: the simulation cannot be snapshotted at its start');
  }

  /** Bytes the checkpoints hold. */
  get bytes(): number {
    return this.snaps.bytes;
  }

  get count(): number {
    return this.list.length;
  }

  /** The checkpoints, in order (for tests and benchmarks). */
  get all(): readonly Checkpoint[] {
    return this.list;
  }

  /** A run of events starts: the time since the last one went to something else, not to running. */
  resume(): void {
    this.lastLook = this.clock();
    this.sinceLook = 0;
  }

  /** The simulation has run one more event: actions due now, and a checkpoint if one is due. */
  afterEvent(): void {
    this.index++;
    this.takeActs();
    if (++this.sinceLook >= LOOK_EVERY) {
      const t = this.clock();
      this.work += t - this.lastLook;
      this.lastLook = t;
      this.sinceLook = 0;
    }
    const ahead = this.ahead;
    if (ahead && ahead.index <= this.index) this.pass(ahead);
    if (this.work - this.lastWork < this.spacing) return;
    if (this.ahead && this.ahead.work - this.work < this.spacing) return;
    if (this.snaps.canTake()) this.take();
  }

  /** The machine reached `cp`'s event: it is in cp's state if it took the same actions. */
  private pass(cp: Checkpoint): void {
    if (cp.index === this.index && cp.acts === this.applied) {
      this.snaps.adopt(cp.snap);
      this.work = cp.work;
      this.lastWork = cp.work;
    }
    this.ahead = this.list[this.list.indexOf(cp) + 1] ?? null;
  }

  private take(): void {
    const snap = this.snaps.take();
    if (!snap) return;
    const cp: Checkpoint = { index: this.index, us: snap.us, work: this.work, acts: this.applied, snap };
    let at = this.list.length;
    while (at > 0 && this.list[at - 1].index > cp.index) at--;
    this.list.splice(at, 0, cp);
    this.lastWork = this.work;
    this.thin();
    // Taking it was not running: its time does not count.
    this.resume();
  }

  /** Drops checkpoints while they hold more than maxBytes; the spacing grows to the gap that leaves. */
  private thin(): void {
    const list = this.list;
    while (this.snaps.bytes > this.maxBytes && list.length > 2) {
      let best = -1;
      let bestGap = Number.POSITIVE_INFINITY;
      for (let i = 1; i < list.length - 1; i++) {
        if (this.snaps.isBase(list[i].snap)) continue;
        const gap = list[i + 1].work - list[i - 1].work;
        if (gap < bestGap) {
          bestGap = gap;
          best = i;
        }
      }
      if (best < 0) return;
      const [gone] = list.splice(best, 1);
      if (this.ahead === gone) this.ahead = list[best] ?? null;
      this.snaps.release(gone.snap);
      this.spacing = Math.max(this.spacing, bestGap / 2);
    }
  }

  /** The operator's actions recorded at the event the machine has just run, not taken yet. */
  private takeActs(): void {
    const acts = this.acts;
    while (this.applied < acts.length && acts[this.applied].index <= this.index) {
      this.sim.addStep(acts[this.applied++].step);
    }
  }

  /**
   * The operator acts now: `step` joins the run (the simulation schedules it). Checkpoints after now
   * belonged to the run without it and go; actions that were ahead are scheduled now, at their times.
   */
  act(step: Step): void {
    const later = this.acts.splice(this.applied);
    this.acts.push({ index: this.index, step });
    for (const a of later) this.acts.push({ index: this.index, step: a.step });
    this.takeActs();
    let keep = this.list.length;
    while (keep > 0 && this.list[keep - 1].index > this.index) keep--;
    for (const gone of this.list.splice(keep)) this.snaps.release(gone.snap);
    this.ahead = null;
    this.snaps.forgetAhead();
  }

  /** The last checkpoint `ok` accepts (the first one, at the start, when it accepts none). */
  private lastOf(ok: (cp: Checkpoint) => boolean): Checkpoint {
    let best = this.list[0];
    for (const cp of this.list) if (ok(cp)) best = cp;
    return best;
  }

  /** The event index of the last checkpoint at or before event `index`. */
  before(index: number): number {
    return this.lastOf((c) => c.index <= index).index;
  }

  /**
   * Makes the machine ready to run on to event `index`: restores the last checkpoint at or before it,
   * unless the machine already stands between that checkpoint and `index`. True if it restored.
   */
  rewindForEvent(index: number): boolean {
    const cp = this.lastOf((c) => c.index <= index);
    if (this.index <= index && this.index >= cp.index) return false;
    this.restore(cp);
    return true;
  }

  /**
   * Makes the machine ready to run on to virtual time `us` (every event at or before it): restores the
   * last checkpoint taken at or before it, unless the machine already stands between it and `us`.
   */
  rewindForTime(us: number): boolean {
    const cp = this.lastOf((c) => c.us <= us);
    if (this.sim.nowUs <= us && this.index >= cp.index) return false;
    this.restore(cp);
    return true;
  }

  private restore(cp: Checkpoint): void {
    this.snaps.restore(cp.snap);
    this.index = cp.index;
    this.work = cp.work;
    this.lastWork = cp.work;
    this.applied = cp.acts;
    this.ahead = this.list[this.list.indexOf(cp) + 1] ?? null;
    this.takeActs();
    this.resume();
  }
}
