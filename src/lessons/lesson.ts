// The lesson file, version 1 (docs/lessons.md): a scenario (or two, compared on one clock) and the
// stops a student pauses at. `parseLesson` checks everything and answers every problem as
// `<json path>: <reason>`, as parseScenario does for scenario files; it never throws.

import { DRIVER_FUNCTIONS, type DriverFunction, SEED_FUNCTIONS } from '../sim/driver/seed-map.ts';
import {
  childPath,
  isJsonObject,
  type JsonObject,
  listForMessage,
  Problems,
  ROOT_PATH,
  readArray,
  readInteger,
  readNonEmptyString,
  readNumber,
  readObject,
  rejectUnknownKeys,
} from '../sim/json-check.ts';
import { parseScenario, type Scenario } from '../sim/scenario.ts';
import { LESSON_EVENT_NAMES, type LessonEvent } from './events.ts';
import { MEASURE_NAMES, type MeasureName, TRACE_MEASURES } from './measures.ts';

export const LESSON_VERSION = 1;
export const MAX_PROSE_WORDS = 80;
export const MAX_SUMMARY_WORDS = 25;

export const PANELS = ['map', 'rings', 'driver', 'plots', 'guest', 'host', 'stats', 'trace'] as const;
export type Panel = (typeof PANELS)[number];
export const SIDES = ['left', 'right'] as const;
export type Side = (typeof SIDES)[number];
export const QUEUES = ['inflate', 'deflate', 'stats'] as const;
export const RING_PARTS = ['descriptor', 'avail', 'used'] as const;
export const FRAME_SETS = ['balloon', 'last-batch', 'workload', 'discarded', 'free', 'free-backed'] as const;
export const PLOT_SERIES = ['numPages', 'actual', 'hostRss', 'memFree', 'memAvailable', 'cached'] as const;
export const OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export type Op = (typeof OPS)[number];

/** A scenario: a file in public/scenarios/ (by name) or written inline (parsed as a scenario file). */
export type ScenarioRef = { file: string } | { inline: Scenario };

export type Trigger =
  | { at: number; side?: undefined }
  | { event: LessonEvent; count: number; side?: Side; at?: undefined };

export type Highlight = { side?: Side; label?: string } & (
  | { on: 'map'; frames: (typeof FRAME_SETS)[number]; workload?: string }
  | { on: 'map'; pfns: [number, number] }
  | { on: 'ring'; queue: (typeof QUEUES)[number]; part: (typeof RING_PARTS)[number]; slot: 'last' | number }
  | { on: 'driver'; fn: DriverFunction; lines?: [number, number] }
  | { on: 'plot'; series: (typeof PLOT_SERIES)[number] }
  | { on: 'number'; panel: Panel; measure: MeasureName }
);

export interface Check {
  /** `measure` at this stop or the next one, compared with `value` (a number, or a measure at this stop). */
  measure: MeasureName;
  side?: Side;
  at: 'this' | 'next';
  op: Op;
  value: number | { measure: MeasureName };
}

export interface Question {
  ask: string;
  choices: string[];
  answer: number;
  why: string;
  check?: Check;
}

export interface Stop {
  title: string;
  when: Trigger;
  prose: string;
  highlights: Highlight[];
  question?: Question;
  panels: Panel[];
}

export interface Lesson {
  version: typeof LESSON_VERSION;
  id: string;
  title: string;
  summary: string;
  /** One run, or two on one clock (left and right), or a real QEMU trace replayed. */
  scenario?: ScenarioRef;
  compare?: { left: ScenarioRef; right: ScenarioRef; leftLabel: string; rightLabel: string };
  /** A trace file of public/traces/ (QEMU's `-trace` output), replayed as the app replays a loaded one. */
  trace?: string;
  stops: Stop[];
}

export type LessonResult = { ok: true; lesson: Lesson } | { ok: false; errors: string[] };

