// The scenario file: the contract of design.md ("Scenario file"), version 1. A scenario says what guest
// and device to build and what happens when, in virtual seconds. Loading checks everything before
// anything runs and answers with every problem, each naming the JSON path and the reason.
//
// Fields left out take these defaults, so a parsed scenario is complete:
//   seed 0; guest.pageKiB 4, guest.swapMiB 0; steps [];
//   device (optional as a whole): features ["STATS_VQ"] (QEMU always offers it), legacy false,
//   statsPollingIntervalS 0 (QEMU's default: polling off), hostPageKiB 4, queueSize 128 (QEMU's).
//
// Modern vs legacy: `device.legacy` (default false) says whether the device is a legacy (pre-1.0)
// device, i.e. does not offer VERSION_1. `VERSION_1` may also be listed in `device.features` as a
// reminder that the device is modern; it then must not contradict `legacy: true`. The parsed scenario
// keeps one source of truth: `features` holds only balloon features (in bit order) and `legacy` says
// whether VERSION_1 is offered.
import { MAX_FRAMES, MAX_QUEUE_SIZE } from '../core/abi.ts';
import {
  childPath,
  isJsonObject,
  type JsonObject,
  Problems,
  ROOT_PATH,
  readArray,
  readBoolean,
  readInteger,
  readNonEmptyString,
  readNumber,
  readObject,
  readOneOf,
  rejectUnknownKeys,
} from './json-check.ts';
import { parseSteps, STEP_KEYS, type Step } from './scenario-steps.ts';

export {
  type BalloonStep,
  FAULT_KINDS,
  type FaultKind,
  type FaultStep,
  type FreeStep,
  MAX_STEP_AT_S,
  type PlainStep,
  STEP_KINDS,
  type StatsIntervalStep,
  type Step,
  type StepKind,
  WORKLOAD_KINDS,
  type WorkloadKind,
  type WorkloadStep,
} from './scenario-steps.ts';

export const SCENARIO_VERSION = 1;

/** The balloon's own feature bits (virtio 1.x §5.5.3); the seed driver knows exactly these three. */
export const BALLOON_FEATURE_BITS = { MUST_TELL_HOST: 0, STATS_VQ: 1, DEFLATE_ON_OOM: 2 } as const;
export type BalloonFeature = keyof typeof BALLOON_FEATURE_BITS;
export const VERSION_1_BIT = 32;

export const GUEST_PAGE_KIB = [4, 16, 64] as const;
export type GuestPageKiB = (typeof GUEST_PAGE_KIB)[number];
export const HOST_PAGE_KIB = [4, 64, 2048] as const;
export type HostPageKiB = (typeof HOST_PAGE_KIB)[number];

export const MIN_MEMORY_MIB = 16;
/** The core's frame table holds at most 16 GiB of guest RAM. */
export const MAX_MEMORY_MIB = MAX_FRAMES / 256;
/** Swap beyond four times the largest guest only slows the simulation down; nothing needs it. */
export const MAX_SWAP_MIB = 4 * MAX_MEMORY_MIB;
export const U32_MAX = 0xffff_ffff;

export interface Scenario {
  version: typeof SCENARIO_VERSION;
  name: string;
  /** Seeds the simulation's PRNG (prng.ts); 0 … 2^32 − 1. */
  seed: number;
  guest: GuestConfig;
  device: DeviceConfig;
  /** In time order (`at` never decreases); an `end` step, if any, is the last. */
  steps: Step[];
}

export interface GuestConfig {
  /** RAM in MiB, 16 … 16384. */
  memoryMiB: number;
  /** The kernel's page size; one kernel page is pageKiB / 4 balloon PFNs. */
  pageKiB: GuestPageKiB;
  swapMiB: number;
}

export interface DeviceConfig {
  /** What the device offers, in bit order, without VERSION_1 (see `legacy`). */
  features: BalloonFeature[];
  /** True: a legacy device that does not offer VERSION_1. */
  legacy: boolean;
  /** QEMU's `guest-stats-polling-interval` in seconds; 0 disables polling. */
  statsPollingIntervalS: number;
  /** The host's backing page size; above 4 KiB a host page is discarded only when fully ballooned. */
  hostPageKiB: HostPageKiB;
  /** Every queue's size: a power of two, 1 … 32768. */
  queueSize: number;
}

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

