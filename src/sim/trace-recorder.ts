// The run's trace, kept compact and turned into text only when asked (design.md: a 16 GiB round trip
// is about 8 million PFN lines, ~600 MB of text, more than a JavaScript string may hold).
//
// Storage: every event is one fixed-size record of six doubles in a growable Float64Array
// (kind, time, up to four arguments), and the PFNs of each inflate/deflate buffer are appended to one
// growable Uint32Array as runs (first PFN, then the count and whether the run counts down): a driver
// hands out pages in runs, so a 256-PFN batch is usually one or a few runs. A batch record points at
// its runs. Only sim-specific events and comments keep a string each. So 8 million PFNs cost a few
// hundred kilobytes, not 32 MB of PFNs or 8 million strings.
//
// Text: `lines()` yields one line at a time, `chunks()` yields ~64 KiB blocks of whole lines for
// writing a file or building a Blob, `toText()` is for traces small enough to be one string.
import { RUN_DESCENDING } from '../core/abi.ts';
import { asPfn, pfnToGpa } from '../core/units.ts';
import {
  assertSimEventName,
  EVENT_NAMES,
  formatArgs,
  formatFields,
  hex,
  linePrefix,
  RAM_SECTION_NAME,
  SIM_EVENT_PREFIX,
  type TraceFields,
} from './trace-format.ts';

