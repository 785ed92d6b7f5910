// The `steps` of a scenario file: each step on its own (its `do` and the fields that kind takes), then
// the rules that only the sequence can break (time order, a `free` needs a running workload, `restore`
// needs a `freeze`, `end` comes last), so that a scenario that loads can also run to its end.

import { balloonMiBProblem, MAX_STATS_INTERVAL_S, MAX_WORKLOAD_MIB } from './inputs.ts';
import {
  childPath,
  isJsonObject,
  type JsonObject,
  type Problems,
  readInteger,
  readNonEmptyString,
  readNumber,
  readOneOf,
  rejectUnknownKeys,
} from './json-check.ts';

export const WORKLOAD_KINDS = ['anon', 'file', 'shmem'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Malformed buffers the driver can be told to put on its next kick (design.md, step `fault`). */
export const FAULT_KINDS = [
  'loop',
  'next-oob',
  'head-oob',
  'avail-jump',
  'zero-len',
  'bad-gpa',
  'indirect-bad-size',
  'write-flag',
  'bad-pfn',
  'second-stats-buffer',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

interface StepAt {
  /** Virtual seconds from the start of the run. */
  at: number;
}
/** QMP `balloon`: the guest's logical size in MiB (above RAM is clamped by the device). */
export interface BalloonStep extends StepAt {
  do: 'balloon';
  MiB: number;
}
/** QMP `guest-stats-polling-interval`, in seconds; 0 stops polling. */
export interface StatsIntervalStep extends StepAt {
  do: 'stats-interval';
  s: number;
}
export interface WorkloadStep extends StepAt {
  do: 'workload';
  kind: WorkloadKind;
  MiB: number;
  name: string;
}
export interface FreeStep extends StepAt {
  do: 'free';
  name: string;
}
export interface FaultStep extends StepAt {
  do: 'fault';
  kind: FaultKind;
}
export interface PlainStep extends StepAt {
  do: 'compact' | 'freeze' | 'restore' | 'unplug' | 'end';
}
export type Step = BalloonStep | StatsIntervalStep | WorkloadStep | FreeStep | FaultStep | PlainStep;
export type StepKind = Step['do'];

/** The fields each kind of step takes besides `at` and `do`, in the order files write them. */
export const STEP_KEYS: Readonly<Record<StepKind, readonly string[]>> = {
  balloon: ['MiB'],
  'stats-interval': ['s'],
  workload: ['kind', 'MiB', 'name'],
  free: ['name'],
  compact: [],
  freeze: [],
  restore: [],
  unplug: [],
  fault: ['kind'],
  end: [],
};
export const STEP_KINDS = Object.keys(STEP_KEYS) as StepKind[];

/** Virtual time is kept in integer µs; this keeps every `at` far inside what a double holds exactly. */
export const MAX_STEP_AT_S = 1_000_000_000;
const AT_RULE = {
  min: 0,
  max: MAX_STEP_AT_S,
  reason: `must be a number of seconds from 0 to ${MAX_STEP_AT_S}`,
};
// Any number here; balloonMiBProblem() then answers ≤ 0 and too big in QEMU's words (inputs.ts).
const BALLOON_MIB = { min: -Infinity, max: Infinity, reason: 'must be a number of MiB' };
const WORKLOAD_MIB = {
  min: 0,
  exclusive: true,
  max: MAX_WORKLOAD_MIB,
  reason: `must be a positive number of MiB, at most ${MAX_WORKLOAD_MIB} (1 TiB)`,
};
const U32_RULE = { min: 0, max: MAX_STATS_INTERVAL_S };

/** Parses every step and checks the sequence; undefined if any step is wrong (all reported). */
export function parseSteps(
  items: readonly unknown[],
  path: string,
  /** Whether the device offers STATS_VQ; undefined when the device section itself is wrong. */
  statsVq: boolean | undefined,
  problems: Problems,
): Step[] | undefined {
  const before = problems.count;
  const sequence = new SequenceRules(path, statsVq, problems);
  const steps: Step[] = [];
  items.forEach((item, index) => {
    const stepPath = childPath(path, index);
    if (!isJsonObject(item)) {
      problems.add(stepPath, 'must be an object');
      return;
    }
    const at = readNumber(item, 'at', stepPath, AT_RULE, problems);
    if (at !== undefined) sequence.checkTime(index, at);
    const step = parseStepFields(item, stepPath, at, problems);
    if (step) {
      sequence.check(index, step);
      steps.push(step);
    }
  });
  return problems.count > before ? undefined : steps;
}

function parseStepFields(
  item: JsonObject,
  path: string,
  at: number | undefined,
  problems: Problems,
): Step | undefined {
  const doPath = childPath(path, 'do');
  const kind = item.do;
  if (!Object.hasOwn(item, 'do')) {
    problems.add(doPath, 'is required');
    return undefined;
  }
  if (typeof kind !== 'string') {
    problems.add(doPath, `must be the name of a step (${STEP_KINDS.join(', ')})`);
    return undefined;
  }
  if (!Object.hasOwn(STEP_KEYS, kind)) {
    problems.add(doPath, `unknown step ${JSON.stringify(kind)} (known: ${STEP_KINDS.join(', ')})`);
    return undefined;
  }
  const stepKind = kind as StepKind;
  rejectUnknownKeys(item, path, ['at', 'do', ...STEP_KEYS[stepKind]], `a "${stepKind}" step`, problems);
  const step = readStepFields(stepKind, item, path, problems);
  return step && at !== undefined ? ({ at, ...step } as Step) : undefined;
}

// A step without its `at`, still a union on `do` (Omit over each member, not over the union).
type StepFields = Step extends infer S ? (S extends Step ? Omit<S, 'at'> : never) : never;

function readStepFields(
  kind: StepKind,
  item: JsonObject,
  path: string,
  problems: Problems,
): StepFields | undefined {
  switch (kind) {
    case 'balloon': {
      const MiB = readNumber(item, 'MiB', path, BALLOON_MIB, problems);
      if (MiB === undefined) return undefined;
      const problem = balloonMiBProblem(MiB);
      if (problem) {
        problems.add(childPath(path, 'MiB'), problem);
        return undefined;
      }
      return { do: kind, MiB };
    }
    case 'stats-interval': {
      const s = readInteger(item, 's', path, U32_RULE, problems);
      return s === undefined ? undefined : { do: kind, s };
    }
    case 'workload': {
      const workloadKind = readOneOf(item, 'kind', path, WORKLOAD_KINDS, undefined, problems);
      const MiB = readNumber(item, 'MiB', path, WORKLOAD_MIB, problems);
      const name = readNonEmptyString(item, 'name', path, problems);
      if (workloadKind === undefined || MiB === undefined || name === undefined) return undefined;
      return { do: kind, kind: workloadKind, MiB, name };
    }
    case 'free': {
      const name = readNonEmptyString(item, 'name', path, problems);
      return name === undefined ? undefined : { do: kind, name };
    }
    case 'fault': {
      const faultKind = readOneOf(item, 'kind', path, FAULT_KINDS, undefined, problems);
      return faultKind === undefined ? undefined : { do: kind, kind: faultKind };
    }
    default:
      return { do: kind };
  }
}

/** What the steps so far have done, to check each next step against. */
class SequenceRules {
  private lastAt: { at: number; index: number } | undefined;
  private readonly running = new Map<string, number>();
  private readonly freed = new Map<string, number>();
  private frozenBy: number | undefined;
  private unpluggedBy: number | undefined;
  private endedBy: number | undefined;

  constructor(
    private readonly path: string,
    private readonly statsVq: boolean | undefined,
    private readonly problems: Problems,
  ) {}

  private at(index: number, key?: string): string {
    const stepPath = childPath(this.path, index);
    return key === undefined ? stepPath : childPath(stepPath, key);
  }

  checkTime(index: number, at: number): void {
    if (this.lastAt && at < this.lastAt.at) {
      const reason = `must not be earlier than ${this.at(this.lastAt.index, 'at')} (steps run in time order)`;
      this.problems.add(this.at(index, 'at'), reason);
      return;
    }
    this.lastAt = { at, index };
  }

  check(index: number, step: Step): void {
    if (this.endedBy !== undefined) {
      this.problems.add(
        this.at(this.endedBy, 'do'),
        `"end" must be the last step (${this.at(index)} follows it)`,
      );
      this.endedBy = undefined;
    }
    switch (step.do) {
      case 'workload':
        this.startWorkload(index, step.name);
        return;
      case 'free':
        this.freeWorkload(index, step.name);
        return;
      case 'freeze':
        if (this.frozenBy !== undefined) {
          this.problems.add(
            this.at(index, 'do'),
            `the guest is already frozen (by ${this.at(this.frozenBy)})`,
          );
        } else {
          this.frozenBy = index;
        }
        return;
      case 'restore':
        if (this.frozenBy === undefined) {
          this.problems.add(
            this.at(index, 'do'),
            '"restore" needs an earlier "freeze" (the guest is not frozen)',
          );
        }
        this.frozenBy = undefined;
        return;
      case 'unplug':
        if (this.unpluggedBy !== undefined) {
          this.problems.add(
            this.at(index, 'do'),
            `the device was already unplugged by ${this.at(this.unpluggedBy)}`,
          );
        } else {
          this.unpluggedBy = index;
        }
        return;
      case 'fault':
        if (step.kind === 'second-stats-buffer' && this.statsVq === false) {
          this.problems.add(
            this.at(index, 'kind'),
            `"second-stats-buffer" needs STATS_VQ in device.features`,
          );
        }
        return;
      case 'end':
        this.endedBy = index;
        return;
    }
  }

  private startWorkload(index: number, name: string): void {
    const startedBy = this.running.get(name);
    if (startedBy !== undefined) {
      const reason = `a workload named ${JSON.stringify(name)} is already running (started by ${this.at(startedBy)})`;
      this.problems.add(this.at(index, 'name'), reason);
      return;
    }
    this.running.set(name, index);
    this.freed.delete(name);
  }

  private freeWorkload(index: number, name: string): void {
    if (this.running.delete(name)) {
      this.freed.set(name, index);
      return;
    }
    const freedBy = this.freed.get(name);
    const reason =
      freedBy === undefined
        ? `no workload named ${JSON.stringify(name)} was started before this step`
        : `the workload named ${JSON.stringify(name)} was already freed by ${this.at(freedBy)}`;
    this.problems.add(this.at(index, 'name'), reason);
  }
}
