// Snapshots of a whole simulation, restored into the same Simulation object to go back (or forward)
// in time: the frame table and the rest of the core's linear memory, the kernel, the driver, the
// device, the transport, the clock and every pending event, the PRNG, the trace, and what the
// observer and the logs have kept (series, timeline, driver calls).
//
// The design, in three decisions:
//   - Into the same machine. The event queue holds callbacks (a device's timer, a workqueue's start,
//     a scenario step) bound to this machine's objects; restored into those same objects, they are
//     right as they are. A restore puts every field back, so nothing else needs to be rebuilt.
//   - Only when the machine is data. A generator cannot be copied, so a snapshot is taken only at a
//     moment when every live task sleeps at a restart point (sched.ts): the balloon driver between
//     two runs of its work item (it re-queues itself after every batch, so such moments come every
//     few events), workloads between two chunks of faults, compaction between two clusters. Other
//     moments are reached from the snapshot before them by running on (checkpoints.ts).
//   - Fields by copy, containers by kind. Each object's own fields are copied as they are (numbers,
//     flags, and references to objects that are either immutable or themselves restored). The few
//     arrays an object changes in place are copied deeply; arrays the run only appends to are kept
//     by their length (Tail); the per-page arrays and linear memory in shared chunks
//     (snapshot-chunks.ts). snapshot.test.ts holds every object field of the machine to one of these.
import { DIRTY_CHUNK_SHIFT, REGION_CTRL } from '../core/abi.ts';
import type { KernelTables } from './guest/kernel-state.ts';
import { CHANGE_SHIFT } from './guest/pagelists.ts';
import type { KlogLine } from './klog.ts';
import type { DriverCall, Series, TimelineEvent } from './observer.ts';
import { type PrngState, restorePrng, savePrng } from './prng.ts';
import type { SchedulerSnapshot } from './sched.ts';
import type { Simulation } from './sim.ts';
import { type Chunk, ChunkPool, restoreAll, restoreMarked } from './snapshot-chunks.ts';
import type { TraceMark } from './trace-recorder.ts';

/** Where an append-only array stood: its length, and its last entry (the series may replace it). */
interface TailMark {
  readonly length: number;
  readonly last: unknown;
}

/**
 * An array the run only appends to (the series may also replace their last entry at the same
 * moment), kept across snapshots by its length. `known` holds the longest version this run has had,
 * so a restore can shorten the live array, or make it long again without running.
 */
class Tail<T> {
  private known: T[] = [];
  constructor(private readonly live: T[]) {}

  /** Takes in what the live array has beyond `known`. Entries before the last of either are final. */
  private learn(): void {
    const { live, known } = this;
    if (live.length < known.length) return;
    for (let i = Math.max(0, known.length - 1); i < live.length; i++) known[i] = live[i];
  }

  mark(): TailMark {
    this.learn();
    return { length: this.live.length, last: this.live[this.live.length - 1] };
  }

  restore(m: TailMark): void {
    this.learn();
    const { live, known } = this;
    if (m.length <= live.length) live.length = m.length;
    else {
      if (m.length > known.length) throw new Error('snapshot: an array is shorter than a snapshot of it');
      for (let i = live.length; i < m.length; i++) live.push(known[i]);
    }
    if (m.length > 0) live[m.length - 1] = m.last as T;
  }

  /** The run went another way from here (an operator's action): what lay ahead is forgotten. */
  forgetAhead(): void {
    this.known = this.live.slice();
  }
}

/** Everything a restore needs but the chunks. */
interface MachineState {
  readonly sched: SchedulerSnapshot;
  /** Each machine object (machineObjects()), its own fields, and which of them are copied deeply. */
  readonly fields: readonly (readonly [object, Record<string, unknown>, readonly string[]])[];
  readonly kernel: KernelTables;
  readonly listCounts: Int32Array;
  readonly prng: PrngState;
  readonly trace: TraceMark;
  readonly tails: readonly TailMark[];
}

/** A snapshot of the whole simulation at one moment (between two events). */
export interface Snapshot {
  /** Virtual time (µs) when it was taken. */
  readonly us: number;
  readonly machine: MachineState;
  /** Per-page arrays (machinePages order), in chunks of 2^CHANGE_SHIFT entries. */
  readonly pages: readonly (readonly Chunk[])[];
  /** The core's frame table and host table, in the chunks of frames those pages cover. */
  readonly frames: readonly Chunk[];
  readonly host: readonly Chunk[];
  /** The rest of the core's linear memory: CTRL to the frame table, and its end to the window's. */
  readonly head: readonly Chunk[];
  readonly tail: readonly Chunk[];
}

/**
 * The machine's objects whose own fields a snapshot copies, each with the fields that hold an array
 * (or a view) the object changes in place: those are copied deeply, when taken and again when
 * restored. The kernel's tables, lists and per-page arrays, the observer's and logs' arrays, the trace
 * and the event queue are kept by the code below; every other object field is a reference to
 * something immutable or restored in its own right (snapshot.test.ts holds the list to that).
 */