const LESSON_KEYS = ['version', 'id', 'title', 'summary', 'scenario', 'compare', 'trace', 'stops'];
const TRACE_FILE = /^[a-z0-9]+(-[a-z0-9]+)*\.trace$/;
const STOP_KEYS = ['title', 'when', 'prose', 'highlights', 'question', 'panels'];
const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SCENARIO_FILE = /^[a-z0-9]+(-[a-z0-9]+)*\.json$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Words as a reader counts them: runs of non-space; a placeholder is one word. */
export function countWords(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

/** Checks a lesson (JSON text or parsed JSON). Never throws. */
export function parseLesson(input: unknown): LessonResult {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (error) {
      return { ok: false, errors: [`${ROOT_PATH}: not valid JSON: ${(error as Error).message}`] };
    }
  }
  if (!isJsonObject(json)) return { ok: false, errors: [`${ROOT_PATH}: must be an object`] };
  const p = new Problems();
  rejectUnknownKeys(json, '', LESSON_KEYS, 'a lesson', p);
  if (!Object.hasOwn(json, 'version')) p.add('version', 'is required');
  else if (json.version !== LESSON_VERSION) p.add('version', `must be ${LESSON_VERSION}`);
  const id = readNonEmptyString(json, 'id', '', p);
  if (id !== undefined && !ID.test(id))
    p.add('id', 'must be lower-case words joined by "-" (e.g. "why-a-balloon")');
  const title = readNonEmptyString(json, 'title', '', p);
  const summary = readNonEmptyString(json, 'summary', '', p);
  if (summary !== undefined) {
    if (summary.includes('\n')) p.add('summary', 'must be one line');
    const n = countWords(summary);
    if (n > MAX_SUMMARY_WORDS) p.add('summary', `${n} words, at most ${MAX_SUMMARY_WORDS}`);
  }
  const hasScenario = Object.hasOwn(json, 'scenario');
  const hasCompare = Object.hasOwn(json, 'compare');
  const hasTrace = Object.hasOwn(json, 'trace');
  let scenario: ScenarioRef | undefined;
  let compare: Lesson['compare'];
  let trace: string | undefined;
  if (Number(hasScenario) + Number(hasCompare) + Number(hasTrace) !== 1)
    p.add('scenario', 'give exactly one of scenario (one run), compare (two runs) or trace (a real trace)');
  else if (hasScenario) scenario = parseScenarioRef(json.scenario, 'scenario', p);
  else if (hasCompare) compare = parseCompare(json.compare, p);
  else if (typeof json.trace === 'string' && TRACE_FILE.test(json.trace)) trace = json.trace;
  else p.add('trace', 'must be a trace file name in public/traces/ (e.g. "qemu-inflate.trace")');
  const isCompare = hasCompare && !hasScenario;
  const stopsField = readArray(json, 'stops', '', undefined, p);
  const stops: Stop[] = [];
  if (stopsField) {
    if (stopsField.value.length === 0) p.add('stops', 'must hold at least one stop');
    stopsField.value.forEach((s, i) => {
      const stop = parseStop(s, childPath('stops', i), isCompare, i === stopsField.value.length - 1, p);
      if (stop) stops.push(stop);
    });
    checkTimeOrder(stops, p);
    if (hasTrace) checkTraceStops(stops, p);
  }
  if (p.count > 0 || id === undefined || title === undefined || summary === undefined) {
    return { ok: false, errors: p.messages };
  }
  const lesson: Lesson = { version: LESSON_VERSION, id, title, summary, stops };
  if (scenario) lesson.scenario = scenario;
  if (compare) lesson.compare = compare;
  if (trace) lesson.trace = trace;
  return { ok: true, lesson };
}

function parseScenarioRef(value: unknown, path: string, p: Problems): ScenarioRef | undefined {
  if (typeof value === 'string') {
    if (SCENARIO_FILE.test(value)) return { file: value };
    p.add(
      path,
      'must be a scenario file name in public/scenarios/ (e.g. "why-a-balloon.json") or a scenario object',
    );
    return undefined;
  }
  if (!isJsonObject(value)) {
    p.add(path, 'must be a scenario file name or a scenario object');
    return undefined;
  }
  const r = parseScenario(value);
  if (r.ok) return { inline: r.scenario };
  for (const e of r.errors) p.add(path, e);
  return undefined;
}

