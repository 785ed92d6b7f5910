// Reading a trace back: QEMU's own (real pids, host pointers for vq/elem, wall-clock times) and the
// sim's (trace-format.ts). Lines are `<pid>@<seconds>.<microseconds>:<event> <arguments>`; `#` lines
// and blank lines are skipped. The events the balloon replay needs are typed; any other QEMU event
// (QEMU has hundreds) is kept as text with a warning, because a trace recorded with a wider `-trace`
// pattern is still a good trace. A line that is not a trace line at all stops the parse with its number.
import { EVENT_NAMES, parseFields, SIM_EVENT_PREFIX } from './trace-format.ts';

interface EventBase {
  /** 1-based line number in the text. */
  line: number;
  pid: number;
  /** µs since the earliest event of the trace (the first one, in a trace whose time never goes back). */
  us: number;
}
export interface BalloonEventLine extends EventBase {
  event: 'balloon_event';
  /** A host pointer in QEMU's traces, kept as its text. */
  opaque: string;
  addrBytes: number;
}
export interface ToTargetLine extends EventBase {
  event: 'virtio_balloon_to_target';
  targetBytes: number;
  numPages: number;
}
export interface GetConfigLine extends EventBase {
  event: 'virtio_balloon_get_config';
  numPages: number;
  actual: number;
}
export interface SetConfigLine extends EventBase {
  event: 'virtio_balloon_set_config';
  actual: number;
  oldActual: number;
}
export interface PopLine extends EventBase {
  event: 'virtqueue_pop';
  /** Lowercase hex text: an identity (a host pointer in QEMU's traces), not a number to compute with. */
  vq: string;
  elem: string;
  inNum: number;
  outNum: number;
}
export interface HandleOutputLine extends EventBase {
  event: 'virtio_balloon_handle_output';
  section: string;
  gpa: number;
}
export interface BadAddrLine extends EventBase {
  event: 'virtio_balloon_bad_addr';
  gpa: number;
}
export interface FlushLine extends EventBase {
  event: 'virtqueue_flush';
  vq: string;
  count: number;
}
export interface SimEventLine extends EventBase {
  event: 'balloonlab';
  /** The name after `balloonlab_`, e.g. `device_error`. */
  name: string;
  fields: Record<string, string>;
}
export interface UnknownEventLine extends EventBase {
  event: 'unknown';
  name: string;
  text: string;
}
export type TraceEvent =
  | BalloonEventLine
  | ToTargetLine
  | GetConfigLine
  | SetConfigLine
  | PopLine
  | HandleOutputLine
  | BadAddrLine
  | FlushLine
  | SimEventLine
  | UnknownEventLine;

export type TraceParseResult =
  | {
      ok: true;
      events: TraceEvent[];
      warnings: string[];
      /** Absolute time of the earliest event in µs (wall clock for QEMU, virtual time for the sim). */
      originUs: number;
    }
  | { ok: false; error: string };

/** What a typed event adds to `EventBase`. */
type Payload<E extends TraceEvent> = Omit<E, keyof EventBase>;
type AnyPayload = TraceEvent extends infer E ? (E extends TraceEvent ? Payload<E> : never) : never;

class LineError extends Error {}

const HEX = '(0x[0-9a-fA-F]+)';
const DEC = '(\\d+)';

interface ArgumentRule {
  pattern: RegExp;
  /** What the arguments should look like, for the error message. */
  shape: string;
  read(match: RegExpExecArray): AnyPayload;
}

const ARGUMENT_RULES: Readonly<Record<string, ArgumentRule>> = {
  [EVENT_NAMES.balloonEvent]: {
    pattern: new RegExp(`^opaque (0x[0-9a-fA-F]+|\\(nil\\)) addr ${DEC}$`),
    shape: 'opaque <pointer> addr <bytes>',
    read: (m) => ({ event: 'balloon_event', opaque: m[1].toLowerCase(), addrBytes: decimal(m[2]) }),
  },
  [EVENT_NAMES.toTarget]: {
    pattern: new RegExp(`^balloon target: ${HEX} num_pages: ${DEC}$`),
    shape: 'balloon target: 0x<bytes> num_pages: <n>',
    read: (m) => ({
      event: 'virtio_balloon_to_target',
      targetBytes: hexNumber(m[1]),
      numPages: decimal(m[2]),
    }),
  },
  [EVENT_NAMES.getConfig]: {
    pattern: new RegExp(`^num_pages: ${DEC} actual: ${DEC}$`),
    shape: 'num_pages: <n> actual: <n>',
    read: (m) => ({ event: 'virtio_balloon_get_config', numPages: decimal(m[1]), actual: decimal(m[2]) }),
  },
  [EVENT_NAMES.setConfig]: {
    pattern: new RegExp(`^actual: ${DEC} oldactual: ${DEC}$`),
    shape: 'actual: <n> oldactual: <n>',
    read: (m) => ({ event: 'virtio_balloon_set_config', actual: decimal(m[1]), oldActual: decimal(m[2]) }),
  },
  [EVENT_NAMES.pop]: {
    pattern: new RegExp(`^vq ${HEX} elem ${HEX} in_num ${DEC} out_num ${DEC}$`),
    shape: 'vq 0x<id> elem 0x<id> in_num <n> out_num <n>',
    read: (m) => ({
      event: 'virtqueue_pop',
      vq: m[1].toLowerCase(),
      elem: m[2].toLowerCase(),
      inNum: decimal(m[3]),
      outNum: decimal(m[4]),
    }),
  },
  [EVENT_NAMES.handleOutput]: {
    pattern: new RegExp(`^section name: (\\S+) gpa: ${HEX}$`),
    shape: 'section name: <region> gpa: 0x<address>',
    read: (m) => ({ event: 'virtio_balloon_handle_output', section: m[1], gpa: hexNumber(m[2]) }),
  },
  [EVENT_NAMES.badAddr]: {
    // QEMU prints the bare address; traces Balloon Lab exported before it did so had a "gpa: " label.
    pattern: new RegExp(`^(?:gpa: )?${HEX}$`),
    shape: '0x<address>',
    read: (m) => ({ event: 'virtio_balloon_bad_addr', gpa: hexNumber(m[1]) }),
  },
  [EVENT_NAMES.flush]: {
    pattern: new RegExp(`^vq ${HEX} count ${DEC}$`),
    shape: 'vq 0x<id> count <n>',
    read: (m) => ({ event: 'virtqueue_flush', vq: m[1].toLowerCase(), count: decimal(m[2]) }),
  },
};

