// Small readers for checking hand-written JSON (scenario files), each collecting messages of the form
// `<path>: <reason>` instead of throwing, so that a user sees every problem of a file at once and the
// path points at the field to fix (`steps[3].MiB: must be a positive number`).

export type JsonObject = Record<string, unknown>;

/** The path shown for a problem with the document as a whole. */
export const ROOT_PATH = '(root)';

export class Problems {
  readonly messages: string[] = [];

  add(path: string, reason: string): void {
    this.messages.push(`${path}: ${reason}`);
  }

  get count(): number {
    return this.messages.length;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * `guest` + `pageKiB` → `guest.pageKiB`; `steps` + 3 → `steps[3]`; keys that are not identifiers are
 * quoted (`guest["page size"]`). The document itself is the empty path.
 */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `"anon", "file"` or `4, 16, 64`: a list of choices for a message. */
export const listForMessage = (values: readonly (string | number)[]) =>
  values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ');

/** Reports every key of `obj` not in `allowed`; `what` names the object in the message. */
export function rejectUnknownKeys(
  obj: JsonObject,
  path: string,
  allowed: readonly string[],
  what: string,
  problems: Problems,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const takes = allowed.length > 0 ? allowed.join(', ') : 'no other keys';
      problems.add(childPath(path, key), `unknown key (${what} takes: ${takes})`);
    }
  }
}

/** Reads `obj[key]`: absent gives `fallback`, or an "is required" problem when there is none. */
function present(
  obj: JsonObject,
  key: string,
  path: string,
  problems: Problems,
  fallback: unknown,
): { value: unknown; path: string } | undefined {
  const at = childPath(path, key);
  if (Object.hasOwn(obj, key)) return { value: obj[key], path: at };
  if (fallback === undefined) problems.add(at, 'is required');
  return undefined;
}

// JSON has no -0, and toEqual tells -0 from 0: normalise so that a round trip is exact.
const plusZero = (n: number) => (n === 0 ? 0 : n);

export interface IntegerRule {
  min: number;
  max: number;
  fallback?: number;
}

export function readInteger(
  obj: JsonObject,
  key: string,
  path: string,
  rule: IntegerRule,
  problems: Problems,
): number | undefined {
  const field = present(obj, key, path, problems, rule.fallback);
  if (!field) return rule.fallback;
  const { value } = field;
  if (typeof value === 'number' && Number.isInteger(value) && value >= rule.min && value <= rule.max) {
    return plusZero(value);
  }
  problems.add(field.path, `must be an integer from ${rule.min} to ${rule.max}`);
  return undefined;
}

export interface NumberRule {
  /** Smallest allowed value; with `exclusive`, values must be greater. */
  min: number;
  max: number;
  exclusive?: boolean;
  /** The reason printed when the value breaks the rule. */
  reason: string;
  fallback?: number;
}

export function readNumber(
  obj: JsonObject,
  key: string,
  path: string,
  rule: NumberRule,
  problems: Problems,
): number | undefined {
  const field = present(obj, key, path, problems, rule.fallback);
  if (!field) return rule.fallback;
  const { value } = field;
  const aboveMin = typeof value === 'number' && (rule.exclusive ? value > rule.min : value >= rule.min);
  if (aboveMin && Number.isFinite(value) && value <= rule.max) return plusZero(value);
  problems.add(field.path, rule.reason);
  return undefined;
}

export function readNonEmptyString(
  obj: JsonObject,
  key: string,
  path: string,
  problems: Problems,
): string | undefined {
  const field = present(obj, key, path, problems, undefined);
  if (!field) return undefined;
  if (typeof field.value === 'string' && field.value.trim() !== '') return field.value;
  problems.add(field.path, 'must be a non-empty string');
  return undefined;
}

export function readBoolean(
  obj: JsonObject,
  key: string,
  path: string,
  fallback: boolean,
  problems: Problems,
): boolean | undefined {
  const field = present(obj, key, path, problems, fallback);
  if (!field) return fallback;
  if (typeof field.value === 'boolean') return field.value;
  problems.add(field.path, 'must be true or false');
  return undefined;
}

/** One of a fixed set of strings or numbers, e.g. `must be one of 4, 16, 64`. */
export function readOneOf<T extends string | number>(
  obj: JsonObject,
  key: string,
  path: string,
  options: readonly T[],
  fallback: T | undefined,
  problems: Problems,
): T | undefined {
  const field = present(obj, key, path, problems, fallback);
  if (!field) return fallback;
  const match = options.find((option) => option === field.value);
  if (match !== undefined) return match;
  problems.add(field.path, `must be one of ${listForMessage(options)}`);
  return undefined;
}

/** An object field, or `{}` when it is optional and absent (so its own fields take their defaults). */
export function readObject(
  obj: JsonObject,
  key: string,
  path: string,
  optional: boolean,
  problems: Problems,
): { value: JsonObject; path: string } | undefined {
  const field = present(obj, key, path, problems, optional ? {} : undefined);
  if (!field) return optional ? { value: {}, path: childPath(path, key) } : undefined;
  if (isJsonObject(field.value)) return { value: field.value, path: field.path };
  problems.add(field.path, 'must be an object');
  return undefined;
}

export function readArray(
  obj: JsonObject,
  key: string,
  path: string,
  fallback: readonly unknown[] | undefined,
  problems: Problems,
): { value: readonly unknown[]; path: string } | undefined {
  const field = present(obj, key, path, problems, fallback);
  if (!field) return fallback && { value: fallback, path: childPath(path, key) };
  if (Array.isArray(field.value)) return { value: field.value, path: field.path };
  problems.add(field.path, 'must be an array');
  return undefined;
}
