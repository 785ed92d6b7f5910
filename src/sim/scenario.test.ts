import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, parseScenario, type Scenario, type Step, scenarioToJson } from './scenario.ts';

// The example of design.md ("Scenario file"), verbatim.
const DESIGN_EXAMPLE = `{
  "version": 1,
  "name": "inflate then deflate",
  "seed": 1,
  "guest": { "memoryMiB": 256, "pageKiB": 4, "swapMiB": 0 },
  "device": { "features": ["STATS_VQ", "DEFLATE_ON_OOM"], "statsPollingIntervalS": 1, "hostPageKiB": 4 },
  "steps": [
    { "at": 2,  "do": "balloon", "MiB": 128 },
    { "at": 30, "do": "workload", "kind": "shmem", "MiB": 120, "name": "fill" },
    { "at": 60, "do": "free", "name": "fill" },
    { "at": 90, "do": "end" }
  ]
}`;

type Json = Record<string, unknown>;
const base = (): Json => ({ version: 1, name: 'test', guest: { memoryMiB: 256 }, steps: [] });
const withSteps = (...steps: Json[]): Json => ({ ...base(), steps });
const withGuest = (guest: Json): Json => ({ ...base(), guest: { memoryMiB: 256, ...guest } });
const withDevice = (device: Json): Json => ({ ...base(), device });

function errorsOf(input: unknown): string[] {
  const result = parseScenario(input);
  if (result.ok) throw new Error('expected the scenario to be refused');
  return result.errors;
}

function scenarioOf(input: unknown): Scenario {
  const result = parseScenario(input);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.scenario;
}

describe('parseScenario: valid files', () => {
  it("loads design.md's example and fills in the defaults", () => {
    expect(scenarioOf(DESIGN_EXAMPLE)).toEqual({
      version: 1,
      name: 'inflate then deflate',
      seed: 1,
      guest: { memoryMiB: 256, pageKiB: 4, swapMiB: 0 },
      device: {
        features: ['STATS_VQ', 'DEFLATE_ON_OOM'],
        legacy: false,
        statsPollingIntervalS: 1,
        hostPageKiB: 4,
        queueSize: 128,
      },
      steps: [
        { at: 2, do: 'balloon', MiB: 128 },
        { at: 30, do: 'workload', kind: 'shmem', MiB: 120, name: 'fill' },
        { at: 60, do: 'free', name: 'fill' },
        { at: 90, do: 'end' },
      ],
    });
  });

  it('gives a minimal file the defaults of a QEMU balloon', () => {
    expect(scenarioOf({ version: 1, name: 'bare', guest: { memoryMiB: 16 } })).toEqual({
      version: 1,
      name: 'bare',
      seed: 0,
      guest: { memoryMiB: 16, pageKiB: 4, swapMiB: 0 },
      device: {
        features: ['STATS_VQ'],
        legacy: false,
        statsPollingIntervalS: 0,
        hostPageKiB: 4,
        queueSize: 128,
      },
      steps: [],
    });
  });

  it('keeps features in bit order, and takes VERSION_1 as a note that the device is modern', () => {
    const device = scenarioOf(
      withDevice({ features: ['DEFLATE_ON_OOM', 'VERSION_1', 'MUST_TELL_HOST'] }),
    ).device;
    expect(device.features).toEqual(['MUST_TELL_HOST', 'DEFLATE_ON_OOM']);
    expect(device.legacy).toBe(false);
    expect(scenarioOf(withDevice({ features: [], legacy: true })).device).toMatchObject({
      features: [],
      legacy: true,
    });
  });

  it('accepts every step kind, a balloon above RAM, and a workload name reused after its free', () => {
    const steps = scenarioOf(
      withSteps(
        { at: 0, do: 'balloon', MiB: 100_000 },
        { at: 0, do: 'stats-interval', s: 0 },
        { at: 0.5, do: 'workload', kind: 'anon', MiB: 1.5, name: 'w' },
        { at: 1, do: 'free', name: 'w' },
        { at: 1, do: 'workload', kind: 'file', MiB: 10, name: 'w' },
        { at: 2, do: 'compact' },
        { at: 3, do: 'freeze' },
        { at: 4, do: 'restore' },
        { at: 5, do: 'fault', kind: 'second-stats-buffer' },
        { at: 6, do: 'unplug' },
        { at: 7, do: 'end' },
      ),
    ).steps;
    expect(steps.map((s) => s.do)).toEqual([
      'balloon',
      'stats-interval',
      'workload',
      'free',
      'workload',
      'compact',
      'freeze',
      'restore',
      'fault',
      'unplug',
      'end',
    ]);
  });

  it('accepts a 2 MiB host page when RAM is a whole number of them', () => {
    expect(
      scenarioOf({ ...withDevice({ hostPageKiB: 2048 }), guest: { memoryMiB: 1024 } }).device.hostPageKiB,
    ).toBe(2048);
  });
});

