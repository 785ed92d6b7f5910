// Playback's time slicing: runFor() stops when its wall-clock budget is spent, whatever the guest's
// size, and ends exactly where seeking would; quiet runs reach the UI only at flush().
import { beforeAll, describe, expect, it } from 'vitest';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { bundledScenario } from '../sim/testing.ts';
import { SimRunner } from './sim-runner.ts';

const module = loadCoreModuleSync();

// The checkpoints' code loads beside the first paint: these tests load simulations after it has.
beforeAll(() => SimRunner.ready());

function runner(file = 'inflate-deflate.json'): SimRunner {
  const r = new SimRunner(BalloonCore.fromWasm(module));
  r.load(bundledScenario(file));
  return r;
}

/** A clock that moves `msPerLook` every time it is read. */
function fakeClock(msPerLook: number): { now: () => number; looks: () => number } {
  let t = 0;
  let looks = 0;
  return {
    now: () => {
      looks++;
      t += msPerLook;
      return t;
    },
    looks: () => looks,
  };
}

describe('SimRunner.runFor', () => {
  it('stops once the budget is spent, a few events past the deadline at most', () => {
    const r = runner();
    const clock = fakeClock(1);
    // The deadline is 4 ms after the first look: the clock passes it on the fourth look after that.
    expect(r.runFor(r.endUs, 4, { clock: clock.now })).toBe(false);
    expect(clock.looks()).toBe(5);
    expect(r.eventIndex).toBeGreaterThanOrEqual(4);
    expect(r.eventIndex).toBeLessThanOrEqual(64);
    expect(r.nowUs).toBeLessThan(r.endUs);
  });

  it('reaches the target in slices and ends where one seek gets to', () => {
    const sliced = runner();
    let slices = 0;
    while (!sliced.runFor(sliced.endUs, 2, { clock: fakeClock(1).now })) slices++;
    expect(slices).toBeGreaterThan(10);
    const seeked = runner();
    seeked.seek(seeked.endUs);
    expect(sliced.nowUs).toBe(sliced.endUs);
    expect(sliced.eventIndex).toBe(seeked.eventIndex);
    expect(sliced.sim!.trace.toText()).toBe(seeked.sim!.trace.toText());
    expect(sliced.atEnd).toBe(true);
  });

  it('stops at a target before the end, with the clock moved on to it', () => {
    const r = runner();
    expect(r.runFor(3_000_000, 1_000, { clock: () => 0 })).toBe(true);
    expect(r.nowUs).toBe(3_000_000);
    expect(r.sim!.device.actual).toBeGreaterThan(0);
  });

  it('tells the UI once a run, or at flush() when quiet', () => {
    const r = runner();
    let told = 0;
    r.subscribe(() => told++);
    r.runFor(1_000_000, 1_000, { clock: () => 0 });
    expect(told).toBe(1);
    r.runFor(2_000_000, 1_000, { quiet: true, clock: () => 0 });
    r.runFor(3_000_000, 1_000, { quiet: true, clock: () => 0 });
    expect(told).toBe(1);
    r.flush();
    expect(told).toBe(2);
    r.flush();
    expect(told).toBe(2);
  });
});

describe('SimRunner.generation', () => {
  it('moves only when the simulation is replaced, not as it runs or seeks', () => {
    const r = runner();
    const g = r.generation;
    r.runFor(4_000_000, 1_000, { clock: () => 0 });
    r.stepForward();
    r.seek(5_000_000);
    r.seek(1_000_000); // back in time: a checkpoint restored into the same simulation
    r.replayToEvent(0);
    expect(r.generation).toBe(g);
    r.load(bundledScenario('legacy.json'));
    expect(r.generation).toBe(g + 1);
  });

  it('a seek back marks dirty every frame it changed, for the map to draw', () => {
    const r = runner();
    r.seek(1_000_000);
    const then = r.sim!.core.frames.slice();
    r.seek(7_000_000);
    const core = r.sim!.core;
    const later = core.frames.slice();
    core.clearDirty();
    r.seek(1_000_000);
    expect(core.frames).toEqual(then);
    let changed = 0;
    for (let f = 0; f < later.length; f++) {
      if (core.frames[f] === later[f]) continue;
      changed++;
      expect(core.dirty[f >>> 10], `frame ${f}`).toBe(1);
    }
    // The balloon's pages of 1 s … 7 s are free again: thousands of frames, all marked.
    expect(changed).toBeGreaterThan(1000);
  });
});