const SCENARIO_KEYS = ['version', 'name', 'seed', 'guest', 'device', 'steps'];
const GUEST_KEYS = ['memoryMiB', 'pageKiB', 'swapMiB'];
const DEVICE_KEYS = ['features', 'legacy', 'statsPollingIntervalS', 'hostPageKiB', 'queueSize'];
const DEFAULT_FEATURES: readonly BalloonFeature[] = ['STATS_VQ'];
const DEFAULT_QUEUE_SIZE = 128;

/**
 * Checks a scenario (JSON text, or a value already parsed from JSON) and fills in the defaults.
 * Never throws: every problem comes back as `<path>: <reason>`.
 */
export function parseScenario(input: unknown): ScenarioResult {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (error) {
      return { ok: false, errors: [`${ROOT_PATH}: not valid JSON: ${describeJsonError(error, input)}`] };
    }
  }
  if (!isJsonObject(json)) return { ok: false, errors: [`${ROOT_PATH}: must be an object`] };

  const problems = new Problems();
  rejectUnknownKeys(json, '', SCENARIO_KEYS, 'a scenario', problems);
  if (!Object.hasOwn(json, 'version')) problems.add('version', 'is required');
  else if (json.version !== SCENARIO_VERSION) problems.add('version', `must be ${SCENARIO_VERSION}`);
  const name = readNonEmptyString(json, 'name', '', problems);
  const seed = readInteger(json, 'seed', '', { min: 0, max: U32_MAX, fallback: 0 }, problems);
  const guest = parseGuest(json, problems);
  const device = parseDevice(json, problems);
  if (guest && device) checkHostPageFit(guest, device, problems);
  const stepsField = readArray(json, 'steps', '', [], problems);
  const statsVq = device ? device.features.includes('STATS_VQ') : undefined;
  const steps = stepsField && parseSteps(stepsField.value, stepsField.path, statsVq, problems);

  if (problems.count > 0 || name === undefined || seed === undefined || !guest || !device || !steps) {
    return { ok: false, errors: problems.messages };
  }
  return { ok: true, scenario: { version: SCENARIO_VERSION, name, seed, guest, device, steps } };
}

function parseGuest(json: JsonObject, problems: Problems): GuestConfig | undefined {
  const field = readObject(json, 'guest', '', false, problems);
  if (!field) return undefined;
  const { value: guest, path } = field;
  rejectUnknownKeys(guest, path, GUEST_KEYS, 'guest', problems);
  // A whole number of MiB is always a whole number of 4, 16 or 64 KiB pages: no separate check needed.
  const memory = { min: MIN_MEMORY_MIB, max: MAX_MEMORY_MIB };
  const memoryMiB = readInteger(guest, 'memoryMiB', path, memory, problems);
  const pageKiB = readOneOf(guest, 'pageKiB', path, GUEST_PAGE_KIB, 4, problems);
  const swapMiB = readInteger(guest, 'swapMiB', path, { min: 0, max: MAX_SWAP_MIB, fallback: 0 }, problems);
  if (memoryMiB === undefined || pageKiB === undefined || swapMiB === undefined) return undefined;
  return { memoryMiB, pageKiB, swapMiB };
}

function parseDevice(json: JsonObject, problems: Problems): DeviceConfig | undefined {
  const field = readObject(json, 'device', '', true, problems);
  if (!field) return undefined;
  const { value: device, path } = field;
  rejectUnknownKeys(device, path, DEVICE_KEYS, 'device', problems);
  const legacy = readBoolean(device, 'legacy', path, false, problems);
  const features = parseFeatures(device, path, legacy === true, problems);
  const interval = { min: 0, max: U32_MAX, fallback: 0 };
  const statsPollingIntervalS = readInteger(device, 'statsPollingIntervalS', path, interval, problems);
  const hostPageKiB = readOneOf(device, 'hostPageKiB', path, HOST_PAGE_KIB, 4, problems);
  const queueSize = readQueueSize(device, path, problems);
  if (
    legacy === undefined ||
    !features ||
    statsPollingIntervalS === undefined ||
    hostPageKiB === undefined ||
    queueSize === undefined
  ) {
    return undefined;
  }
  return { features, legacy, statsPollingIntervalS, hostPageKiB, queueSize };
}

