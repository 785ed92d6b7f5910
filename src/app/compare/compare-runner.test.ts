// The comparison's one clock: both runs stand at the same virtual time whatever moved it (a budgeted
// slice, a seek, a lesson stop), and a lesson's stop replays to exactly the moment its engine paused at.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../../core/core.ts';
import { loadCoreModuleSync } from '../../core/wasm-node.ts';
import { type ReachedStop, runLesson } from '../../lessons/engine.ts';
import { type Lesson, parseLesson } from '../../lessons/lesson.ts';
import type { Scenario } from '../../sim/scenario.ts';
import { bundledScenario, newSim } from '../../sim/testing.ts';
import { CompareRunner, SIDES } from './compare-runner.ts';
import { KEY_NUMBERS, readKeyNumbers } from './key-numbers.ts';

const module = loadCoreModuleSync();

function compare(left: string, right: string): CompareRunner {
  const r = new CompareRunner(BalloonCore.fromWasm(module), BalloonCore.fromWasm(module));
  r.load(bundledScenario(left), bundledScenario(right), { left, right });
  return r;
}

/** A clock that moves `msPerLook` every time it is read. */
function fakeClock(msPerLook: number): () => number {
  let t = 0;
  return () => {
    t += msPerLook;
    return t;
  };
}

/** Each run stands at the shared clock, or at its own end when that came first. */
function expectOneClock(r: CompareRunner): void {
  for (const s of SIDES) {
    const side = r.side(s);
    expect(side.nowUs, `${s} at ${r.nowUs} µs`).toBe(Math.min(r.nowUs, side.endUs));
  }
}

function lesson(id: string): Lesson {
  const text = readFileSync(new URL(`../../../public/lessons/${id}.json`, import.meta.url), 'utf8');
  const parsed = parseLesson(JSON.parse(text));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.lesson;
}

/**
 * The engine's runs as they stand at stop `index` of a compare lesson: the lesson cut after that stop,
 * run headless with its simulations kept.
 */
function engineAt(l: Lesson, index: number) {
  const sims: ReturnType<typeof newSim>[] = [];
  const host = {
    scenarioFile: bundledScenario,
    simulate: (s: Scenario) => {
      const sim = newSim(s);
      sims.push(sim);
      return sim;
    },
  };
  const stops = runLesson({ ...l, stops: l.stops.slice(0, index + 1) }, host);
  // The engine starts the left run first.
  return { stop: stops[index], left: sims[0], right: sims[1] };
}

function runnerFor(l: Lesson): CompareRunner {
  const c = l.compare!;
  const file = (ref: typeof c.left) => ('file' in ref ? bundledScenario(ref.file) : ref.inline);
  const r = new CompareRunner(BalloonCore.fromWasm(module), BalloonCore.fromWasm(module));
  r.load(file(c.left), file(c.right), { left: c.leftLabel, right: c.rightLabel });
  return r;
}

const stepsOf = (stop: ReachedStop) => ({ left: stop.steps.left!, right: stop.steps.right! });

/** The runner shows exactly the engine's moment: summaries, traces, and the table's numbers. */
function expectSameMoment(r: CompareRunner, at: ReturnType<typeof engineAt>): void {
  expect(r.nowUs).toBe(at.stop.us);
  expectOneClock(r);
  const summary = r.compareSummary();
  expect(summary.left).toEqual(at.left.summary());
  expect(summary.right).toEqual(at.right.summary());
  expect(r.left.traceText()).toBe(at.left.trace.toText());
  expect(r.right.traceText()).toBe(at.right.trace.toText());
  for (const s of SIDES) {
    const shown = readKeyNumbers(r.side(s));
    for (const k of KEY_NUMBERS)
      expect(shown[k.measure], `${s}.${k.measure}`).toBe(at.stop.measures[s]?.[k.measure]);
  }
}

