import { describe, expect, it } from 'vitest';
import {
  FrameTimings,
  type LoopScheduler,
  type MapCore,
  MapFrameLoop,
  stats,
  TIMING_SLOTS,
} from './frame-loop.ts';
import type { MapSource } from './renderer.ts';

/** A core-shaped object whose clearDirty() is counted, and a scheduler stepped by hand. */
function setup() {
  const core = {
    frames: new Uint8Array(4096),
    host: new Uint8Array(4096),
    dirty: new Uint8Array(4),
    clears: 0,
    clearDirty() {
      this.dirty.fill(0);
      this.clears++;
    },
  } satisfies MapCore & { clears: number };
  let pending: ((now: number) => void) | null = null;
  let clock = 0;
  const scheduler: LoopScheduler = {
    request: (cb) => {
      pending = cb;
      return 1;
    },
    cancel: () => {
      pending = null;
    },
    now: () => clock,
  };
  const step = (now: number, work = 0) => {
    const cb = pending;
    pending = null;
    clock = now;
    const original = scheduler.now;
    scheduler.now = () => clock;
    cb?.(now);
    clock += work;
    scheduler.now = original;
  };
  return { core, loop: new MapFrameLoop(core, scheduler), step, isScheduled: () => pending !== null };
}

describe('frame loop', () => {
  it('shows every consumer the same dirty bytes, then clears them once', () => {
    const { core, loop, step } = setup();
    const seen: string[] = [];
    const consumer = (name: string) => ({
      frame(src: MapSource) {
        seen.push(`${name}:${src.dirty.join('')}`);
      },
    });
    loop.add(consumer('map'));
    loop.add(consumer('minimap'));
    core.dirty[2] = 1;
    step(16);
    expect(seen).toEqual(['map:0010', 'minimap:0010']);
    expect(core.clears).toBe(1);
    step(32);
    expect(core.clears).toBe(1); // nothing dirty, nothing to clear
  });

  it('leaves the clearing to the owner when asked', () => {
    const { core, loop, step } = setup();
    loop.autoClear = false;
    loop.add({ frame() {} });
    core.dirty[0] = 1;
    step(16);
    expect(core.clears).toBe(0);
    expect(core.dirty[0]).toBe(1);
  });

  it('reads the core’s views afresh every frame (core.init replaces them)', () => {
    const { core, loop, step } = setup();
    const lengths: number[] = [];
    loop.add({ frame: (src) => lengths.push(src.frames.length) });
    step(16);
    core.frames = new Uint8Array(100);
    step(32);
    expect(lengths).toEqual([4096, 100]);
  });

  it('runs while it has consumers and stops with the last one', () => {
    const { loop, step, isScheduled } = setup();
    expect(loop.running).toBe(false);
    const removeA = loop.add({ frame() {} });
    const removeB = loop.add({ frame() {} });
    expect(isScheduled()).toBe(true);
    step(16);
    expect(isScheduled()).toBe(true);
    removeA();
    expect(loop.running).toBe(true);
    removeB();
    expect(loop.running).toBe(false);
    expect(isScheduled()).toBe(false);
  });

  it('records each frame’s work and the time between frames', () => {
    const { loop, step } = setup();
    loop.add({ frame() {} });
    step(100);
    step(116);
    step(133);
    expect(loop.timings.count).toBe(3);
    expect([...loop.timings.delta.subarray(0, 3)]).toEqual([0, 16, 17]);
    const s = loop.timings.summary();
    expect(s.frames).toBe(3);
    expect(s.delta).toEqual({ median: 16, p95: 17, max: 17 });
  });
});

describe('timings', () => {
  it('computes nearest-rank medians and 95th percentiles', () => {
    expect(stats([])).toEqual({ median: 0, p95: 0, max: 0 });
    const hundred = Array.from({ length: 100 }, (_, k) => k + 1);
    expect(stats(hundred)).toEqual({ median: 50, p95: 95, max: 100 });
    expect(stats([3])).toEqual({ median: 3, p95: 3, max: 3 });
  });

  it('keeps the last TIMING_SLOTS frames', () => {
    const t = new FrameTimings();
    for (let k = 0; k < TIMING_SLOTS + 10; k++) t.record(k * 16, k < 10 ? 100 : 1);
    expect(t.summary().work.max).toBe(1); // the first ten were overwritten
    t.reset();
    expect(t.summary().frames).toBe(0);
  });
});