function parseCompare(value: unknown, p: Problems): Lesson['compare'] {
  if (!isJsonObject(value)) {
    p.add('compare', 'must be an object { left, right, leftLabel, rightLabel }');
    return undefined;
  }
  rejectUnknownKeys(value, 'compare', ['left', 'right', 'leftLabel', 'rightLabel'], 'compare', p);
  const left = Object.hasOwn(value, 'left') ? parseScenarioRef(value.left, 'compare.left', p) : undefined;
  const right = Object.hasOwn(value, 'right') ? parseScenarioRef(value.right, 'compare.right', p) : undefined;
  if (!Object.hasOwn(value, 'left')) p.add('compare.left', 'is required');
  if (!Object.hasOwn(value, 'right')) p.add('compare.right', 'is required');
  const leftLabel = readNonEmptyString(value, 'leftLabel', 'compare', p);
  const rightLabel = readNonEmptyString(value, 'rightLabel', 'compare', p);
  if (!left || !right || leftLabel === undefined || rightLabel === undefined) return undefined;
  return { left, right, leftLabel, rightLabel };
}

function parseStop(
  value: unknown,
  path: string,
  isCompare: boolean,
  last: boolean,
  p: Problems,
): Stop | undefined {
  if (!isJsonObject(value)) {
    p.add(path, 'must be an object');
    return undefined;
  }
  const before = p.count;
  rejectUnknownKeys(value, path, STOP_KEYS, 'a stop', p);
  const title = readNonEmptyString(value, 'title', path, p);
  const when = parseTrigger(value, path, isCompare, p);
  const prose = readNonEmptyString(value, 'prose', path, p);
  if (prose !== undefined) {
    const n = countWords(prose);
    if (n > MAX_PROSE_WORDS) p.add(childPath(path, 'prose'), `${n} words, at most ${MAX_PROSE_WORDS}`);
    checkPlaceholders(prose, childPath(path, 'prose'), isCompare, p);
  }
  const highlights: Highlight[] = [];
  const hl = readArray(value, 'highlights', path, [], p);
  hl?.value.forEach((h, i) => {
    const parsed = parseHighlight(h, childPath(hl.path, i), isCompare, p);
    if (parsed) highlights.push(parsed);
  });
  let question: Question | undefined;
  if (Object.hasOwn(value, 'question'))
    question = parseQuestion(value.question, childPath(path, 'question'), isCompare, last, p);
  const panels = parsePanels(value, path, p);
  if (p.count > before || title === undefined || !when || prose === undefined || !panels) return undefined;
  const stop: Stop = { title, when, prose, highlights, panels };
  if (question) stop.question = question;
  return stop;
}

function parseTrigger(
  stop: JsonObject,
  stopPath: string,
  isCompare: boolean,
  p: Problems,
): Trigger | undefined {
  const field = readObject(stop, 'when', stopPath, false, p);
  if (!field) return undefined;
  const { value: w, path } = field;
  rejectUnknownKeys(w, path, ['at', 'event', 'count', 'side'], 'when', p);
  const hasAt = Object.hasOwn(w, 'at');
  const hasEvent = Object.hasOwn(w, 'event');
  if (hasAt === hasEvent) {
    p.add(path, 'give exactly one of at (virtual seconds) or event (a simulation event)');
    return undefined;
  }
  if (hasAt) {
    if (Object.hasOwn(w, 'count')) p.add(childPath(path, 'count'), 'goes with event, not at');
    if (Object.hasOwn(w, 'side'))
      p.add(childPath(path, 'side'), 'goes with event (both runs share the clock)');
    const rule = { min: 0, max: 86_400, reason: 'must be a number of seconds from 0 to 86400' };
    const at = readNumber(w, 'at', path, rule, p);
    return at === undefined ? undefined : { at };
  }
  const event = w.event;
  if (typeof event !== 'string' || !(LESSON_EVENT_NAMES as string[]).includes(event)) {
    p.add(
      childPath(path, 'event'),
      `unknown event ${JSON.stringify(event)} (known: ${LESSON_EVENT_NAMES.join(', ')})`,
    );
  }
  const count = readInteger(w, 'count', path, { min: 1, max: 1_000_000, fallback: 1 }, p);
  const side = readSide(w, path, isCompare, true, p);
  if (typeof event !== 'string' || !(LESSON_EVENT_NAMES as string[]).includes(event) || count === undefined)
    return undefined;
  return side ? { event: event as LessonEvent, count, side } : { event: event as LessonEvent, count };
}