function parseFeatures(
  device: JsonObject,
  devicePath: string,
  legacy: boolean,
  problems: Problems,
): BalloonFeature[] | undefined {
  const field = readArray(device, 'features', devicePath, DEFAULT_FEATURES, problems);
  if (!field) return undefined;
  const known = [...Object.keys(BALLOON_FEATURE_BITS), 'VERSION_1'];
  const seen = new Set<string>();
  const before = problems.count;
  field.value.forEach((item, i) => {
    const path = childPath(field.path, i);
    if (typeof item !== 'string') {
      problems.add(path, 'must be a feature name (a string)');
    } else if (!known.includes(item)) {
      problems.add(path, `unknown feature ${JSON.stringify(item)} (known: ${known.join(', ')})`);
    } else if (seen.has(item)) {
      problems.add(path, `${item} is listed twice`);
    } else if (item === 'VERSION_1' && legacy) {
      problems.add(path, 'VERSION_1 contradicts device.legacy: true');
    }
    if (typeof item === 'string') seen.add(item);
  });
  if (problems.count > before) return undefined;
  return (Object.keys(BALLOON_FEATURE_BITS) as BalloonFeature[]).filter((name) => seen.has(name));
}

function readQueueSize(device: JsonObject, path: string, problems: Problems): number | undefined {
  const reason = `must be a power of two from 1 to ${MAX_QUEUE_SIZE}`;
  const rule = { min: 1, max: MAX_QUEUE_SIZE, reason, fallback: DEFAULT_QUEUE_SIZE };
  const size = readNumber(device, 'queueSize', path, rule, problems);
  if (size === undefined) return undefined;
  if (!Number.isInteger(size) || (size & (size - 1)) !== 0) {
    problems.add(childPath(path, 'queueSize'), reason);
    return undefined;
  }
  return size;
}

/** QEMU refuses a RAM size that is not a whole number of the backend's (huge) pages. */
function checkHostPageFit(guest: GuestConfig, device: DeviceConfig, problems: Problems): void {
  if ((guest.memoryMiB * 1024) % device.hostPageKiB !== 0) {
    problems.add(
      'guest.memoryMiB',
      `must be a multiple of the host page size (${device.hostPageKiB} KiB, device.hostPageKiB)`,
    );
  }
}

/** V8 says "at position N"; the line and column are what a person editing the file needs. */
function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  if (!position || /line \d+/.test(message)) return message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line} column ${column})`;
}

/**
 * The scenario as a JSON file: keys in the contract's order, defaults written out, one line per step,
 * so that `parseScenario(scenarioToJson(s))` gives `s` back.
 */
export function scenarioToJson(scenario: Scenario): string {
  const top: [string, unknown][] = [
    ['version', scenario.version],
    ['name', scenario.name],
    ['seed', scenario.seed],
    ['guest', pick(scenario.guest, GUEST_KEYS)],
    ['device', pick(scenario.device, DEVICE_KEYS)],
  ];
  const lines = top.map(([key, value]) => `  ${JSON.stringify(key)}: ${inlineJson(value)},`);
  const steps = scenario.steps.map(
    (step) => `    ${inlineJson(pick(step, ['at', 'do', ...STEP_KEYS[step.do]]))}`,
  );
  const stepsText = steps.length === 0 ? '[]' : `[\n${steps.join(',\n')}\n  ]`;
  return `{\n${lines.join('\n')}\n  "steps": ${stepsText}\n}\n`;
}

/** The listed keys of `obj`, in the listed order (the contract's order, whatever order `obj` has). */
function pick(obj: object, keys: readonly string[]): JsonObject {
  const source = obj as JsonObject;
  return Object.fromEntries(keys.filter((key) => key in source).map((key) => [key, source[key]]));
}

/** JSON on one line with a space after separators, as design.md writes scenarios. */
function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (isJsonObject(value)) {
    const fields = Object.entries(value).map(([key, v]) => `${JSON.stringify(key)}: ${inlineJson(v)}`);
    return fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
  }
  return JSON.stringify(value);
}