export function machineObjects(sim: Simulation): (readonly [object, readonly string[]])[] {
  const vb = sim.vb;
  const k = sim.kernel;
  const vqs = [vb.inflate_vq, vb.deflate_vq, vb.stats_vq].filter((q) => q !== null);
  const none: readonly string[] = [];
  return [
    [sim, none],
    [sim.wq, none],
    [vb, ['clobberedPfns']],
    [vb.outOfPuffRatelimit, none],
    [vb.update_balloon_size_work, none],
    [vb.update_balloon_stats_work, none],
    [sim.window, none],
    ...vqs.map((q) => [q, none] as const),
    [sim.transport, ['config']],
    [sim.device, ['busy']],
    [sim.power, none],
    [k, none],
    [k.vm, none],
    [k.buddy, none],
    [k.balloon, none],
    [k.runs, none],
    [sim.observer, none],
    [sim.observer.counters, none],
  ];
}

/** The kernel's per-page arrays, in the order a snapshot keeps their chunks. */
function machinePages(sim: Simulation): (Uint8Array | Int8Array | Uint16Array | Int32Array)[] {
  const k = sim.kernel;
  return [k.lists.next, k.lists.prev, k.lists.on, k.buddy.order, k.kind, k.owner];
}

/**
 * The core's linear memory a snapshot keeps, from CTRL to the end of the window, in four parts: the
 * fixed regions before the frame table, the frame table, the host table, and the dirty map and window
 * after them. The frame and host tables change only where the kernel's pages change, in the same
 * stretch between two snapshots: the kernel writes frame states as it changes its pages, and the
 * driver's and device's writes (INFLATING to BALLOON, the host's discards) come within the same task
 * as the driver's list operations on those pages, which no snapshot falls inside. So their chunks are
 * the kernel's chunks of pages (PageLists.changed), scaled by pages-to-frames; `verify` checks it.
 */
function coreMemory(sim: Simulation): {
  head: Uint8Array;
  frames: Uint8Array;
  host: Uint8Array;
  tail: Uint8Array;
} {
  const core = sim.core;
  const buf = core.abi.memory.buffer;
  const from = core.abi.layout(REGION_CTRL) >>> 0;
  const tailFrom = core.host.byteOffset + core.host.byteLength;
  const end = core.window.byteOffset + core.window.byteLength;
  if (core.frames.byteOffset + core.frames.byteLength !== core.host.byteOffset) {
    throw new Error('snapshot: the host table does not follow the frame table');
  }
  return {
    head: new Uint8Array(buf, from, core.frames.byteOffset - from),
    frames: core.frames,
    host: core.host,
    tail: new Uint8Array(buf, tailFrom, end - tailFrom),
  };
}

/** log2 of the frames in a chunk of pages: CHANGE_SHIFT pages of PAGE_SIZE / 4 KiB frames each. */
function frameShift(sim: Simulation): number {
  return CHANGE_SHIFT + Math.log2(sim.kernel.ppp);
}

/** Takes and restores snapshots of one simulation; chunks are shared between its snapshots. */
export class SimSnapshots {
  readonly pool = new ChunkPool();
  private readonly tails: Tail<unknown>[];
  /** The snapshot the live machine matched when it was last taken or restored (chunks changed since are marked). */
  private base: Snapshot | null = null;

  /**
   * @param verify compare the frame and host tables' unmarked chunks too, and throw if one changed
   *   (tests: the proof that marking by the kernel's pages misses nothing).
   */
  constructor(
    readonly sim: Simulation,
    private readonly verify = false,
  ) {
    const { observer, log, hostLog } = sim;
    const series = sim.series;
    const arrays: unknown[][] = [
      observer.timeline as TimelineEvent[],
      observer.calls as DriverCall[],
      observer.errors,
      log.lines as KlogLine[],
      hostLog.lines as KlogLine[],
      ...(Object.keys(series) as (keyof Series)[]).map((name) => series[name]),
    ];
    this.tails = arrays.map((a) => new Tail(a));
  }

  /** Bytes the snapshots' chunks hold (the rest of a snapshot is a few kilobytes). */
  get bytes(): number {
    return this.pool.bytes;
  }

  /** Whether a snapshot can be taken now: every live task asleep at a restart point, no lock held. */
  canTake(): boolean {
    return this.sim.sched.quiescent();
  }

