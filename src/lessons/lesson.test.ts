import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countWords, type Lesson, parseLesson } from './lesson.ts';

/** A small valid lesson; each bad-file test breaks one thing of it. */
function good(): Record<string, unknown> {
  return {
    version: 1,
    id: 'tiny',
    title: 'Tiny',
    summary: 'One stop.',
    scenario: 'lesson-one-batch.json',
    stops: [
      {
        title: 'A batch',
        when: { event: 'inflate-popped', count: 1 },
        prose: 'The device popped a buffer; actual is {actual}.',
        highlights: [
          { on: 'map', frames: 'last-batch', label: 'these {actual} pages' },
          { on: 'ring', queue: 'inflate', part: 'avail' },
          { on: 'driver', fn: 'tell_host', lines: [114, 120] },
          { on: 'plot', series: 'hostRss' },
          { on: 'number', panel: 'host', measure: 'hostRssMiB', label: 'RSS {hostRssMiB} MiB' },
          { on: 'map', pfns: [0, 255] },
        ],
        question: {
          ask: 'What is actual now?',
          choices: ['0', '256'],
          answer: 0,
          why: 'The driver writes actual after the used ring.',
          check: { measure: 'actual', at: 'next', op: 'eq', value: 256 },
        },
        panels: ['rings', 'map'],
      },
      { title: 'Later', when: { at: 2 }, prose: 'Done.', panels: ['host'] },
    ],
  };
}

function errorsOf(
  mutate: (l: Record<string, unknown> & { stops: Record<string, unknown>[] }) => void,
): string[] {
  const l = good() as Record<string, unknown> & { stops: Record<string, unknown>[] };
  mutate(l);
  const r = parseLesson(l);
  if (r.ok) throw new Error('expected the lesson to be refused');
  return r.errors;
}