/** In a compare lesson an event belongs to one run (`side` required there); a one-run lesson has no sides. */
function readSide(
  obj: JsonObject,
  path: string,
  isCompare: boolean,
  required: boolean,
  p: Problems,
): Side | undefined {
  const at = childPath(path, 'side');
  if (!Object.hasOwn(obj, 'side')) {
    if (isCompare && required) p.add(at, 'is required in a compare lesson ("left" or "right")');
    return undefined;
  }
  if (!isCompare) {
    p.add(at, 'only a compare lesson has sides');
    return undefined;
  }
  const s = SIDES.find((x) => x === obj.side);
  if (!s) p.add(at, `must be one of ${listForMessage(SIDES)}`);
  return s;
}

/** `{name}` (or `{left.name}`/`{right.name}` in a compare lesson) must name a known measure. */
function checkPlaceholders(text: string, path: string, isCompare: boolean, p: Problems): void {
  for (const m of text.matchAll(PLACEHOLDER)) {
    const ref = m[1];
    const parts = ref.split('.');
    const name = parts.at(-1) ?? '';
    if (parts.length > 2 || (parts.length === 2 && !(SIDES as readonly string[]).includes(parts[0]))) {
      p.add(path, `placeholder {${ref}}: a side must be "left" or "right"`);
    } else if (parts.length === 2 && !isCompare) {
      p.add(path, `placeholder {${ref}}: only a compare lesson has sides`);
    } else if (parts.length === 1 && isCompare) {
      p.add(path, `placeholder {${ref}}: say which run, {left.${ref}} or {right.${ref}}`);
    } else if (!(MEASURE_NAMES as string[]).includes(name)) {
      p.add(path, `placeholder {${ref}}: unknown measure "${name}" (see docs/lessons.md, "Measures")`);
    }
  }
  const stray = text.replace(PLACEHOLDER, '');
  if (stray.includes('{') || stray.includes('}')) p.add(path, 'an unmatched { or }');
}

function readMeasureName(obj: JsonObject, key: string, path: string, p: Problems): MeasureName | undefined {
  const at = childPath(path, key);
  if (!Object.hasOwn(obj, key)) {
    p.add(at, 'is required');
    return undefined;
  }
  const v = obj[key];
  if (typeof v === 'string' && (MEASURE_NAMES as string[]).includes(v)) return v as MeasureName;
  p.add(at, `unknown measure ${JSON.stringify(v)} (see docs/lessons.md, "Measures")`);
  return undefined;
}

function readChoice<T extends string>(
  obj: JsonObject,
  key: string,
  path: string,
  options: readonly T[],
  p: Problems,
): T | undefined {
  const at = childPath(path, key);
  if (!Object.hasOwn(obj, key)) {
    p.add(at, 'is required');
    return undefined;
  }
  const found = options.find((o) => o === obj[key]);
  if (found === undefined) p.add(at, `must be one of ${listForMessage(options)}`);
  return found;
}

function readPair(obj: JsonObject, key: string, path: string, p: Problems): [number, number] | undefined {
  const v = obj[key];
  const ok =
    Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x) && x >= 0) && v[0] <= v[1];
  if (!ok) {
    p.add(childPath(path, key), 'must be [first, last]: two whole numbers, first ≤ last');
    return undefined;
  }
  return [v[0], v[1]];
}