  /** A snapshot of now, or null when the machine is not data only (see canTake). */
  take(): Snapshot | null {
    if (!this.canTake()) return null;
    const sim = this.sim;
    const sched = sim.sched.snapshot();
    if (!sched) return null;
    const lists = sim.kernel.lists;
    const base = this.base;
    const machine: MachineState = {
      sched,
      fields: machineObjects(sim).map(([o, deep]) => [o, copyFields(o, deep), deep] as const),
      kernel: sim.kernel.saveTables(),
      listCounts: lists.counts.slice(),
      prng: savePrng(sim.prng),
      trace: sim.trace.mark(),
      tails: this.tails.map((t) => t.mark()),
    };
    const pages = machinePages(sim).map((a, i) =>
      this.pool.copyMarked(a, CHANGE_SHIFT, lists.changed, base ? base.pages[i] : null),
    );
    const mem = coreMemory(sim);
    const shift = frameShift(sim);
    if (this.verify && base) {
      this.checkUnmarked(mem.frames, shift, base.frames, 'frame');
      this.checkUnmarked(mem.host, shift, base.host, 'host');
    }
    const snap: Snapshot = {
      us: sim.sched.now,
      machine,
      pages,
      frames: this.pool.copyMarked(mem.frames, shift, lists.changed, base ? base.frames : null),
      host: this.pool.copyMarked(mem.host, shift, lists.changed, base ? base.host : null),
      head: this.pool.copyCompared(mem.head, base ? base.head : null),
      tail: this.pool.copyCompared(mem.tail, base ? base.tail : null),
    };
    this.adopt(snap);
    return snap;
  }

  /** Whether the live machine last matched `snap` (chunks changed since are marked against it). */
  isBase(snap: Snapshot): boolean {
    return this.base === snap;
  }

  /** The live machine matches `snap` (it was taken now, or the run came back to it). */
  adopt(snap: Snapshot): void {
    this.base = snap;
    this.sim.kernel.lists.changed.fill(0);
  }

  /** Puts the machine back as it was when `snap` was taken. */
  restore(snap: Snapshot): void {
    const sim = this.sim;
    const m = snap.machine;
    const kernel = sim.kernel;
    for (const [o, fields, deep] of m.fields) Object.assign(o, copyFields(fields, deep));
    kernel.loadTables(m.kernel);
    kernel.lists.counts.set(m.listCounts);
    kernel.balloon.forgetRuns();
    sim.sched.restore(m.sched, (r) => kernel.restartTask(r));
    Object.assign(sim.prng, restorePrng(m.prng));
    sim.trace.rewind(m.trace);
    this.tails.forEach((t, i) => {
      t.restore(m.tails[i]);
    });

    const changed = kernel.lists.changed;
    const base = this.base;
    machinePages(sim).forEach((a, i) => {
      restoreMarked(a, CHANGE_SHIFT, snap.pages[i], base ? base.pages[i] : null, changed);
    });
    const mem = coreMemory(sim);
    const shift = frameShift(sim);
    // The core's dirty map says which frames changed since whoever draws the frame table last looked:
    // what it said before, and every chunk this restore writes (not what it said when `snap` was taken).
    const dirty = sim.core.dirty;
    const seen = dirty.slice();
    restoreAll(mem.head, snap.head);
    restoreAll(mem.tail, snap.tail);
    dirty.set(seen);
    const markDirty = (j: number) => {
      dirty.fill(1, (j << shift) >>> DIRTY_CHUNK_SHIFT, ((((j + 1) << shift) - 1) >>> DIRTY_CHUNK_SHIFT) + 1);
    };
    restoreMarked(mem.frames, shift, snap.frames, base ? base.frames : null, changed, markDirty);
    restoreMarked(mem.host, shift, snap.host, base ? base.host : null, changed, markDirty);
    this.adopt(snap);
  }

  /** A snapshot no one will restore any more: its chunks stop counting. */
  release(snap: Snapshot): void {
    for (const chunks of snap.pages) this.pool.release(chunks);
    for (const chunks of [snap.frames, snap.host, snap.head, snap.tail]) this.pool.release(chunks);
  }

  /** Throws if a chunk of `live` the kernel did not mark differs from the base snapshot's copy. */
  private checkUnmarked(live: Uint8Array, shift: number, base: readonly Chunk[], what: string): void {
    const changed = this.sim.kernel.lists.changed;
    const size = 1 << shift;
    for (let j = 0; j < base.length; j++) {
      if (changed[j]) continue;
      const copy = base[j].data;
      for (let i = 0; i < copy.length; i++) {
        if (live[j * size + i] !== copy[i]) {
          throw new Error(`snapshot: the ${what} table changed at frame ${j * size + i} with no kernel page`);
        }
      }
    }
  }

  /** The run went another way from now (an operator's action): what was ahead is forgotten. */
  forgetAhead(): void {
    for (const t of this.tails) t.forgetAhead();
  }
}

/** The object's own fields; those named in `deep` (arrays, DataViews) as copies. */
function copyFields(o: object, deep: readonly string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...o };
  for (const key of deep) fields[key] = copyContainer(fields[key]);
  return fields;
}

function copyContainer(v: unknown): unknown {
  if (Array.isArray(v)) return v.slice();
  if (v instanceof DataView) return new DataView(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  throw new Error(`snapshot: cannot copy ${typeof v}`);
}
