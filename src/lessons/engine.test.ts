import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { bundledScenario, newSim } from '../sim/testing.ts';
import { TraceReplay } from '../sim/trace-replay.ts';
import { fillPlaceholders, LessonError, runLesson } from './engine.ts';
import { watchEvents } from './events.ts';
import { type Lesson, parseLesson } from './lesson.ts';
import type { MeasureValues } from './measures.ts';

const host = { scenarioFile: bundledScenario, simulate: (s: Parameters<typeof newSim>[0]) => newSim(s) };

function lesson(json: unknown): Lesson {
  const r = parseLesson(json);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.lesson;
}

const bundled = (id: string) =>
  lesson(readFileSync(new URL(`../../public/lessons/${id}.json`, import.meta.url), 'utf8'));

describe('runLesson', () => {
  it('why-a-balloon: the freed 150 MiB stays host-backed until the balloon takes it', () => {
    // The lesson's point, pinned: the workload touched 150 MiB (lesson-why-balloon.json), freeing it
    // leaves host RSS where it was, and the 160 MiB balloon gives all 150 MiB back to the host.
    const [touched, freed, ballooned] = runLesson(bundled('why-a-balloon'), host);
    expect(touched.measures.main?.hostRssMiB).toBeGreaterThanOrEqual(150);
    expect(freed.measures.main?.rssChangeMiB).toBe(0);
    expect(ballooned.measures.main?.actualMiB).toBe(160);
    expect(ballooned.measures.main?.rssDropMiB).toBe(150);
    expect(ballooned.prose).toContain('host RSS fell 150 MiB');
  });

  it('one-batch: an event stop pauses right after the Nth event', () => {
    const stops = runLesson(bundled('one-batch'), host);
    expect(stops[1].measures.main?.inflateBatches).toBe(1);
    expect(stops[3].measures.main?.rssChangeMiB).toBe(-1);
    expect(stops[2].measures.main?.inflatePops).toBe(1);
    expect(stops[4].measures.main?.actual).toBe(256);
    expect(stops[4].measures.main?.actualWrites).toBe(1);
  });

  it('stands both runs of a compare lesson at the same time', () => {
    const stops = runLesson(bundled('huge-host-pages'), host);
    const after = stops[1].measures;
    expect(after.left?.timeS).toBe(after.right?.timeS);
    expect(after.left?.actual).toBe(after.right?.actual);
    expect(Number(after.left?.rssDropMiB)).toBeGreaterThan(100);
    expect(after.right?.rssDropMiB).toBe(0);
  });

  it('says which stop can never be reached', () => {
    const l = lesson({
      version: 1,
      id: 'never',
      title: 'Never',
      summary: 'x',
      scenario: 'lesson-one-batch.json',
      stops: [{ title: 't', when: { event: 'oom-kill', count: 1 }, prose: 'x', panels: ['host'] }],
    });
    expect(() => runLesson(l, host)).toThrow(LessonError);
    expect(() => runLesson(l, host)).toThrow('stops[0]: event oom-kill #1 never happens (0 by the end)');
  });

  it('reports a question whose stated answer is false', () => {
    const l = lesson({
      version: 1,
      id: 'wrong',
      title: 'Wrong',
      summary: 'x',
      scenario: 'lesson-one-batch.json',
      stops: [
        {
          title: 't',
          when: { at: 3 },
          prose: 'x',
          panels: ['host'],
          question: {
            ask: 'q',
            choices: ['a', 'b'],
            answer: 0,
            why: 'w',
            check: { measure: 'actual', at: 'this', op: 'eq', value: 0 },
          },
        },
      ],
    });
    expect(runLesson(l, host)[0].check).toEqual({ holds: false, said: 'actual = 256, eq 0' });
  });
});

describe('watchEvents', () => {
  it('leaves the trace as it would be without it, byte for byte', () => {
    const plain = newSim(bundledScenario('lesson-one-batch.json'));
    plain.runToEnd();
    const watched = newSim(bundledScenario('lesson-one-batch.json'));
    const events = watchEvents(watched);
    watched.runToEnd();
    expect(events.count('inflate-popped')).toBe(1);
    expect(watched.trace.toText()).toBe(plain.trace.toText());
  });
});

describe('fillPlaceholders', () => {
  it('writes numbers as the prose shows them and refuses a measure it has not got', () => {
    const m = { actual: 40960, hostRssMiB: 18.3 } as unknown as MeasureValues;
    expect(fillPlaceholders('{actual} pages, {hostRssMiB} MiB', { main: m })).toBe('40,960 pages, 18.3 MiB');
    expect(fillPlaceholders('{left.actual}', { left: m })).toBe('40,960');
    expect(() => fillPlaceholders('{right.actual}', { left: m })).toThrow('placeholder {right.actual}');
    const down = { rssChangeMiB: -150 } as unknown as MeasureValues;
    expect(fillPlaceholders('RSS {rssChangeMiB} MiB', { main: down })).toBe('RSS \u2212150 MiB');
  });
});

describe('a stop replayed', () => {
  it('is the same moment after the same number of steps, then the clock moved to its time', () => {
    const lesson = bundled('num-pages-and-actual');
    const stops = runLesson(lesson, host);
    for (const stop of stops) {
      const sim = newSim(bundledScenario('lesson-num-pages-actual.json'));
      for (let i = 0; i < (stop.steps.main ?? -1); i++) expect(sim.step()).toBe(true);
      if (lesson.stops[stop.index].when.at !== undefined) sim.runUntilUs(stop.us);
      expect(sim.nowUs).toBe(stop.us);
      expect(sim.device.actual).toBe(stop.measures.main?.actual);
      expect(sim.device.numPages).toBe(stop.measures.main?.numPages);
    }
  });
});

describe('runLesson, a trace lesson', () => {
  it('replays the real trace to each stop time and reads the numbers it carries', () => {
    const module = loadCoreModuleSync();
    const text = readFileSync(
      new URL('../../../shared/fixtures/qemu-inflate.trace', import.meta.url),
      'utf8',
    );
    const traceHost = {
      ...host,
      replayTrace: () => {
        const r = TraceReplay.load(BalloonCore.fromWasm(module), text);
        if (typeof r === 'string') throw new Error(r);
        return r;
      },
    };
    const l = lesson({
      version: 1,
      id: 'real',
      title: 'Real',
      summary: 'A trace.',
      trace: 'qemu-inflate.trace',
      stops: [
        { title: 'Idle', when: { at: 1 }, prose: 'Target {numPages}.', panels: ['trace'] },
        { title: 'Full', when: { at: 5 }, prose: 'actual is {actual}.', panels: ['trace'] },
      ],
    });
    // The fixture's header: QMP `balloon 240` on a 256 MiB guest at ~2 s asks for 16 MiB, 4096 pages.
    const [idle, full] = runLesson(l, traceHost);
    expect(idle.measures.main?.numPages).toBe(0);
    expect(full.measures.main?.numPages).toBe(4096);
    expect(full.measures.main?.actual).toBe(4096);
    expect(full.prose).toBe('actual is 4,096.');
    expect(() => runLesson(l, host)).toThrow(LessonError);
  });
});