const HIGHLIGHT_KEYS: Record<string, string[]> = {
  map: ['frames', 'workload', 'pfns'],
  ring: ['queue', 'part', 'slot'],
  driver: ['fn', 'lines'],
  plot: ['series'],
  number: ['panel', 'measure'],
};

function parseHighlight(
  value: unknown,
  path: string,
  isCompare: boolean,
  p: Problems,
): Highlight | undefined {
  if (!isJsonObject(value)) {
    p.add(path, 'must be an object');
    return undefined;
  }
  const on = value.on;
  if (typeof on !== 'string' || !Object.hasOwn(HIGHLIGHT_KEYS, on)) {
    p.add(childPath(path, 'on'), `must be one of ${listForMessage(Object.keys(HIGHLIGHT_KEYS))}`);
    return undefined;
  }
  const before = p.count;
  rejectUnknownKeys(value, path, ['on', 'side', 'label', ...HIGHLIGHT_KEYS[on]], `a "${on}" highlight`, p);
  const base: { side?: Side; label?: string } = {};
  if (Object.hasOwn(value, 'side')) {
    const side = readSide(value, path, isCompare, false, p);
    if (side) base.side = side;
  }
  if (Object.hasOwn(value, 'label')) {
    const label = readNonEmptyString(value, 'label', path, p);
    if (label !== undefined) {
      checkPlaceholders(label, childPath(path, 'label'), isCompare, p);
      base.label = label;
    }
  }
  let h: Highlight | undefined;
  switch (on) {
    case 'map': {
      if (Object.hasOwn(value, 'pfns') === Object.hasOwn(value, 'frames')) {
        p.add(path, 'a map highlight gives exactly one of frames (a named set) or pfns ([first, last])');
        break;
      }
      if (Object.hasOwn(value, 'pfns')) {
        const pfns = readPair(value, 'pfns', path, p);
        if (pfns) h = { ...base, on, pfns };
        break;
      }
      const frames = readChoice(value, 'frames', path, FRAME_SETS, p);
      if (frames === 'workload') {
        const workload = readNonEmptyString(value, 'workload', path, p);
        if (workload !== undefined) h = { ...base, on, frames, workload };
      } else if (frames) {
        if (Object.hasOwn(value, 'workload'))
          p.add(childPath(path, 'workload'), 'goes with frames: "workload"');
        h = { ...base, on, frames };
      }
      break;
    }
    case 'ring': {
      const queue = readChoice(value, 'queue', path, QUEUES, p);
      const part = readChoice(value, 'part', path, RING_PARTS, p);
      const slot = value.slot ?? 'last';
      const slotOk =
        slot === 'last' || (Number.isInteger(slot) && (slot as number) >= 0 && (slot as number) < 32768);
      if (!slotOk) p.add(childPath(path, 'slot'), 'must be "last" or a slot number from 0 to 32767');
      if (queue && part && slotOk) h = { ...base, on, queue, part, slot: slot as 'last' | number };
      break;
    }
    case 'driver': {
      const fn = readChoice(value, 'fn', path, DRIVER_FUNCTIONS, p);
      if (!fn) break;
      if (Object.hasOwn(value, 'lines')) {
        const lines = readPair(value, 'lines', path, p);
        const [first, last] = SEED_FUNCTIONS[fn];
        if (lines && (lines[0] < first || lines[1] > last)) {
          p.add(childPath(path, 'lines'), `must lie inside ${fn}, seed lines ${first}–${last}`);
        } else if (lines) h = { ...base, on, fn, lines };
      } else h = { ...base, on, fn };
      break;
    }
    case 'plot': {
      const series = readChoice(value, 'series', path, PLOT_SERIES, p);
      if (series) h = { ...base, on, series };
      break;
    }
    case 'number': {
      const panel = readChoice(value, 'panel', path, PANELS, p);
      const measure = readMeasureName(value, 'measure', path, p);
      if (panel && measure) h = { ...base, on, panel, measure };
      break;
    }
  }
  return p.count > before ? undefined : h;
}

