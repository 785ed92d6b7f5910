// What a snapshot keeps of each machine object. A snapshot copies each object's own fields as they
// are, which is right for numbers and flags and for references to objects that never change or are
// restored in their own right; an object field that the run changes in place needs more. So every
// object-valued field of the machine is listed here with how it is kept, and a new one fails this
// test until it is placed (in snapshot.ts, then here).
import { describe, expect, it } from 'vitest';
import { Scheduler, sleep, sleepThenRestart, type Task } from './sched.ts';
import { machineObjects, SimSnapshots } from './snapshot.ts';
import { bundledScenario, newSim } from './testing.ts';

/** Per class: its object-valued fields, and how a snapshot keeps each. */
const KEPT: Record<string, Record<string, string>> = {
  Simulation: {
    scenario: 'immutable',
    core: 'the same core: its linear memory in chunks',
    opts: 'immutable',
    sched: 'Scheduler.snapshot()',
    events: 'listeners only: not the run',
    log: 'its lines by length',
    hostLog: 'its lines by length',
    trace: 'TraceRecorder.mark()',
    kernel: 'fields',
    transport: 'fields',
    device: 'fields',
    vb: 'fields',
    wq: 'fields',
    observer: 'fields',
    power: 'fields',
    window: 'fields',
    prng: 'savePrng()',
    costs: 'immutable',
  },
  Workqueue: { sched: 'same', starters: 'callbacks made once per item: a cache' },
  VirtioBalloon: {
    env: 'immutable',
    inflate_vq: 'reference (the queue objects: fields)',
    deflate_vq: 'reference (the queue objects: fields)',
    stats_vq: 'reference (the queue objects: fields)',
    update_balloon_stats_work: 'fields',
    update_balloon_size_work: 'fields',
    acked: 'empty when taken, emptied on restore (Scheduler)',
    balloon_lock: 'free when taken, freed on restore (Scheduler)',
    nb: 'immutable',
    localPages: 'scratch: one call of fill_balloon',
    batchPages: 'scratch: one call of fill_balloon or leak_balloon',
    onePage: 'scratch: one call of virtballoon_migratepage',
    outOfPuffRatelimit: 'fields',
  },
  RatelimitState: {},
  WorkItem: { fn: 'immutable', idle: 'empty when taken, emptied on restore (Scheduler)' },
  WindowAllocator: {},
  Virtqueue: { callback: 'immutable', ring: 'immutable', core: 'same', transport: 'same' },
  VirtioTransport: { sched: 'same', core: 'same', costs: 'immutable', driver: 'immutable', device: 'same' },
  BalloonDevice: {
    sched: 'same',
    core: 'same',
    transport: 'same',
    trace: 'same',
    costs: 'immutable',
    events: 'same',
    prng: 'the same object as Simulation.prng, restored in place',
    guestStatsNow: 'reference to an immutable cache',
    usedRing: 'immutable',
  },
  PowerManagement: {
    sched: 'same',
    transport: 'same',
    vb: 'same',
    wq: 'same',
    pm: 'empty when taken, emptied on restore (Scheduler)',
    onRemoved: 'immutable',
  },
  GuestKernel: {
    core: 'same',
    sched: 'same',
    cfg: 'immutable',
    log: 'same',
    costs: 'immutable',
    lists: 'next/prev/on in chunks, counts copied',
    buddy: 'fields; order in chunks',
    kind: 'in chunks',
    owner: 'in chunks',
    balloon: 'fields',
    events: 'same',
    vm: 'fields',
    wmark: 'immutable',
    imageFreedRuns: 'immutable: laid out at boot, from the seed, which a restore boots with',
    bootRuns: 'immutable: laid out at boot, as imageFreedRuns',
    oomLock: 'free when taken, freed on restore (Scheduler)',
    runs: 'fields',
    workloadsByName: 'saveTables()',
    byId: 'saveTables()',
    notifiers: 'saveTables()',
    kindWords: 'a view of kind: the same memory',
    onWords: 'a view of lists.on: the same memory',
  },
  Object: {},
  Buddy: { lists: 'same', order: 'in chunks' },
  BalloonDevInfo: {
    lists: 'same',
    kind: 'same',
    vm: 'same',
    migratepage: 'reference to a callback',
    known: 'a summary of the list, not the machine: forgotten on restore',
    one: 'scratch: one call of enqueue or dequeue',
  },
  FrameRuns: { core: 'same' },
  SimObserver: {
    kernel: 'same',
    device: 'same',
    opts: 'immutable',
    timeline: 'by length',
    calls: 'by length',
    series: 'each column by length and last value',
    errors: 'by length',
    counters: 'fields',
    driverHooks: 'immutable',
  },
};