describe('parseScenario: each kind of bad input has its own exact message', () => {
  const cases: [string, unknown, string][] = [
    ['a wrong version', { ...base(), version: 2 }, 'version: must be 1'],
    ['no version', { name: 'x', guest: { memoryMiB: 256 } }, 'version: is required'],
    ['an empty name', { ...base(), name: ' ' }, 'name: must be a non-empty string'],
    ['a negative seed', { ...base(), seed: -1 }, 'seed: must be an integer from 0 to 4294967295'],
    ['a seed past u32', { ...base(), seed: 2 ** 32 }, 'seed: must be an integer from 0 to 4294967295'],
    ['no guest', { version: 1, name: 'x' }, 'guest: is required'],
    ['a guest that is not an object', { ...base(), guest: [] }, 'guest: must be an object'],
    ['too little RAM', withGuest({ memoryMiB: 8 }), 'guest.memoryMiB: must be an integer from 16 to 16384'],
    ['too much RAM', withGuest({ memoryMiB: 16385 }), 'guest.memoryMiB: must be an integer from 16 to 16384'],
    [
      'fractional RAM',
      withGuest({ memoryMiB: 256.5 }),
      'guest.memoryMiB: must be an integer from 16 to 16384',
    ],
    ['an odd page size', withGuest({ pageKiB: 8 }), 'guest.pageKiB: must be one of 4, 16, 64'],
    ['negative swap', withGuest({ swapMiB: -1 }), 'guest.swapMiB: must be an integer from 0 to 65536'],
    [
      'an unknown feature',
      withDevice({ features: ['STATS_VQ', 'FOO'] }),
      'device.features[1]: unknown feature "FOO" (known: MUST_TELL_HOST, STATS_VQ, DEFLATE_ON_OOM, VERSION_1)',
    ],
    [
      'a feature twice',
      withDevice({ features: ['STATS_VQ', 'STATS_VQ'] }),
      'device.features[1]: STATS_VQ is listed twice',
    ],
    [
      'a feature that is no string',
      withDevice({ features: [1] }),
      'device.features[0]: must be a feature name (a string)',
    ],
    [
      'VERSION_1 on a legacy device',
      withDevice({ legacy: true, features: ['VERSION_1'] }),
      'device.features[0]: VERSION_1 contradicts device.legacy: true',
    ],
    [
      'features that are not a list',
      withDevice({ features: 'STATS_VQ' }),
      'device.features: must be an array',
    ],
    ['legacy as a string', withDevice({ legacy: 'yes' }), 'device.legacy: must be true or false'],
    [
      'a negative polling interval',
      withDevice({ statsPollingIntervalS: -1 }),
      'device.statsPollingIntervalS: must be an integer from 0 to 4294967295',
    ],
    ['an odd host page', withDevice({ hostPageKiB: 8 }), 'device.hostPageKiB: must be one of 4, 64, 2048'],
    [
      'RAM that is no whole number of host pages',
      { ...withDevice({ hostPageKiB: 2048 }), guest: { memoryMiB: 17 } },
      'guest.memoryMiB: must be a multiple of the host page size (2048 KiB, device.hostPageKiB)',
    ],
    [
      'a queue size that is no power of two',
      withDevice({ queueSize: 100 }),
      'device.queueSize: must be a power of two from 1 to 32768',
    ],
    [
      'a queue too large',
      withDevice({ queueSize: 65536 }),
      'device.queueSize: must be a power of two from 1 to 32768',
    ],
    ['steps that are not a list', { ...base(), steps: {} }, 'steps: must be an array'],
    ['a step that is not an object', withSteps(3 as unknown as Json), 'steps[0]: must be an object'],
    ['a step without a time', withSteps({ do: 'compact' }), 'steps[0].at: is required'],
    [
      'a negative time',
      withSteps({ at: -1, do: 'compact' }),
      'steps[0].at: must be a number of seconds from 0 to 1000000000',
    ],
    ['a step without do', withSteps({ at: 1 }), 'steps[0].do: is required'],
    [
      'an unknown step',
      withSteps({ at: 1, do: 'explode' }),
      'steps[0].do: unknown step "explode" (known: balloon, stats-interval, workload, free, compact, freeze, restore, unplug, fault, end)',
    ],
    [
      'a zero balloon',
      withSteps({ at: 1, do: 'balloon', MiB: 0 }),
      `steps[0].MiB: must be more than 0 MiB (QEMU: "Parameter 'target' expects a size")`,
    ],
    ['a balloon without MiB', withSteps({ at: 1, do: 'balloon' }), 'steps[0].MiB: is required'],
    [
      'a stats interval in fractions',
      withSteps({ at: 1, do: 'stats-interval', s: 0.5 }),
      'steps[0].s: must be an integer from 0 to 4294967295',
    ],
    [
      'an unknown workload kind',
      withSteps({ at: 1, do: 'workload', kind: 'gpu', MiB: 1, name: 'w' }),
      'steps[0].kind: must be one of "anon", "file", "shmem"',
    ],
    [
      'a workload without a name',
      withSteps({ at: 1, do: 'workload', kind: 'anon', MiB: 1, name: '' }),
      'steps[0].name: must be a non-empty string',
    ],
    [
      'an unknown fault',
      withSteps({ at: 1, do: 'fault', kind: 'gremlin' }),
      'steps[0].kind: must be one of "loop", "next-oob", "head-oob", "avail-jump", "zero-len", "bad-gpa", "indirect-bad-size", "write-flag", "bad-pfn", "second-stats-buffer"',
    ],
    [
      'an unknown key at the top',
      { ...base(), colour: 'red' },
      'colour: unknown key (a scenario takes: version, name, seed, guest, device, steps)',
    ],
    [
      'an unknown key in guest',
      withGuest({ cpus: 2 }),
      'guest.cpus: unknown key (guest takes: memoryMiB, pageKiB, swapMiB)',
    ],
    [
      'an unknown key in device',
      withDevice({ 'page size': 4 }),
      'device["page size"]: unknown key (device takes: features, legacy, statsPollingIntervalS, hostPageKiB, queueSize)',
    ],
    [
      'an unknown key in a step',
      withSteps({ at: 1, do: 'balloon', MiB: 1, GiB: 1 }),
      'steps[0].GiB: unknown key (a "balloon" step takes: at, do, MiB)',
    ],
    [
      'a key a step kind does not take',
      withSteps({ at: 1, do: 'compact', MiB: 1 }),
      'steps[0].MiB: unknown key (a "compact" step takes: at, do)',
    ],
  ];

  it.each(cases)('%s', (_, input, message) => {
    expect(errorsOf(input)).toEqual([message]);
  });

  const sequenceCases: [string, Json[], string][] = [
    [
      'steps out of time order',
      [
        { at: 1, do: 'compact' },
        { at: 5, do: 'compact' },
        { at: 4, do: 'compact' },
      ],
      'steps[2].at: must not be earlier than steps[1].at (steps run in time order)',
    ],
    [
      'a free of a workload never started',
      [{ at: 1, do: 'free', name: 'x' }],
      'steps[0].name: no workload named "x" was started before this step',
    ],
    [
      'a free of a workload already freed',
      [
        { at: 1, do: 'workload', kind: 'anon', MiB: 1, name: 'x' },
        { at: 2, do: 'free', name: 'x' },
        { at: 3, do: 'free', name: 'x' },
      ],
      'steps[2].name: the workload named "x" was already freed by steps[1]',
    ],
    [
      'two running workloads with one name',
      [
        { at: 1, do: 'workload', kind: 'anon', MiB: 1, name: 'x' },
        { at: 2, do: 'workload', kind: 'file', MiB: 1, name: 'x' },
      ],
      'steps[1].name: a workload named "x" is already running (started by steps[0])',
    ],
    [
      'a restore without a freeze',
      [{ at: 1, do: 'restore' }],
      'steps[0].do: "restore" needs an earlier "freeze" (the guest is not frozen)',
    ],
    [
      'a freeze of a frozen guest',
      [
        { at: 1, do: 'freeze' },
        { at: 2, do: 'freeze' },
      ],
      'steps[1].do: the guest is already frozen (by steps[0])',
    ],
    [
      'a second unplug',
      [
        { at: 1, do: 'unplug' },
        { at: 2, do: 'unplug' },
      ],
      'steps[1].do: the device was already unplugged by steps[0]',
    ],
    [
      'a step after the end',
      [
        { at: 1, do: 'end' },
        { at: 2, do: 'compact' },
      ],
      'steps[0].do: "end" must be the last step (steps[1] follows it)',
    ],
  ];

  it.each(sequenceCases)('%s', (_, steps, message) => {
    expect(errorsOf(withSteps(...steps))).toEqual([message]);
  });

  it('refuses a second stats buffer when the device offers no stats queue', () => {
    const input = {
      ...withSteps({ at: 1, do: 'fault', kind: 'second-stats-buffer' }),
      device: { features: [] },
    };
    expect(errorsOf(input)).toEqual([
      'steps[0].kind: "second-stats-buffer" needs STATS_VQ in device.features',
    ]);
  });

  it('reports every problem of a file at once', () => {
    const errors = errorsOf({
      ...withGuest({ memoryMiB: 1, pageKiB: 3 }),
      seed: 'x',
      steps: [{ at: 1, do: 'balloon' }],
    });
    expect(errors).toEqual([
      'seed: must be an integer from 0 to 4294967295',
      'guest.memoryMiB: must be an integer from 16 to 16384',
      'guest.pageKiB: must be one of 4, 16, 64',
      'steps[0].MiB: is required',
    ]);
  });

  it('names the line and column of a JSON syntax error', () => {
    const errors = errorsOf('{\n  "version": 1,\n  name: "x"\n}');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\(root\): not valid JSON: .*line 3 column 3/);
  });

  it('refuses a document that is not an object', () => {
    for (const input of [null, 3, [], 'null', '[1]', true]) {
      expect(errorsOf(input)).toEqual(['(root): must be an object']);
    }
  });
});

