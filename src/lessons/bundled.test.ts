// Every bundled lesson, run headless: each stop is reached, its measures resolve, the prose is within
// the word limit, and each question's stated answer holds in the simulation where the lesson checks it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { bundledScenario, newSim } from '../sim/testing.ts';
import { TraceReplay } from '../sim/trace-replay.ts';
import { runLesson } from './engine.ts';
import { LESSON_EVENT_NAMES } from './events.ts';
import { countWords, MAX_PROSE_WORDS, parseLesson, parseLessonIndex } from './lesson.ts';
import { MEASURE_NAMES } from './measures.ts';

const read = (file: string) => readFileSync(new URL(`../../public/${file}`, import.meta.url), 'utf8');
const index = JSON.parse(read('lessons/index.json')) as {
  lessons: { file: string; id: string; title: string }[];
};
const scenarioFiles = (
  JSON.parse(read('scenarios/index.json')) as { scenarios: { file: string }[] }
).scenarios.map((s) => s.file);
const coreModule = loadCoreModuleSync();
const host = {
  scenarioFile: bundledScenario,
  simulate: (s: Parameters<typeof newSim>[0]) => newSim(s),
  /** A bundled trace (public/traces/), replayed on a core of its own. */
  replayTrace: (file: string) => {
    const r = TraceReplay.load(BalloonCore.fromWasm(coreModule), read(`traces/${file}`));
    if (typeof r === 'string') throw new Error(`${file}: ${r}`);
    return r;
  },
};

describe('bundled lessons', () => {
  it('are listed in a valid index', () => {
    expect(parseLessonIndex(index)).toMatchObject({ ok: true });
    expect(
      parseLessonIndex({ version: 1, lessons: [{ file: 'a.json', id: 'b', title: 't', summary: 's' }] }),
    ).toEqual({
      ok: false,
      errors: ['lessons[0].file: must be "b.json"'],
    });
  });

  it('are at least ten, each id unique and equal to its file name', () => {
    expect(index.lessons.length).toBeGreaterThanOrEqual(10);
    expect(new Set(index.lessons.map((l) => l.id)).size).toBe(index.lessons.length);
    for (const l of index.lessons) expect(l.file).toBe(`${l.id}.json`);
  });

  for (const entry of index.lessons) {
    it(`${entry.id}: parses, reaches every stop, and its claims hold`, () => {
      const r = parseLesson(read(`lessons/${entry.file}`));
      if (!r.ok) throw new Error(r.errors.join('\n'));
      const lesson = r.lesson;
      expect(lesson.title).toBe(entry.title);
      const refs = lesson.scenario ? [lesson.scenario] : [lesson.compare?.left, lesson.compare?.right];
      for (const ref of refs) if (ref && 'file' in ref) expect(scenarioFiles).toContain(ref.file);
      const stops = runLesson(lesson, host);
      expect(stops).toHaveLength(lesson.stops.length);
      let last = -1;
      stops.forEach((s, i) => {
        expect(s.us, `stop ${i} goes forward`).toBeGreaterThanOrEqual(last);
        last = s.us;
        expect(s.prose).not.toMatch(/[{}]/);
        expect(countWords(s.prose)).toBeLessThanOrEqual(MAX_PROSE_WORDS);
        for (const values of Object.values(s.measures)) {
          for (const [name, v] of Object.entries(values ?? {})) {
            expect(typeof v === 'string' || Number.isFinite(v), `${name} at stop ${i}`).toBe(true);
          }
        }
        if (lesson.stops[i].question?.check)
          expect(s.check, `stop ${i}: ${s.check?.said}`).toMatchObject({ holds: true });
      });
    });
  }
});

describe('the glossary', () => {
  const glossary = JSON.parse(read('lessons/glossary.json')) as {
    version: number;
    terms: { term: string; spec: string; gloss: string }[];
  };
  it('glosses every protocol term the lessons lean on, each once, in a sentence or two', () => {
    expect(glossary.version).toBe(1);
    const terms = glossary.terms.map((t) => t.term);
    expect(new Set(terms).size).toBe(terms.length);
    for (const needed of [
      'PFN',
      'GPA',
      'num_pages',
      'actual',
      'descriptor',
      'avail ring',
      'used ring',
      'kick',
    ]) {
      expect(terms).toContain(needed);
    }
    for (const needed of ['interrupt', 'MADV_DONTNEED', 'DEFLATE_ON_OOM', 'MUST_TELL_HOST', 'STATS_VQ']) {
      expect(terms).toContain(needed);
    }
    for (const needed of ['virtqueue', 'host RSS', 'guest page vs host page', 'out of puff', 'compaction']) {
      expect(terms).toContain(needed);
    }
    expect(terms).toContain('NEEDS_RESET');
    for (const t of glossary.terms) {
      expect(t.spec.trim(), t.term).not.toBe('');
      expect(countWords(t.gloss), t.term).toBeLessThanOrEqual(40);
    }
  });
});

describe('docs/lessons.md', () => {
  const doc = readFileSync(new URL('../../docs/lessons.md', import.meta.url), 'utf8');
  it('lists every event and every measure', () => {
    // A table row of its own, however the formatter pads the cells.
    for (const name of [...LESSON_EVENT_NAMES, ...MEASURE_NAMES]) {
      expect(doc).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
    }
  });
});