describe('machineObjects', () => {
  it('every object-valued field of the machine is kept by a snapshot, one way or another', () => {
    const sim = newSim(bundledScenario('freeze-restore.json'));
    // At several moments: queues come and go (freeze), caches fill.
    for (const us of [0, 2_500_000, 5_000_000, 9_000_000]) {
      sim.runUntilUs(us);
      for (const [o, deep] of machineObjects(sim)) {
        const name = o.constructor.name;
        const listed = KEPT[name];
        expect(listed, `${name} is not in KEPT`).toBeDefined();
        for (const [key, v] of Object.entries(o)) {
          if (v === null || (typeof v !== 'object' && typeof v !== 'function')) continue;
          expect(key in listed || deep.includes(key), `${name}.${key}: how does a snapshot keep it?`).toBe(
            true,
          );
        }
        for (const key of Object.keys(listed)) expect(key in o, `${name}.${key} is gone`).toBe(true);
      }
    }
  });
});

describe('SimSnapshots', () => {
  it('restores every plain field of every machine object', () => {
    const sim = newSim(bundledScenario('deflate-on-oom.json'));
    const snaps = new SimSnapshots(sim);
    while (sim.nowUs < 3_000_000 || !snaps.canTake()) sim.step();
    const snap = snaps.take()!;
    const plain = () =>
      machineObjects(sim).map(([o]) =>
        Object.entries(o).filter(([, v]) => v === null || (typeof v !== 'object' && typeof v !== 'function')),
      );
    const then = plain();
    const lines = sim.trace.length;
    sim.runUntilUs(7_000_000);
    expect(plain()).not.toEqual(then);
    snaps.restore(snap);
    expect(plain()).toEqual(then);
    expect(sim.trace.length).toBe(lines);
    expect(sim.nowUs).toBe(snap.us);
  });

  it('is not taken in the middle of a batch, only between two', () => {
    const sim = newSim(bundledScenario('inflate-deflate.json'));
    const snaps = new SimSnapshots(sim);
    let busy = 0;
    let quiet = 0;
    while (sim.nowUs < 4_000_000 && sim.step()) {
      if (snaps.canTake()) quiet++;
      else {
        busy++;
        expect(snaps.take()).toBeNull();
      }
    }
    // The balloon's work item re-queues itself after each 256-page batch: every batch has a quiet moment.
    expect(busy).toBeGreaterThan(0);
    expect(quiet).toBeGreaterThanOrEqual(sim.counters.inflateBatches);
  });

  it('the first snapshot holds every chunk; the next ones only what changed', () => {
    const sim = newSim(bundledScenario('inflate-deflate.json'));
    const snaps = new SimSnapshots(sim);
    snaps.take();
    const first = snaps.bytes;
    sim.runUntilUs(2_100_000);
    while (!snaps.canTake()) sim.step();
    snaps.take();
    const second = snaps.bytes - first;
    expect(second).toBeGreaterThan(0);
    // Booted memory, the rings and the balloon's pages so far: under a third of the first.
    expect(second).toBeLessThan(first / 3);
  });
});

describe('Scheduler restart points', () => {
  /** A task counting to `to`, sleeping at a restart point after each step. */
  function* counter(s: Scheduler, out: number[], state: { n: number; to: number }): Task {
    const restart = { kind: 'counter', state };
    while (state.n < state.to) {
      out.push(s.now * 100 + state.n);
      state.n++;
      yield sleepThenRestart(10, restart);
    }
  }

  it('a task asleep at a restart point is made again from its data, and goes on as before', () => {
    const make = () => {
      const s = new Scheduler();
      const out: number[] = [];
      s.spawn('counter', counter(s, out, { n: 0, to: 6 }));
      s.after(25, () => out.push(-1));
      return { s, out };
    };
    const straight = make();
    straight.s.runUntil(1_000);

    const a = make();
    a.s.runUntil(21);
    expect(a.s.quiescent()).toBe(true);
    const snap = a.s.snapshot()!;
    a.s.runUntil(1_000);
    a.out.length = 3; // what had happened by 21 µs
    a.s.restore(snap, (r) => counter(a.s, a.out, r.state as { n: number; to: number }));
    a.s.runUntil(1_000);
    expect(a.out).toEqual(straight.out);
  });

  it('is not quiescent while a task sleeps anywhere else, waits, or holds a lock', () => {
    const s = new Scheduler();
    s.spawn(
      'plain sleeper',
      (function* (): Task {
        yield sleep(10);
      })(),
    );
    s.runUntil(1);
    expect(s.quiescent()).toBe(false);
    expect(s.snapshot()).toBeNull();
    s.runUntil(20);
    expect(s.quiescent()).toBe(true);
    expect(s.liveTasks).toBe(0);
  });
});