// Record kinds, stored as the first double of each record.
const Kind = {
  BalloonEvent: 1,
  ToTarget: 2,
  GetConfig: 3,
  SetConfig: 4,
  Pop: 5,
  HandleOutput: 6,
  Flush: 7,
  Custom: 8,
  Comment: 9,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const STRIDE = 6; // kind, us, a, b, c, d

/** How long a trace was at a moment: what rewind() needs to make it that long again. */
export interface TraceMark {
  readonly events: number;
  readonly runs: number;
  readonly texts: number;
  readonly textChars: number;
  readonly lines: number;
  readonly lastUs: number;
}
const FIRST_RUN_CAPACITY = 1024;
/**
 * Events are kept in blocks of 2^BLOCK_SHIFT records that are never copied: a long run adds blocks
 * rather than doubling one array, so it touches each byte of its records once.
 */
const BLOCK_SHIFT = 13;
const BLOCK_EVENTS = 1 << BLOCK_SHIFT;
const BLOCK_MASK = BLOCK_EVENTS - 1;

export class TraceRecorder {
  /** Whether what it is given is kept (a NullTraceRecorder keeps nothing: callers may skip work). */
  readonly recording: boolean = true;
  private readonly blocks: Float64Array[] = [];
  private eventCount = 0;
  /** PFN runs, two numbers each: the first PFN, and count × 2 + 1 if the run counts down. */
  private runs = new Uint32Array(FIRST_RUN_CAPACITY * 2);
  private runCount = 0;
  private readonly texts: string[] = [];
  /** Texts in the trace: `texts` may hold more, kept for a rewind forward again (see rewind). */
  private textCount = 0;
  private textChars = 0;
  private lineCount = 0;
  private lastUs = 0;

  /** Number of lines the text will have, without producing it. */
  get length(): number {
    return this.lineCount;
  }

  /** Bytes held: the typed arrays as allocated, plus two bytes per character of stored strings. */
  get byteSize(): number {
    return this.blocks.length * BLOCK_EVENTS * STRIDE * 8 + this.runs.byteLength + 2 * this.textChars;
  }

  /** Strings held (sim-specific events and comments only; QEMU's events are stored as numbers). */
  get stringCount(): number {
    return this.textCount;
  }

  /** Where the trace ends now, for a snapshot (snapshot.ts). */
  mark(): TraceMark {
    return {
      events: this.eventCount,
      runs: this.runCount,
      texts: this.textCount,
      textChars: this.textChars,
      lines: this.lineCount,
      lastUs: this.lastUs,
    };
  }

  /**
   * Makes the trace end where it did at `m`. Storage past the end is kept, not cleared: a rewind
   * back to a later mark of the same run finds its records still there, and a run that goes on from
   * here writes the same records over them (the simulation is deterministic).
   */
  rewind(m: TraceMark): void {
    if (
      m.events > this.blocks.length * BLOCK_EVENTS ||
      2 * m.runs > this.runs.length ||
      m.texts > this.texts.length
    ) {
      throw new RangeError('rewind: this recorder never held that much');
    }
    this.eventCount = m.events;
    this.runCount = m.runs;
    this.textCount = m.texts;
    this.textChars = m.textChars;
    this.lineCount = m.lines;
    this.lastUs = m.lastUs;
  }

  /** QMP `balloon` reached the device: `addrBytes` is the requested logical size in bytes. */
  balloonEvent(us: number, addrBytes: number): void {
    this.push(Kind.BalloonEvent, us, addrBytes);
  }

  /** The device's new target: the (clamped) logical size in bytes and `num_pages` in 4 KiB pages. */
  toTarget(us: number, targetBytes: number, numPages: number): void {
    this.push(Kind.ToTarget, us, targetBytes, numPages);
  }

  /** The driver read the config space. */
  getConfig(us: number, numPages: number, actual: number): void {
    this.push(Kind.GetConfig, us, numPages, actual);
  }

  /** The driver wrote `actual`. */
  setConfig(us: number, actual: number, oldActual: number): void {
    this.push(Kind.SetConfig, us, actual, oldActual);
  }

  /** The device took an element off a queue (`vq` and `elem` as in trace-format.ts). */
  pop(us: number, vq: number, elem: number, inNum: number, outNum: number): void {
    this.push(Kind.Pop, us, vq, elem, inNum, outNum);
  }

  /**
   * The device walked one buffer of PFNs, which the core gathered into runs (core.pfnRuns): pairs[2r]
   * is run r's first PFN, pairs[2r + 1] its length, with RUN_DESCENDING if it counts down. Expands to
   * one handle_output line per PFN inside RAM (pfn < ramFrames) and one bad_addr line per PFN beyond
   * it, as QEMU prints them.
   */
  handleOutputRuns(us: number, pairs: Uint32Array, nRuns: number, ramFrames: number): void {
    const firstRun = this.runCount;
    let n = 0;
    for (let r = 0; r < nRuns; r++) {
      const raw = pairs[2 * r + 1];
      const count = (raw & ~RUN_DESCENDING) >>> 0;
      this.addRun(pairs[2 * r], count * 2 + (raw & RUN_DESCENDING ? 1 : 0));
      n += count;
    }
    this.push(Kind.HandleOutput, us, firstRun, this.runCount - firstRun, n, ramFrames);
    this.lineCount += n - 1; // push counted one line
  }

  /** The device returned `count` elements to the used ring. */
  flush(us: number, vq: number, count: number): void {
    this.push(Kind.Flush, us, vq, count);
  }

  /** A sim-only event: `balloonlab_<name> key=value …` (see trace-format.ts). */
  custom(us: number, name: string, fields: TraceFields): void {
    assertSimEventName(name);
    const args = formatFields(fields);
    const text = args === '' ? `${SIM_EVENT_PREFIX}${name}` : `${SIM_EVENT_PREFIX}${name} ${args}`;
    this.push(Kind.Custom, us, this.keep(text));
  }

  /** A chain-walk error, in the words of QEMU's virtio_error where QEMU has them (core/errors.ts). */
  deviceError(us: number, kind: string, queue: number, msg: string): void {
    this.custom(us, 'device_error', { kind, queue, msg });
  }

  /** A step of the guest driver, named after the seed's function (fill_balloon, leak_balloon, …). */
  driver(us: number, fn: string, fields: TraceFields = {}): void {
    this.custom(us, 'driver', { fn, ...fields });
  }

  /** A `# …` line; it has no time and may come anywhere. */
  comment(text: string): void {
    if (/[\r\n]/.test(text)) throw new RangeError('a trace comment must be one line');
    this.appendRecord(Kind.Comment, 0, this.keep(text), 0, 0, 0);
    this.lineCount++;
  }

  *lines(): Generator<string, void, undefined> {
    for (let e = 0; e < this.eventCount; e++) {
      const r = this.blocks[e >>> BLOCK_SHIFT];
      const at = (e & BLOCK_MASK) * STRIDE;
      const kind = r[at] as Kind;
      const us = r[at + 1];
      const [a, b, c, d] = [r[at + 2], r[at + 3], r[at + 4], r[at + 5]];
      switch (kind) {
        case Kind.BalloonEvent:
          yield `${linePrefix(us, EVENT_NAMES.balloonEvent)} ${formatArgs.balloonEvent(a)}`;
          break;
        case Kind.ToTarget:
          yield `${linePrefix(us, EVENT_NAMES.toTarget)} ${formatArgs.toTarget(a, b)}`;
          break;
        case Kind.GetConfig:
          yield `${linePrefix(us, EVENT_NAMES.getConfig)} ${formatArgs.getConfig(a, b)}`;
          break;
        case Kind.SetConfig:
          yield `${linePrefix(us, EVENT_NAMES.setConfig)} ${formatArgs.setConfig(a, b)}`;
          break;
        case Kind.Pop:
          yield `${linePrefix(us, EVENT_NAMES.pop)} ${formatArgs.pop(a, b, c, d)}`;
          break;
        case Kind.HandleOutput:
          yield* this.batchLines(us, a, b, d);
          break;
        case Kind.Flush:
          yield `${linePrefix(us, EVENT_NAMES.flush)} ${formatArgs.flush(a, b)}`;
          break;
        case Kind.Custom:
          yield linePrefix(us, this.texts[a]); // the stored text is the event name and its arguments
          break;
        case Kind.Comment:
          yield `# ${this.texts[a]}`;
          break;
      }
    }
  }

  /** Blocks of whole lines, each ending in a newline, of about `targetChars` characters. */
  *chunks(targetChars = 1 << 16): Generator<string, void, undefined> {
    let block: string[] = [];
    let chars = 0;
    for (const line of this.lines()) {
      block.push(line);
      chars += line.length + 1;
      if (chars >= targetChars) {
        yield `${block.join('\n')}\n`;
        block = [];
        chars = 0;
      }
    }
    if (block.length > 0) yield `${block.join('\n')}\n`;
  }

  /** The whole trace as one string; for big runs use `chunks()` (a string caps at ~512 M characters). */
  toText(): string {
    return [...this.chunks()].join('');
  }

  private *batchLines(us: number, firstRun: number, nRuns: number, ramFrames: number): Generator<string> {
    // The prefix is the same for every PFN of the batch: build it once.
    const inside = `${linePrefix(us, EVENT_NAMES.handleOutput)} section name: ${RAM_SECTION_NAME} gpa: `;
    const outside = `${linePrefix(us, EVENT_NAMES.badAddr)} `;
    for (let r = firstRun; r < firstRun + nRuns; r++) {
      const start = this.runs[2 * r];
      const code = this.runs[2 * r + 1];
      const step = code & 1 ? -1 : 1;
      const count = code >>> 1;
      for (let k = 0; k < count; k++) {
        const pfn = start + k * step;
        yield `${pfn < ramFrames ? inside : outside}${hex(pfnToGpa(asPfn(pfn)))}`;
      }
    }
  }

  private push(kind: Kind, us: number, a = 0, b = 0, c = 0, d = 0): void {
    // Checked when recorded, where the caller's stack still says who got it wrong.
    if (!Number.isSafeInteger(us) || us < this.lastUs) {
      throw new RangeError(`trace time ${us} µs is not a whole number of µs at or after ${this.lastUs}`);
    }
    if (!isCount(a) || !isCount(b) || !isCount(c) || !isCount(d)) {
      const arg = [a, b, c, d].find((x) => !isCount(x));
      throw new RangeError(`trace argument ${arg} is not a count or an id`);
    }
    this.lastUs = us;
    this.appendRecord(kind, us, a, b, c, d);
    this.lineCount++;
  }

  private appendRecord(kind: Kind, us: number, a: number, b: number, c: number, d: number): void {
    const e = this.eventCount++;
    const block = e >>> BLOCK_SHIFT;
    if (block === this.blocks.length) this.blocks.push(new Float64Array(BLOCK_EVENTS * STRIDE));
    const r = this.blocks[block];
    const at = (e & BLOCK_MASK) * STRIDE;
    r[at] = kind;
    r[at + 1] = us;
    r[at + 2] = a;
    r[at + 3] = b;
    r[at + 4] = c;
    r[at + 5] = d;
  }

  private addRun(start: number, code: number): void {
    if (2 * this.runCount + 2 > this.runs.length) {
      const grown = new Uint32Array(this.runs.length * 2);
      grown.set(this.runs);
      this.runs = grown;
    }
    this.runs[2 * this.runCount] = start;
    this.runs[2 * this.runCount + 1] = code;
    this.runCount++;
  }

  private keep(text: string): number {
    this.texts[this.textCount] = text;
    this.textChars += text.length;
    return this.textCount++;
  }
}

/**
 * TraceRecorder.handleOutputRuns for PFNs the caller holds in an array (the real guest's device,
 * tests): gathers them into runs as the core's pfnRuns does.
 */
export function traceHandleOutput(
  trace: TraceRecorder,
  us: number,
  pfns: Uint32Array,
  ramFrames: number,
): void {
  const n = pfns.length;
  const pairs = new Uint32Array(2 * n);
  let r = 0;
  for (let i = 0; i < n; r++) {
    const start = pfns[i];
    let j = i + 1;
    let down = 0;
    if (j < n && pfns[j] === start + 1) {
      while (j < n && pfns[j] === pfns[j - 1] + 1) j++;
    } else if (j < n && pfns[j] === start - 1) {
      down = RUN_DESCENDING;
      while (j < n && pfns[j] === pfns[j - 1] - 1) j++;
    }
    pairs[2 * r] = start;
    pairs[2 * r + 1] = (j - i) | down;
    i = j;
  }
  trace.handleOutputRuns(us, pairs, r, ramFrames);
}

function isCount(x: number): boolean {
  return Number.isSafeInteger(x) && x >= 0;
}

/** A recorder that keeps nothing: for benchmarks and runs whose trace nobody will read. */
export class NullTraceRecorder extends TraceRecorder {
  override readonly recording: boolean = false;
  override balloonEvent(): void {}
  override toTarget(): void {}
  override getConfig(): void {}
  override setConfig(): void {}
  override pop(): void {}
  override handleOutputRuns(): void {}
  override flush(): void {}
  override custom(): void {}
  override deviceError(): void {}
  override driver(): void {}
}
