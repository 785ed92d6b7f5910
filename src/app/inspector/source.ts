// The driver port's source as the driver view shows it, and where each seed function sits in it.
// The text is the file itself (Vite's ?raw), so the view can never drift from the code that runs.

import portSource from '../../sim/driver/virtio_balloon.ts?raw';
import { DRIVER_FUNCTIONS, type DriverFunction, SEED_FUNCTIONS } from '../../sim/view.ts';

export const DRIVER_SOURCE: string = portSource;
export const DRIVER_SOURCE_PATH = 'src/sim/driver/virtio_balloon.ts';

export interface FunctionSpan {
  fn: string;
  /** 0-based lines of the declaration and of its closing brace. */
  start: number;
  end: number;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where each named function is declared and where its body ends. A declaration is a class member at
 * two spaces (`  fn_name(` or, for a generator, `  *fn_name(`) or a local `const fn_name = (`, as the
 * port writes update_stat inside update_balloon_stats; the body ends at the first later line that is a
 * closing brace at the declaration's own indent. Calls (`this.fn_name(`) never match.
 */
export function findFunctions(source: string, names: readonly string[]): Map<string, FunctionSpan> {
  const lines = source.split('\n');
  const spans = new Map<string, FunctionSpan>();
  for (const fn of names) {
    const member = new RegExp(`^( {2})\\*?${escapeRegExp(fn)}\\(`);
    const local = new RegExp(`^(\\s*)(?:const|let) ${escapeRegExp(fn)} = `);
    for (let i = 0; i < lines.length; i++) {
      const m = member.exec(lines[i]) ?? local.exec(lines[i]);
      if (!m) continue;
      const close = new RegExp(`^${m[1]}\\}[;,]?\\s*$`);
      let end = i;
      while (end < lines.length - 1 && !close.test(lines[end])) end++;
      spans.set(fn, { fn, start: i, end });
      break;
    }
  }
  return spans;
}

/** "seed lines 144–192" */
export function seedLabel(fn: string): string | null {
  if (!Object.hasOwn(SEED_FUNCTIONS, fn)) return null;
  const [first, last] = SEED_FUNCTIONS[fn as DriverFunction];
  return `seed lines ${first}–${last}`;
}

let cached: { lines: string[]; spans: Map<string, FunctionSpan>; declAt: Map<number, string> } | null = null;

/** The port's lines, every seed function's span, and which function each declaration line opens. */
export function driverSource() {
  if (!cached) {
    const spans = findFunctions(DRIVER_SOURCE, DRIVER_FUNCTIONS);
    cached = {
      lines: DRIVER_SOURCE.replace(/\n$/, '').split('\n'),
      spans,
      declAt: new Map([...spans.values()].map((s) => [s.start, s.fn])),
    };
  }
  return cached;
}