describe('scenarioToJson', () => {
  it('writes a file that loads back as the same scenario, one step a line', () => {
    const scenario = scenarioOf(DESIGN_EXAMPLE);
    const text = scenarioToJson(scenario);
    expect(scenarioOf(text)).toEqual(scenario);
    expect(text).toContain('\n    { "at": 2, "do": "balloon", "MiB": 128 },\n');
    expect(scenarioToJson(scenarioOf(text))).toBe(text);
  });

  it('writes the contract key order whatever order the object has', () => {
    const scenario = scenarioOf(DESIGN_EXAMPLE);
    const shuffled: Scenario = {
      ...scenario,
      steps: scenario.steps.map((step) => Object.fromEntries(Object.entries(step).reverse()) as Step),
    };
    expect(scenarioToJson(shuffled)).toBe(scenarioToJson(scenario));
  });

  it('round-trips any valid scenario', () => {
    const at = fc.double({ min: 0, max: 1e6, noNaN: true });
    const mib = fc.double({ min: 1e-3, max: 1e6, noNaN: true });
    const step = fc.oneof(
      fc.record({ do: fc.constant('balloon'), MiB: mib }),
      fc.record({ do: fc.constant('stats-interval'), s: fc.nat() }),
      fc.record({ do: fc.constant('compact') }),
      fc.record({ do: fc.constant('fault'), kind: fc.constantFrom(...FAULT_KINDS) }),
      fc.record({ do: fc.constant('workload'), kind: fc.constantFrom('anon', 'file', 'shmem'), MiB: mib }),
    );
    const scenario = fc.record({
      name: fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''),
      seed: fc.nat({ max: 0xffff_ffff }),
      memoryMiB: fc.integer({ min: 8, max: 8192 }).map((n) => n * 2),
      pageKiB: fc.constantFrom(4, 16, 64),
      hostPageKiB: fc.constantFrom(4, 64, 2048),
      features: fc.subarray(['MUST_TELL_HOST', 'STATS_VQ', 'DEFLATE_ON_OOM']),
      legacy: fc.boolean(),
      steps: fc.array(fc.tuple(at, step), { maxLength: 12 }),
    });
    fc.assert(
      fc.property(scenario, (s) => {
        const features = s.features.includes('STATS_VQ') ? s.features : [...s.features, 'STATS_VQ'];
        const input = {
          version: 1,
          name: s.name,
          seed: s.seed,
          guest: { memoryMiB: s.memoryMiB, pageKiB: s.pageKiB },
          device: { features, legacy: s.legacy, hostPageKiB: s.hostPageKiB },
          steps: s.steps
            .sort(([a], [b]) => a - b)
            .map(([time, fields], i) => ({
              at: time,
              ...fields,
              ...(fields.do === 'workload' ? { name: `w${i}` } : {}),
            })),
        };
        const parsed = scenarioOf(input);
        expect(scenarioOf(scenarioToJson(parsed))).toEqual(parsed);
      }),
    );
  });
});