describe('parseLesson', () => {
  it('accepts a good lesson, as an object and as JSON text, and keeps what it says', () => {
    const r = parseLesson(JSON.stringify(good()));
    if (!r.ok) throw new Error(r.errors.join('; '));
    const l: Lesson = r.lesson;
    expect(l.scenario).toEqual({ file: 'lesson-one-batch.json' });
    expect(l.stops[0].when).toEqual({ event: 'inflate-popped', count: 1 });
    expect(l.stops[0].highlights[2]).toEqual({ on: 'driver', fn: 'tell_host', lines: [114, 120] });
    expect(l.stops[0].highlights[1]).toMatchObject({ slot: 'last' });
    expect(l.stops[1].highlights).toEqual([]);
    expect(l.stops[0].question?.check).toEqual({ measure: 'actual', at: 'next', op: 'eq', value: 256 });
  });

  it('takes an inline scenario and reports its problems under the lesson path', () => {
    const inline = { version: 1, name: 'x', guest: { memoryMiB: 64 }, steps: [{ at: 1, do: 'end' }] };
    const r = parseLesson({ ...good(), scenario: inline });
    expect(r.ok).toBe(true);
    expect(errorsOf((l) => (l.scenario = { ...inline, guest: { memoryMiB: 1 } }))).toEqual([
      'scenario: guest.memoryMiB: must be an integer from 16 to 16384',
    ]);
  });

  it('counts the words of the prose and names the stop', () => {
    const long = Array.from({ length: 96 }, (_, i) => `w${i}`).join(' ');
    expect(errorsOf((l) => (l.stops[1].prose = long))).toEqual(['stops[1].prose: 96 words, at most 80']);
    expect(countWords('  a {actual}  b\n c ')).toBe(4);
  });

  it.each([
    [
      'an unknown event',
      (l: { stops: Record<string, unknown>[] }) => (l.stops[0].when = { event: 'inflated' }),
      'stops[0].when.event: unknown event "inflated" (known: inflate-popped',
    ],
    [
      'a placeholder for an unknown measure',
      (l: { stops: Record<string, unknown>[] }) => (l.stops[1].prose = 'RSS is {rss}.'),
      'stops[1].prose: placeholder {rss}: unknown measure "rss"',
    ],
    [
      'an answer index out of range',
      (l: { stops: Record<string, unknown>[] }) =>
        ((l.stops[0].question as Record<string, unknown>).answer = 2),
      'stops[0].question.answer: 2 is out of range: there are 2 choices (0 to 1)',
    ],
    [
      'five choices',
      (l: { stops: Record<string, unknown>[] }) =>
        ((l.stops[0].question as Record<string, unknown>).choices = ['a', 'b', 'c', 'd', 'e']),
      'stops[0].question.choices: 5 choices, must be 2 to 4',
    ],
    [
      'both a time and an event',
      (l: { stops: Record<string, unknown>[] }) => (l.stops[0].when = { at: 1, event: 'oom-kill' }),
      'stops[0].when: give exactly one of at (virtual seconds) or event',
    ],
    [
      'an unknown panel',
      (l: { stops: Record<string, unknown>[] }) => (l.stops[1].panels = ['host', 'inspector']),
      'stops[1].panels[1]: unknown panel "inspector"',
    ],
    [
      'seed lines outside the function',
      (l: { stops: Record<string, unknown>[] }) =>
        ((l.stops[0].highlights as unknown[])[2] = { on: 'driver', fn: 'tell_host', lines: [100, 120] }),
      'stops[0].highlights[2].lines: must lie inside tell_host, seed lines 114–128',
    ],
    [
      'a check on the next stop from the last stop',
      (l: { stops: Record<string, unknown>[] }) =>
        (l.stops[1].question = {
          ask: 'q',
          choices: ['a', 'b'],
          answer: 1,
          why: 'w',
          check: { measure: 'actual', at: 'next', op: 'eq', value: 1 },
        }),
      'stops[1].question.check.at: "next" on the last stop',
    ],
    [
      'a side in a one-run lesson',
      (l: { stops: Record<string, unknown>[] }) => (l.stops[1].prose = '{left.actual}'),
      'stops[1].prose: placeholder {left.actual}: only a compare lesson has sides',
    ],
    [
      'an unknown key',
      (l: { stops: Record<string, unknown>[] }) => (l.stops[0].pause = true),
      'stops[0].pause: unknown key (a stop takes: title, when, prose, highlights, question, panels)',
    ],
    [
      'a scenario path outside public/scenarios',
      (l: Record<string, unknown>) => (l.scenario = '../secret.json'),
      'scenario: must be a scenario file name in public/scenarios/',
    ],
    [
      'a time before the stop before',
      (l: { stops: Record<string, unknown>[] }) => {
        l.stops[0].when = { at: 3 };
      },
      'stops[1].when.at: 2 s comes before an earlier stop',
    ],
  ])('refuses %s with a message naming the field', (_, mutate, message) => {
    const errors = errorsOf(
      mutate as (l: Record<string, unknown> & { stops: Record<string, unknown>[] }) => void,
    );
    expect(
      errors.some((e) => e.startsWith(message)),
      errors.join('\n'),
    ).toBe(true);
  });

  it('checks compare lessons: both runs, labels, and a side for every event and placeholder', () => {
    const compare = {
      left: 'lesson-host-4k.json',
      right: 'lesson-host-2m.json',
      leftLabel: '4 KiB',
      rightLabel: '2 MiB',
    };
    const base = { ...good(), scenario: undefined, compare };
    delete (base as Record<string, unknown>).scenario;
    const stops = [
      { title: 't', when: { at: 1 }, prose: '{left.hostRssMiB} vs {right.hostRssMiB}', panels: ['host'] },
    ];
    expect(parseLesson({ ...base, stops }).ok).toBe(true);
    const bad = parseLesson({
      ...base,
      stops: [{ title: 't', when: { event: 'oom-kill' }, prose: '{hostRssMiB}', panels: ['host'] }],
    });
    expect(bad.ok ? [] : bad.errors).toEqual([
      'stops[0].when.side: is required in a compare lesson ("left" or "right")',
      'stops[0].prose: placeholder {hostRssMiB}: say which run, {left.hostRssMiB} or {right.hostRssMiB}',
    ]);
    expect(parseLesson({ ...good(), compare }).ok).toBe(false);
  });

  it('answers bad JSON and non-objects with one message', () => {
    expect(parseLesson('{')).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^\(root\): not valid JSON/)],
    });
    expect(parseLesson([])).toEqual({ ok: false, errors: ['(root): must be an object'] });
  });

  it('never throws on random JSON, and every problem names a path', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = parseLesson(value);
        if (!r.ok) for (const e of r.errors) expect(e).toMatch(/\S: \S/);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on a good lesson with random values put in its fields', () => {
    const paths = [
      ['stops', 0, 'when'],
      ['stops', 0, 'prose'],
      ['stops', 0, 'highlights'],
      ['stops', 0, 'question'],
      ['stops', 0, 'panels'],
      ['stops', 1],
      ['scenario'],
      ['title'],
      ['version'],
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const l = good();
        let obj: Record<string | number, unknown> = l;
        for (const key of path.slice(0, -1)) obj = obj[key] as Record<string | number, unknown>;
        obj[path[path.length - 1]] = value;
        const r = parseLesson(l);
        if (!r.ok) expect(r.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseLesson, a lesson that replays a real trace', () => {
  function traceLesson(): Record<string, unknown> {
    return {
      version: 1,
      id: 'real',
      title: 'Real',
      summary: 'A trace.',
      trace: 'qemu-inflate.trace',
      stops: [
        {
          title: 'Target',
          when: { at: 0.5 },
          prose: 'The target is {numPages} pages; actual is {actual}.',
          highlights: [
            { on: 'map', frames: 'balloon' },
            { on: 'number', panel: 'trace', measure: 'actual' },
          ],
          panels: ['trace', 'map'],
        },
      ],
    };
  }

  it('accepts a trace and time stops, and keeps the trace file', () => {
    const r = parseLesson(traceLesson());
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.lesson.trace).toBe('qemu-inflate.trace');
    expect(r.lesson.scenario).toBeUndefined();
  });

  it('refuses a trace with a scenario, a bad file name, event stops and measures a trace lacks', () => {
    const both = { ...traceLesson(), scenario: 'lesson-one-batch.json' };
    const r1 = parseLesson(both);
    expect(r1.ok ? [] : r1.errors).toContainEqual(expect.stringMatching(/^scenario: give exactly one of/));
    const r2 = parseLesson({ ...traceLesson(), trace: '../x.trace' });
    expect(r2.ok ? [] : r2.errors).toContainEqual(expect.stringMatching(/^trace: must be a trace file name/));
    const l = traceLesson() as { stops: Record<string, unknown>[] };
    l.stops[0].when = { event: 'inflate-popped', count: 1 };
    l.stops[0].prose = 'RSS is {hostRssMiB} MiB.';
    l.stops[0].highlights = [{ on: 'map', frames: 'last-batch' }];
    const r3 = parseLesson(l);
    const errors = r3.ok ? [] : r3.errors;
    expect(errors).toContainEqual(
      expect.stringMatching(/^stops\[0\]\.when: a trace lesson's stops are reached at a time/),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(/^stops\[0\]\.highlights\[0\]: a trace lesson outlines/),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(/^stops\[0\]: \{hostRssMiB\}: a trace does not carry it/),
    );
  });
});