function parseQuestion(
  value: unknown,
  path: string,
  isCompare: boolean,
  last: boolean,
  p: Problems,
): Question | undefined {
  if (!isJsonObject(value)) {
    p.add(path, 'must be an object { ask, choices, answer, why }');
    return undefined;
  }
  const before = p.count;
  rejectUnknownKeys(value, path, ['ask', 'choices', 'answer', 'why', 'check'], 'a question', p);
  const ask = readNonEmptyString(value, 'ask', path, p);
  const why = readNonEmptyString(value, 'why', path, p);
  if (why !== undefined) {
    const n = countWords(why);
    if (n > MAX_PROSE_WORDS) p.add(childPath(path, 'why'), `${n} words, at most ${MAX_PROSE_WORDS}`);
  }
  const choicesField = readArray(value, 'choices', path, undefined, p);
  const choices: string[] = [];
  if (choicesField) {
    const n = choicesField.value.length;
    if (n < 2 || n > 4) p.add(choicesField.path, `${n} choices, must be 2 to 4`);
    choicesField.value.forEach((c, i) => {
      if (typeof c === 'string' && c.trim() !== '') choices.push(c);
      else p.add(childPath(choicesField.path, i), 'must be a non-empty string');
    });
  }
  const answer = readInteger(value, 'answer', path, { min: 0, max: 3 }, p);
  if (answer !== undefined && choicesField && answer >= choicesField.value.length) {
    p.add(
      childPath(path, 'answer'),
      `${answer} is out of range: there are ${choicesField.value.length} choices (0 to ${choicesField.value.length - 1})`,
    );
  }
  let check: Check | undefined;
  if (Object.hasOwn(value, 'check'))
    check = parseCheck(value.check, childPath(path, 'check'), isCompare, last, p);
  if (p.count > before || ask === undefined || why === undefined || answer === undefined) return undefined;
  const q: Question = { ask, choices, answer, why };
  if (check) q.check = check;
  return q;
}

function parseCheck(
  value: unknown,
  path: string,
  isCompare: boolean,
  last: boolean,
  p: Problems,
): Check | undefined {
  if (!isJsonObject(value)) {
    p.add(path, 'must be an object { measure, at, op, value }');
    return undefined;
  }
  const before = p.count;
  rejectUnknownKeys(value, path, ['measure', 'side', 'at', 'op', 'value'], 'a check', p);
  const measure = readMeasureName(value, 'measure', path, p);
  const at = readChoice(value, 'at', path, ['this', 'next'] as const, p);
  if (at === 'next' && last) p.add(childPath(path, 'at'), '"next" on the last stop: there is no next stop');
  const op = readChoice(value, 'op', path, OPS, p);

  const side = readSide(value, path, isCompare, true, p);
  let v: Check['value'] | undefined;
  if (typeof value.value === 'number' && Number.isFinite(value.value)) v = value.value;
  else if (isJsonObject(value.value)) {
    const m = readMeasureName(value.value, 'measure', childPath(path, 'value'), p);
    if (m) v = { measure: m };
  } else
    p.add(childPath(path, 'value'), 'must be a number or { "measure": name } (that measure at this stop)');
  if (p.count > before || !measure || !at || !op || v === undefined) return undefined;
  const check: Check = { measure, at, op, value: v };
  if (side) check.side = side;
  return check;
}

function parsePanels(stop: JsonObject, path: string, p: Problems): Panel[] | undefined {
  const field = readArray(stop, 'panels', path, undefined, p);
  if (!field) return undefined;
  const out: Panel[] = [];
  field.value.forEach((v, i) => {
    const panel = PANELS.find((x) => x === v);
    if (!panel)
      p.add(
        childPath(field.path, i),
        `unknown panel ${JSON.stringify(v)} (known: ${listForMessage(PANELS)})`,
      );
    else if (out.includes(panel)) p.add(childPath(field.path, i), `${panel} is listed twice`);
    else out.push(panel);
  });
  if (field.value.length === 0) p.add(field.path, 'must name at least one panel');
  return out;
}