describe('SimRunner with a replayed QEMU trace', () => {
  it('plays, steps back and seeks as it does a simulation', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(
      new URL('../../../shared/fixtures/qemu-inflate.trace', import.meta.url),
      'utf8',
    );
    const r = new SimRunner(BalloonCore.fromWasm(module));
    expect(await r.loadTrace(text)).toBeNull();
    expect(r.sim).toBeNull();
    expect(r.summary()).toBeNull();
    r.seek(r.endUs);
    expect(r.atEnd).toBe(true);
    expect(r.replay?.batchesApplied).toBe(32);
    const end = r.eventIndex;
    r.stepBack();
    expect(r.eventIndex).toBe(end - 1);
    expect(r.nowUs).toBeLessThan(r.endUs);
    r.stepForward();
    expect(r.eventIndex).toBe(end);
    expect(r.atEnd).toBe(true);
    r.seek(0);
    expect(r.replay?.batchesApplied).toBe(0);
    expect(r.markers().some((m) => m.kind === 'target')).toBe(true);
  });
});

describe('SimRunner.onSimEvent', () => {
  it('tells the events as the run plays on screen, and not again while a replay catches up', () => {
    const r = runner();
    const seen: string[] = [];
    r.onSimEvent((e) => seen.push(`${e.us} ${e.type}`));
    r.seek(3_000_000);
    expect(seen.some((s) => s.endsWith(' target'))).toBe(true);
    expect(seen.some((s) => s.endsWith(' buffer-popped'))).toBe(true);
    const before = seen.length;
    r.seek(1_000_000); // back: a checkpoint restored, run on to 1 s in silence
    expect(seen.length).toBe(before);
    // Forward again, playing (a forward seek may restore a later checkpoint in silence, and where
    // checkpoints lie depends on the wall clock): the same events, told again.
    r.advanceTo(3_000_000);
    expect(seen.slice(before).every((s) => Number(s.split(' ')[0]) > 1_000_000)).toBe(true);
    expect(seen.length).toBeGreaterThan(before);
  });
});

describe('SimRunner.act', () => {
  it('refuses an action the scenario rules refuse, naming why, and changes nothing', () => {
    const r = runner();
    r.seek(1_000_000);
    const before = JSON.stringify(r.scenario);
    expect(r.act({ at: 0, do: 'balloon', MiB: 0 })).toContain("Parameter 'target' expects a size");
    expect(r.act({ at: 0, do: 'free', name: 'nobody' })).toContain('no workload named "nobody"');
    expect(r.act({ at: 0, do: 'restore' })).toContain('needs an earlier "freeze"');
    expect(JSON.stringify(r.scenario)).toBe(before);
  });

  it('takes a fractional target as a step at the current moment, and the run goes on to its end', () => {
    const r = runner();
    r.seek(1_000_000);
    expect(r.act({ at: 0, do: 'balloon', MiB: 12.7 })).toBeNull();
    expect(r.scenario?.steps.some((s) => s.do === 'balloon' && s.MiB === 12.7 && s.at === 1)).toBe(true);
    r.seek(r.endUs);
    expect(r.nowUs).toBe(r.endUs);
  });
});