function decimal(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new LineError(`${text} is too large (more than 2^53)`);
  return n;
}

function hexNumber(text: string): number {
  const n = Number.parseInt(text.slice(2), 16);
  if (!Number.isSafeInteger(n)) throw new LineError(`${text} is too large (more than 2^53)`);
  return n;
}

// QEMU's log backend: "%d@%zu.%06zu:" then the event name and its formatted arguments.
const LINE = /^(\d+)@(\d+)\.(\d{6}):([A-Za-z0-9_]+)(?: (.*))?$/;

const shorten = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);

/**
 * Parses a trace given as one text, or as lines (e.g. `TraceRecorder.lines()`, without newlines).
 * Never throws: a malformed line gives `{ ok: false, error: 'line N: …' }`.
 */
export function parseTrace(input: string | Iterable<string>): TraceParseResult {
  const lines = typeof input === 'string' ? input.split('\n') : input;
  const events: TraceEvent[] = [];
  const unknown = new Map<string, { firstLine: number; count: number }>();
  let originUs = Number.POSITIVE_INFINITY;
  let lineNumber = 0;
  for (const raw of lines) {
    lineNumber++;
    const text = raw.trimEnd();
    if (text === '' || text.trimStart().startsWith('#')) continue;
    try {
      const event = parseLine(text, lineNumber);
      if (event.event === 'unknown') {
        const seen = unknown.get(event.name);
        if (seen) seen.count++;
        else unknown.set(event.name, { firstLine: lineNumber, count: 1 });
      }
      originUs = Math.min(originUs, event.us);
      events.push(event);
    } catch (error) {
      if (!(error instanceof LineError)) throw error;
      return { ok: false, error: `line ${lineNumber}: ${error.message}` };
    }
  }
  if (events.length === 0) originUs = 0;
  const warnings = [...unknown].map(
    ([name, { firstLine, count }]) =>
      `line ${firstLine}: unknown event "${name}" kept as text (${count} line${count === 1 ? '' : 's'})`,
  );
  const goesBack = events.findIndex((e, i) => i > 0 && e.us < events[i - 1].us);
  if (goesBack > 0) {
    warnings.push(`line ${events[goesBack].line}: time goes back (the trace interleaves threads)`);
  }
  for (const event of events) event.us -= originUs;
  return { ok: true, events, warnings, originUs };
}

/** One trace line (not a comment, not blank) to an event with its absolute time in `us`. */
function parseLine(text: string, line: number): TraceEvent {
  const match = LINE.exec(text);
  if (!match) {
    throw new LineError(
      `expected "<pid>@<seconds>.<6-digit microseconds>:<event> <arguments>", got ${shorten(text)}`,
    );
  }
  const [, pidText, seconds, micros, name, args = ''] = match;
  const base: EventBase = { line, pid: decimal(pidText), us: decimal(seconds) * 1_000_000 + Number(micros) };
  if (!Number.isSafeInteger(base.us)) throw new LineError(`time ${seconds}.${micros} is too large`);
  if (name.startsWith(SIM_EVENT_PREFIX)) {
    const fields = parseFields(args);
    if (typeof fields === 'string') throw new LineError(`${name}: ${fields}`);
    return { ...base, event: 'balloonlab', name: name.slice(SIM_EVENT_PREFIX.length), fields };
  }
  const rule = Object.hasOwn(ARGUMENT_RULES, name) ? ARGUMENT_RULES[name] : undefined;
  if (!rule) return { ...base, event: 'unknown', name, text: args };
  const argsMatch = rule.pattern.exec(args);
  if (!argsMatch) throw new LineError(`${name}: expected arguments "${rule.shape}", got ${shorten(args)}`);
  try {
    return { ...base, ...rule.read(argsMatch) };
  } catch (error) {
    if (error instanceof LineError) throw new LineError(`${name}: ${error.message}`);
    throw error;
  }
}
