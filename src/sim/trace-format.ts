// The text of the trace (design.md, "Trace"): the lines QEMU 7.2's `log` trace backend prints with
// `-msg timestamp=on`, `<pid>@<seconds>.<microseconds>:<event> <arguments>`, with the argument text of
// QEMU's hw/virtio/trace-events and hw/core trace-events, so a sim trace and a real one read alike.
//
// The sim writes pid 1, virtual time, and stable ids where QEMU prints host pointers:
//   vq    0x1000 inflateq, 0x2000 deflateq, 0x3000 statsq (queue index + 1, times 0x1000);
//   elem  vq × 0x1000 + head × 0x10: the element whose chain starts at descriptor `head` of that queue
//         (unique while in flight, as QEMU's pointers are; 0x1000010 is the inflateq's head 1);
//   balloon_event's opaque is 0x1.
//
// Events QEMU never prints carry the prefix `balloonlab_` and `key=value` arguments, values bare or in
// double quotes with `\"`, `\\`, `\n`, `\r` escaped, so they parse back:
//   balloonlab_device_error kind=loop queue=0 msg="Looped descriptor"
//   balloonlab_driver fn=fill_balloon num_pfns=256
import { formatTraceTime } from './clock.ts';

export const SIM_PID = 1;
export const VQ_INFLATE = 0x1000;
export const VQ_DEFLATE = 0x2000;
export const VQ_STATS = 0x3000;
/** Trace vq id by virtio queue index (0 inflateq, 1 deflateq, 2 statsq). */
export const VQ_BY_QUEUE_INDEX: readonly number[] = [VQ_INFLATE, VQ_DEFLATE, VQ_STATS];
export const BALLOON_EVENT_OPAQUE = 0x1;
/** QEMU's name for the memory region of a PC's RAM, printed on every handle_output line. */
export const RAM_SECTION_NAME = 'pc.ram';
export const SIM_EVENT_PREFIX = 'balloonlab_';

export const EVENT_NAMES = {
  balloonEvent: 'balloon_event',
  toTarget: 'virtio_balloon_to_target',
  getConfig: 'virtio_balloon_get_config',
  setConfig: 'virtio_balloon_set_config',
  pop: 'virtqueue_pop',
  handleOutput: 'virtio_balloon_handle_output',
  badAddr: 'virtio_balloon_bad_addr',
  flush: 'virtqueue_flush',
} as const;

/** The trace's id for the element whose descriptor chain starts at `head` on queue `vq`. */
export function traceElemId(vq: number, head: number): number {
  return vq * 0x1000 + head * 0x10;
}

/** Lowercase hex without padding, as QEMU's `0x%" PRIx64`; exact for integers below 2^53. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

export function linePrefix(us: number, event: string): string {
  return `${SIM_PID}@${formatTraceTime(us)}:${event}`;
}

/** The argument text of each QEMU event, exactly as QEMU formats it. */
export const formatArgs = {
  balloonEvent: (addrBytes: number) => `opaque ${hex(BALLOON_EVENT_OPAQUE)} addr ${addrBytes}`,
  toTarget: (targetBytes: number, numPages: number) =>
    `balloon target: ${hex(targetBytes)} num_pages: ${numPages}`,
  getConfig: (numPages: number, actual: number) => `num_pages: ${numPages} actual: ${actual}`,
  setConfig: (actual: number, oldActual: number) => `actual: ${actual} oldactual: ${oldActual}`,
  pop: (vq: number, elem: number, inNum: number, outNum: number) =>
    `vq ${hex(vq)} elem ${hex(elem)} in_num ${inNum} out_num ${outNum}`,
  handleOutput: (gpa: number) => `section name: ${RAM_SECTION_NAME} gpa: ${hex(gpa)}`,
  // hw/virtio/trace-events: virtio_balloon_bad_addr(uint64_t gpa) "0x%"PRIx64 — no label.
  badAddr: (gpa: number) => hex(gpa),
  flush: (vq: number, count: number) => `vq ${hex(vq)} count ${count}`,
};

export type TraceFieldValue = string | number | boolean;
export type TraceFields = Readonly<Record<string, TraceFieldValue>>;

const SIM_EVENT_NAME = /^[a-z][a-z0-9_]*$/;
const FIELD_KEY = /^[a-z][a-z0-9_]*$/;
const NEEDS_QUOTES = /[\s"\\]/;

export function assertSimEventName(name: string): void {
  if (!SIM_EVENT_NAME.test(name))
    throw new RangeError(`sim trace event name "${name}" must match [a-z][a-z0-9_]*`);
  // The recorder adds the prefix: a name that carries it already would come out doubled.
  if (name.startsWith(SIM_EVENT_PREFIX))
    throw new RangeError(`sim trace event name "${name}": leave out the ${SIM_EVENT_PREFIX} prefix`);
}

/** `kind=loop queue=0 msg="Looped descriptor"` from `{ kind: 'loop', queue: 0, msg: 'Looped descriptor' }`. */
export function formatFields(fields: TraceFields): string {
  return Object.entries(fields)
    .map(([key, value]) => {
      if (!FIELD_KEY.test(key)) throw new RangeError(`sim trace field "${key}" must match [a-z][a-z0-9_]*`);
      const text = String(value);
      return `${key}=${text === '' || NEEDS_QUOTES.test(text) ? quote(text) : text}`;
    })
    .join(' ');
}

function quote(text: string): string {
  const escaped = text.replace(
    /[\\"\n\r]/g,
    (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r' })[c]!,
  );
  return `"${escaped}"`;
}

const UNESCAPE: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n', r: '\r' };

/** The inverse of `formatFields`; a string is the reason the text is not `key=value …`. */
export function parseFields(text: string): Record<string, string> | string {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const key = /^([a-z][a-z0-9_]*)=/.exec(text.slice(i));
    if (!key) return `expected key=value at column ${i + 1}`;
    i += key[0].length;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') {
          const unescaped = UNESCAPE[text[i + 1]];
          if (unescaped === undefined) return `unknown escape at column ${i + 1}`;
          value += unescaped;
          i += 2;
        } else {
          value += text[i++];
        }
      }
      if (text[i] !== '"') return `unterminated quote in field "${key[1]}"`;
      i++;
    } else {
      const end = text.indexOf(' ', i);
      value = text.slice(i, end < 0 ? text.length : end);
      i += value.length;
    }
    fields[key[1]] = value;
    if (i < text.length && text[i++] !== ' ')
      return `expected a space after field "${key[1]}" at column ${i}`;
  }
  return fields;
}
