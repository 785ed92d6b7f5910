// One animation-frame loop per core, shared by everything that draws from it. Each frame it hands every
// consumer the same view of the core's tables and dirty bytes, and only then clears the dirty bytes:
// a consumer that cleared them itself would hide the changes from the ones after it. High-frequency
// data flows through here, never through React state.
import { DIRTY_CHUNK_SHIFT } from '../../core/abi.ts';
import { anyDirty } from './layout.ts';
import type { MapSource } from './renderer.ts';

/** What the loop reads: a BalloonCore, or anything shaped like one (tests, a replayed trace). */
export interface MapCore {
  readonly frames: Uint8Array;
  readonly host: Uint8Array;
  readonly dirty: Uint8Array;
  clearDirty(): void;
}

export interface FrameConsumer {
  /**
   * Called once an animation frame, in the order the consumers were added. `source` is the same object
   * for all of them and valid only during the call. A consumer reads `source.dirty`; it never clears it.
   */
  frame(source: MapSource, now: number): void;
}

/** The last TIMING_SLOTS frames: main-thread work of the whole tick, and time since the previous one. */
export const TIMING_SLOTS = 1024;

export class FrameTimings {
  /** Milliseconds of main-thread work in each tick (all consumers, and the clear). */
  readonly work = new Float64Array(TIMING_SLOTS);
  /** Milliseconds between this tick's requestAnimationFrame timestamp and the previous one's. */
  readonly delta = new Float64Array(TIMING_SLOTS);
  /** Ticks recorded since the last reset (the buffers hold the last TIMING_SLOTS of them). */
  count = 0;
  private last = -1;

  record(now: number, work: number): void {
    const k = this.count % TIMING_SLOTS;
    this.work[k] = work;
    this.delta[k] = this.last < 0 ? 0 : now - this.last;
    this.last = now;
    this.count++;
  }

  reset(): void {
    this.count = 0;
    this.last = -1;
  }

  /** Median, 95th percentile and maximum of the recorded ticks (the first tick has no delta). */
  summary(): { frames: number; work: Stats; delta: Stats } {
    const n = Math.min(this.count, TIMING_SLOTS);
    const order = (a: Float64Array, from: number) => Array.from(a.subarray(from, n)).sort((x, y) => x - y);
    const firstDelta = this.count > TIMING_SLOTS ? 0 : 1;
    return { frames: n, work: stats(order(this.work, 0)), delta: stats(order(this.delta, firstDelta)) };
  }
}

export interface Stats {
  median: number;
  p95: number;
  max: number;
}

/** Statistics of an ascending list (nearest-rank percentiles). */
export function stats(sorted: readonly number[]): Stats {
  if (sorted.length === 0) return { median: 0, p95: 0, max: 0 };
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

export interface LoopScheduler {
  request(cb: (now: number) => void): number;
  cancel(id: number): void;
  now(): number;
}

const browserScheduler: LoopScheduler = {
  request: (cb) => requestAnimationFrame(cb),
  cancel: (id) => cancelAnimationFrame(id),
  now: () => performance.now(),
};

export class MapFrameLoop {
  /**
   * Whether the loop clears the dirty bytes after its consumers ran. An owner with consumers of its
   * own outside the loop turns this off and clears them itself once everyone has read them.
   */
  autoClear = true;
  readonly timings = new FrameTimings();
  private consumers: FrameConsumer[] = [];
  private handle = 0;
  private readonly source: MapSource;

  constructor(
    private readonly core: MapCore,
    private readonly scheduler: LoopScheduler = browserScheduler,
  ) {
    this.source = { frames: core.frames, host: core.host, dirty: core.dirty, chunkShift: DIRTY_CHUNK_SHIFT };
  }

  /** Adds a consumer; the loop runs while it has any. Returns the function that removes it. */
  add(consumer: FrameConsumer): () => void {
    this.consumers.push(consumer);
    if (this.handle === 0) this.handle = this.scheduler.request(this.tick);
    return () => this.remove(consumer);
  }

  private remove(consumer: FrameConsumer): void {
    const k = this.consumers.indexOf(consumer);
    if (k >= 0) this.consumers.splice(k, 1);
    if (this.consumers.length === 0 && this.handle !== 0) {
      this.scheduler.cancel(this.handle);
      this.handle = 0;
    }
  }

  get running(): boolean {
    return this.handle !== 0;
  }

  /** One frame: every consumer, then the clear. Public so tests and benchmarks can step it. */
  readonly tick = (now: number): void => {
    this.handle = 0;
    const t0 = this.scheduler.now();
    const src = this.source;
    // Read the views afresh: core.init() replaces them.
    src.frames = this.core.frames;
    src.host = this.core.host;
    src.dirty = this.core.dirty;
    const dirty = anyDirty(src.dirty);
    const consumers = this.consumers;
    for (let k = 0; k < consumers.length; k++) consumers[k].frame(src, now);
    if (dirty && this.autoClear) this.core.clearDirty();
    this.timings.record(now, this.scheduler.now() - t0);
    if (this.consumers.length > 0 && this.handle === 0) this.handle = this.scheduler.request(this.tick);
  };
}

const loops = new WeakMap<MapCore, MapFrameLoop>();

/** The core's frame loop, created on first use: every map of one core shares it. */
export function frameLoopFor(core: MapCore): MapFrameLoop {
  let loop = loops.get(core);
  if (!loop) {
    loop = new MapFrameLoop(core);
    loops.set(core, loop);
  }
  return loop;
}