describe('SimRunner seeking with checkpoints', () => {
  /** What the page shows of a moment, and the trace so far. */
  const moment = (r: SimRunner) => ({
    index: r.eventIndex,
    us: r.nowUs,
    trace: r.sim!.trace.toText(),
    summary: r.summary(),
    markers: r.sim!.timeline.length,
  });

  it('a step back lands on the moment a run straight to the event before shows', () => {
    const r = runner();
    r.seek(r.endUs);
    const end = r.eventIndex;
    r.stepBack();
    const straight = runner();
    while (straight.eventIndex < end - 1) straight.stepForward();
    expect(moment(r)).toEqual(moment(straight));
    // And back again, and forward to the end: the same as ever.
    r.stepBack();
    expect(r.eventIndex).toBe(end - 2);
    r.seek(r.endUs);
    const again = runner();
    again.seek(again.endUs);
    expect(moment(r)).toEqual(moment(again));
  });

  it('a seek back to a time lands where a seek forward from the start does', () => {
    const r = runner();
    r.seek(r.endUs);
    r.seek(4_321_000);
    const fresh = runner();
    fresh.seek(4_321_000);
    expect(moment(r)).toEqual(moment(fresh));
  });

  it("keeps the operator's action when stepping back past it and playing on", () => {
    const r = runner();
    r.seek(4_000_000);
    expect(r.act({ at: 0, do: 'balloon', MiB: 100 })).toBeNull();
    r.seek(r.endUs);
    const withAction = moment(r);
    expect(JSON.stringify(r.sim!.timeline)).toContain('balloon 100 MiB');
    r.seek(1_000_000);
    expect(JSON.stringify(r.sim!.timeline)).not.toContain('balloon 100 MiB');
    r.seek(r.endUs);
    expect(moment(r)).toEqual(withAction);
  });
});

describe('pauseAt (a lesson playing to its next stop)', () => {
  it('stops playback exactly at each stop, where a replay to it stands', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseLesson } = await import('../lessons/lesson.ts');
    const { runLesson } = await import('../lessons/engine.ts');
    const { newSim } = await import('../sim/testing.ts');
    const parsed = parseLesson(
      readFileSync(new URL('../../public/lessons/one-batch.json', import.meta.url), 'utf8'),
    );
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const stops = runLesson(parsed.lesson, { scenarioFile: bundledScenario, simulate: (s) => newSim(s) });
    const r = runner('lesson-one-batch.json');
    const replayed = runner('lesson-one-batch.json');
    for (const stop of stops) {
      r.pauseAt = { event: stop.steps.main ?? 0, us: stop.us };
      // Playback asks for far more time than the stop is away, frame after frame.
      for (let frame = 0; frame < 1000 && !r.atPause; frame++) r.runFor(r.endUs, 1000);
      expect(r.atPause).toBe(true);
      expect([r.eventIndex, r.nowUs]).toEqual([stop.steps.main, stop.us]);
      replayed.replayToEvent(stop.steps.main ?? 0, stop.us);
      expect(r.summary()).toEqual(replayed.summary());
    }
  });

  it('gets there in frames of a few milliseconds of virtual time, as playback at 1× asks', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseLesson } = await import('../lessons/lesson.ts');
    const { runLesson } = await import('../lessons/engine.ts');
    const { newSim } = await import('../sim/testing.ts');
    for (const [lesson, file] of [
      ['why-a-balloon', 'lesson-why-balloon.json'],
      ['out-of-puff', 'lesson-out-of-puff.json'],
    ]) {
      const parsed = parseLesson(
        readFileSync(new URL(`../../public/lessons/${lesson}.json`, import.meta.url), 'utf8'),
      );
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      const stops = runLesson(parsed.lesson, { scenarioFile: bundledScenario, simulate: (s) => newSim(s) });
      const r = runner(file);
      for (const stop of stops) {
        r.pauseAt = { event: stop.steps.main ?? 0, us: stop.us };
        // A stop whose last event is well before its time: the clock must still move on to it.
        for (let frame = 0; frame < 100_000 && !r.atPause; frame++) r.runFor(r.nowUs + 16_000, 1000);
        expect([lesson, r.eventIndex, r.nowUs]).toEqual([lesson, stop.steps.main, stop.us]);
      }
    }
  });

  it('lapses when the run is already past it', () => {
    const r = runner();
    r.advanceTo(2_000_000);
    r.pauseAt = { event: 1, us: 1 };
    r.runFor(3_000_000, 1000);
    expect(r.pauseAt).toBeNull();
    expect(r.nowUs).toBe(3_000_000);
  });
});