describe('CompareRunner: one clock', () => {
  it('needs a core for each run', () => {
    const core = BalloonCore.fromWasm(module);
    expect(() => new CompareRunner(core, core)).toThrow('each run needs its own BalloonCore');
  });

  it('stands both runs at the same time after every budgeted slice, the shorter at its end', () => {
    // lesson-oom-deflate.json ends at 10 s, lesson-host-4k.json at 9 s.
    const r = compare('lesson-oom-deflate.json', 'lesson-host-4k.json');
    expect(r.endUs).toBe(10_000_000);
    let slices = 0;
    let last = 0;
    while (!r.runFor(r.endUs, 2, { clock: fakeClock(1) })) {
      slices++;
      expect(r.nowUs).toBeGreaterThanOrEqual(last);
      last = r.nowUs;
      expectOneClock(r);
    }
    expect(slices).toBeGreaterThan(10);
    expect(r.nowUs).toBe(r.endUs);
    expect(r.right.nowUs).toBe(9_000_000);
    expect(r.atEnd).toBe(true);
    expectOneClock(r);
  });

  it('ends sliced play where one seek gets to, run by run', () => {
    const sliced = compare('lesson-host-4k.json', 'lesson-host-2m.json');
    while (!sliced.runFor(6_500_000, 3, { clock: fakeClock(1) })) {}
    const seeked = compare('lesson-host-4k.json', 'lesson-host-2m.json');
    seeked.seek(6_500_000);
    expect(sliced.nowUs).toBe(6_500_000);
    expect(sliced.compareSummary()).toEqual(seeked.compareSummary());
    expect(sliced.left.traceText()).toBe(seeked.left.traceText());
    expect(sliced.right.traceText()).toBe(seeked.right.traceText());
  });

  it('seeks both runs back and forth together', () => {
    const r = compare('lesson-oom-deflate.json', 'lesson-oom-killer.json');
    for (const us of [7_000_000, 2_500_000, 10_000_000, 0, 4_200_123, 99_000_000]) {
      r.seek(us);
      expect(r.nowUs).toBe(Math.min(us, r.endUs));
      expectOneClock(r);
    }
    r.stepBy(-1_000_000);
    expect(r.nowUs).toBe(9_000_000);
    r.stepBy(10_000);
    expect(r.nowUs).toBe(9_010_000);
    expectOneClock(r);
  });

  it('never moves the clock back in runFor, and tells the UI once a run or at flush()', () => {
    const r = compare('lesson-host-4k.json', 'lesson-host-2m.json');
    let told = 0;
    r.subscribe(() => told++);
    r.seek(3_000_000);
    expect(told).toBe(1);
    expect(r.runFor(1_000_000, 1_000)).toBe(true);
    expect(r.nowUs).toBe(3_000_000);
    r.runFor(3_500_000, 1_000, { quiet: true });
    expect(told).toBe(2);
    r.flush();
    expect(told).toBe(3);
    r.flush();
    expect(told).toBe(3);
  });
  it('plays until a jump: a seek, a step or a replay pauses it, a slice of play does not', () => {
    const r = compare('lesson-host-4k.json', 'lesson-host-2m.json');
    let told = 0;
    r.subscribe(() => told++);
    r.setPlaying(true);
    expect([r.playing, told]).toEqual([true, 1]);
    r.runFor(1_000_000, 1_000, { quiet: true });
    expect(r.playing).toBe(true);
    r.seek(2_000_000);
    expect(r.playing).toBe(false);
    for (const jump of [
      () => r.stepBy(10_000),
      () => r.stepBy(-10_000),
      () => r.replayTo({ left: 0, right: 0 }, 0),
    ]) {
      r.setPlaying(true);
      jump();
      expect(r.playing).toBe(false);
    }
  });
});

describe('CompareRunner.replayTo', () => {
  const deflateOnOom = lesson('deflate-on-oom');

  it('reaches each stop of deflate-on-oom.json as the lesson engine does', () => {
    const r = runnerFor(deflateOnOom);
    for (let i = 0; i < deflateOnOom.stops.length; i++) {
      const at = engineAt(deflateOnOom, i);
      r.replayTo(stepsOf(at.stop), at.stop.us);
      expectSameMoment(r, at);
    }
  });

  it('goes back to an earlier stop from later in the run', () => {
    const r = runnerFor(deflateOnOom);
    r.seek(r.endUs);
    const first = engineAt(deflateOnOom, 0);
    r.replayTo(stepsOf(first.stop), first.stop.us);
    expectSameMoment(r, first);
  });

  it('stops between two events of the same microsecond at an event stop, and plays on from there', () => {
    // freeze-restore.json's 97th inflate kick (the re-inflate after resume) is followed by another
    // event of the same microsecond (6.000005 s): the only such stop among the bundled scenarios.
    const l: Lesson = {
      ...deflateOnOom,
      compare: {
        left: { file: 'freeze-restore.json' },
        right: { file: 'inflate-deflate.json' },
        leftLabel: 'suspend and resume',
        rightLabel: 'inflate then deflate',
      },
      stops: [
        {
          ...deflateOnOom.stops[0],
          when: { event: 'inflate-kick', count: 97, side: 'left' },
          question: undefined,
        },
      ],
    };
    const at = engineAt(l, 0);
    expect(at.left.sched.nextTime()).toBe(at.stop.us);
    const r = runnerFor(l);
    r.seek(r.endUs);
    r.replayTo(stepsOf(at.stop), at.stop.us);
    expectSameMoment(r, at);
    expect(r.left.playable?.nextTime()).toBe(r.nowUs);
    // On from the stop: the same as running straight through.
    r.runFor(r.nowUs + 500_000, Number.POSITIVE_INFINITY);
    const straight = runnerFor(l);
    straight.seek(r.nowUs);
    expect(r.compareSummary()).toEqual(straight.compareSummary());
    expect(r.left.traceText()).toBe(straight.left.traceText());
    expect(r.right.traceText()).toBe(straight.right.traceText());
  });
});