describe('parseScenario never throws', () => {
  const answersWithPaths = (input: unknown) => {
    const result = parseScenario(input);
    if (!result.ok) {
      expect(result.errors.length).toBeGreaterThan(0);
      for (const message of result.errors) expect(message).toMatch(/^\S.*: \S/);
    }
  };

  it('for any value', () => {
    fc.assert(fc.property(fc.anything(), answersWithPaths), { numRuns: 500 });
  });

  it('for any text, JSON or not', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), answersWithPaths), { numRuns: 500 });
  });

  it('for a valid file with one field replaced by anything', () => {
    const valid = JSON.parse(DESIGN_EXAMPLE) as Json;
    const paths: string[][] = [
      ['version'],
      ['seed'],
      ['guest'],
      ['guest', 'memoryMiB'],
      ['guest', 'pageKiB'],
      ['device', 'features'],
      ['device', 'queueSize'],
      ['steps'],
      ['steps', '0'],
      ['steps', '1', 'kind'],
      ['steps', '2', 'name'],
      ['steps', '3', 'do'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.anything(), (path, value) => {
        const copy = structuredClone(valid);
        let target: Json = copy;
        for (const key of path.slice(0, -1)) target = target[key] as Json;
        target[path[path.length - 1]] = value;
        answersWithPaths(copy);
      }),
      { numRuns: 500 },
    );
  });
});