/**
 * A trace lesson replays what a real QEMU recorded: no simulated guest, driver or kernel stands behind
 * it. Its stops are reached at a time; it outlines the balloon's frames on the map and calls out the
 * numbers a trace carries (TRACE_MEASURES); its prose quotes only those.
 */
function checkTraceStops(stops: Stop[], p: Problems): void {
  stops.forEach((s, i) => {
    if (s.when.at === undefined)
      p.add(
        `stops[${i}].when`,
        "a trace lesson's stops are reached at a time (a real trace has no simulation events to wait for)",
      );
    s.highlights.forEach((h, j) => {
      const ok =
        (h.on === 'map' && ('pfns' in h || h.frames === 'balloon')) ||
        (h.on === 'number' && TRACE_MEASURES.includes(h.measure));
      if (!ok)
        p.add(
          `stops[${i}].highlights[${j}]`,
          "a trace lesson outlines the balloon's frames or pfns on the map, or calls out a number the trace carries",
        );
    });
    const texts = [s.prose, ...s.highlights.flatMap((h) => (h.label ? [h.label] : []))];
    for (const t of texts) {
      for (const m of t.matchAll(PLACEHOLDER)) {
        if (!(TRACE_MEASURES as string[]).includes(m[1]))
          p.add(
            `stops[${i}]`,
            `{${m[1]}}: a trace does not carry it (it carries ${TRACE_MEASURES.join(', ')})`,
          );
      }
    }
  });
}

/** Time stops must not go back: a stop at a time earlier than the stop before it could never be reached. */
function checkTimeOrder(stops: Stop[], p: Problems): void {
  let last = -1;
  stops.forEach((s, i) => {
    if (s.when.at === undefined) return;
    if (s.when.at < last)
      p.add(`stops[${i}].when.at`, `${s.when.at} s comes before an earlier stop's ${last} s`);
    last = s.when.at;
  });
}

export interface LessonIndexEntry {
  file: string;
  id: string;
  title: string;
  summary: string;
}

/** public/lessons/index.json: `{ "version": 1, "lessons": [{ file, id, title, summary }] }`, in taking order. */
export function parseLessonIndex(
  input: unknown,
): { ok: true; lessons: LessonIndexEntry[] } | { ok: false; errors: string[] } {
  if (!isJsonObject(input)) return { ok: false, errors: [`${ROOT_PATH}: must be an object`] };
  const p = new Problems();
  rejectUnknownKeys(input, '', ['version', 'lessons'], 'a lesson index', p);
  if (input.version !== LESSON_VERSION) p.add('version', `must be ${LESSON_VERSION}`);
  const field = readArray(input, 'lessons', '', undefined, p);
  const lessons: LessonIndexEntry[] = [];
  const ids = new Set<string>();
  field?.value.forEach((item, i) => {
    const path = childPath('lessons', i);
    if (!isJsonObject(item)) {
      p.add(path, 'must be an object { file, id, title, summary }');
      return;
    }
    rejectUnknownKeys(item, path, ['file', 'id', 'title', 'summary'], 'a lesson entry', p);
    const id = readNonEmptyString(item, 'id', path, p);
    const file = readNonEmptyString(item, 'file', path, p);
    const title = readNonEmptyString(item, 'title', path, p);
    const summary = readNonEmptyString(item, 'summary', path, p);
    if (id !== undefined && file !== undefined && file !== `${id}.json`)
      p.add(childPath(path, 'file'), `must be "${id}.json"`);
    if (id !== undefined && ids.has(id)) p.add(childPath(path, 'id'), `${id} is listed twice`);
    if (id !== undefined) ids.add(id);
    if (id !== undefined && file !== undefined && title !== undefined && summary !== undefined)
      lessons.push({ file, id, title, summary });
  });
  return p.count > 0 ? { ok: false, errors: p.messages } : { ok: true, lessons };
}
