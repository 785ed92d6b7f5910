// planLesson works a lesson out on cores of its own, as the app does, and gives the same stops as
// the engine run on fresh simulations (the moments the app replays to).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { bundledScenario, newSim } from '../sim/testing.ts';
import { runLesson } from './engine.ts';
import { parseLesson } from './lesson.ts';
import { planLesson, scenarioFilesOf } from './plan.ts';

const module = loadCoreModuleSync();
const read = (file: string) => readFileSync(new URL(`../../public/${file}`, import.meta.url), 'utf8');

describe('planLesson', () => {
  for (const id of ['one-batch', 'deflate-on-oom']) {
    it(`${id}: the same stops as the engine on fresh simulations`, () => {
      const r = parseLesson(read(`lessons/${id}.json`));
      if (!r.ok) throw new Error(r.errors.join('\n'));
      const files = new Map(scenarioFilesOf(r.lesson).map((f) => [f, bundledScenario(f)]));
      const cores = [BalloonCore.fromWasm(module), BalloonCore.fromWasm(module)];
      const planned = planLesson(r.lesson, files, cores);
      const direct = runLesson(r.lesson, { scenarioFile: bundledScenario, simulate: (s) => newSim(s) });
      expect(planned.map((s) => [s.us, s.steps, s.prose])).toEqual(
        direct.map((s) => [s.us, s.steps, s.prose]),
      );
      // Planned again on the same cores (the app reuses them): the same again.
      expect(planLesson(r.lesson, files, cores).map((s) => s.steps)).toEqual(planned.map((s) => s.steps));
    });
  }

  it('says when a scenario was not loaded, or a core is missing', () => {
    const r = parseLesson(read('lessons/why-a-balloon.json'));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(() => planLesson(r.lesson, new Map(), [BalloonCore.fromWasm(module)])).toThrow(
      'scenario lesson-why-balloon.json was not loaded',
    );
    const files = new Map(scenarioFilesOf(r.lesson).map((f) => [f, bundledScenario(f)]));
    expect(() => planLesson(r.lesson, files, [])).toThrow('one core per run');
  });
});
