// Steps a person would name: each ends exactly where its mark changes, and a step back returns to the
// moment the step forward started from.
import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { bundledScenario } from '../sim/testing.ts';
import { stepMark as mark } from '../sim/view.ts';
import { SimRunner } from './sim-runner.ts';
import { stepBack, stepForward } from './steps.ts';

const module = loadCoreModuleSync();

function runner(): SimRunner {
  const r = new SimRunner(BalloonCore.fromWasm(module));
  r.load(bundledScenario('inflate-deflate.json'));
  return r;
}

describe.each(['batch', 'function', 'marker'] as const)('step by %s', (kind) => {
  it('forward stops at the first event that changes the mark, one event after the same mark', () => {
    const r = runner();
    const sim0 = r.sim!;
    const from = mark(sim0, kind);
    stepForward(r, kind);
    const at = r.eventIndex;
    expect(at).toBeGreaterThan(0);
    expect(mark(r.sim!, kind)).not.toBe(from);
    // One event fewer, from the start, the mark had not changed yet.
    r.replayToEvent(at - 1);
    expect(mark(r.sim!, kind)).toBe(from);
  });

  it('back after two steps forward lands where the first ended', () => {
    const r = runner();
    stepForward(r, kind);
    const first = r.eventIndex;
    stepForward(r, kind);
    expect(r.eventIndex).toBeGreaterThan(first);
    stepBack(r, kind);
    expect(r.eventIndex).toBe(first);
    stepBack(r, kind);
    expect(r.eventIndex).toBe(0);
  });
});

it('a batch step ends with one more buffer handled by the device', () => {
  const r = runner();
  const c = r.sim!.counters;
  const before = c.inflateBatches + c.deflateBatches + c.statsAnswers;
  stepForward(r, 'batch');
  const d = r.sim!.counters;
  expect(d.inflateBatches + d.deflateBatches + d.statsAnswers).toBe(before + 1);
});

describe('step back over a long run', () => {
  /** Where each change of the mark happened (the event after which it shows), from the start. */
  function changes(file: string, kind: 'batch' | 'function' | 'marker', upTo: number): number[] {
    const r = new SimRunner(BalloonCore.fromWasm(module));
    r.load(bundledScenario(file));
    const out: number[] = [];
    let m = mark(r.sim!, kind);
    let k = 0;
    r.stepUntil((s) => {
      k++;
      const now = mark(s, kind);
      if (now !== m) out.push(k);
      m = now;
      return k >= upTo;
    });
    return out;
  }

  it.each(['batch', 'function', 'marker'] as const)(
    'back by %s from the end and from the middle lands on the last change before, wherever the checkpoints lie',
    (kind) => {
      const file = 'fault-second-stats-buffer.json';
      const r = new SimRunner(BalloonCore.fromWasm(module));
      r.load(bundledScenario(file));
      r.seek(r.endUs);
      const end = r.eventIndex;
      for (const here of [end, Math.floor(end / 2)]) {
        r.replayToEvent(here);
        const before = changes(file, kind, here).filter((i) => i < here);
        stepBack(r, kind);
        expect(r.eventIndex).toBe(before.at(-1) ?? 0);
      }
    },
  );
});
