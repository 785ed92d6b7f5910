// Every value a person can type has a defined answer: taken (and what the machine makes of it), or
// refused with the reason. The numbers below are the issue's own examples.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  balloonBytes,
  balloonNumPages,
  checkBalloonText,
  checkStatsIntervalText,
  checkWorkloadText,
  MAX_BALLOON_MIB,
  QMP_BALLOON_NOT_A_SIZE,
  readNumberText,
  workloadPages,
} from './inputs.ts';
import { parseScenario } from './scenario.ts';
import { newSim, runChecked } from './testing.ts';

describe('numbers typed into a form', () => {
  it('takes plain decimals and refuses words, blanks, hex and infinities', () => {
    expect(readNumberText(' 12.7 ')).toEqual({ ok: true, value: 12.7 });
    expect(readNumberText('1e3')).toEqual({ ok: true, value: 1000 });
    expect(readNumberText('.5')).toEqual({ ok: true, value: 0.5 });
    for (const bad of ['', '  ', 'lots', '0x10', '1e', 'Infinity', 'NaN', '1,5', '--1', '1e999']) {
      expect(readNumberText(bad).ok, bad).toBe(false);
    }
  });
});

describe('the balloon target (QMP balloon, the guest size in MiB)', () => {
  it('carries whole bytes: 12.7 MiB is 13,316,915 bytes, num_pages rounded down', () => {
    expect(balloonBytes(12.7)).toBe(13_316_915); // 12.7 × 1,048,576 = 13,316,915.2
    // (256 MiB − 13,316,915 B) / 4096 = 62,284.8 → 62,284
    expect(balloonNumPages(12.7, 256)).toBe(62_284);
    const c = checkBalloonText('12.7', 256);
    expect(c).toMatchObject({ ok: true, value: 12.7 });
    expect(c.ok && c.note).toContain('62,284 pages');
  });

  it('clamps a size above RAM to RAM, as virtio_balloon_to_target does, and says so', () => {
    for (const text of ['300', '1e9']) {
      const c = checkBalloonText(text, 256);
      expect(c.ok, text).toBe(true);
      expect(c.ok && c.note).toContain('QEMU clamps it to 256 MiB');
    }
    expect(balloonNumPages(300, 256)).toBe(0);
  });

  it("refuses a size of zero or less with QEMU's own words", () => {
    for (const text of ['0', '-3', '0.0000001']) {
      const c = checkBalloonText(text, 256);
      expect(c.ok, text).toBe(false);
      expect(!c.ok && c.error).toContain(QMP_BALLOON_NOT_A_SIZE);
    }
  });

  it('takes half a MiB, as QEMU does: the guest cannot give that much, and the run says so by itself', () => {
    expect(checkBalloonText('0.5', 256)).toMatchObject({ ok: true, value: 0.5 });
  });

  it('refuses a size past what the lab carries exactly', () => {
    expect(checkBalloonText(String(MAX_BALLOON_MIB * 2), 256).ok).toBe(false);
  });
});

describe('the stats polling interval', () => {
  it('says that 0 turns polling off', () => {
    const c = checkStatsIntervalText('0');
    expect(c.ok && c.note).toMatch(/off/);
  });
  it("refuses negative, fractional and too big values in QEMU's words", () => {
    expect(checkStatsIntervalText('-1')).toMatchObject({ ok: false });
    expect(checkStatsIntervalText('1.5')).toMatchObject({ ok: false });
    const big = checkStatsIntervalText('4294967296');
    expect(!big.ok && big.error).toContain('timer value is too big');
    // QEMU takes 2³² − 1 s (it refuses only what is above).
    expect(checkStatsIntervalText('4294967295')).toMatchObject({ ok: true, value: 4294967295 });
  });
});

describe('a workload size', () => {
  it('rounds up to whole pages: 12.7 MiB of 4 KiB pages is 3,252 pages', () => {
    expect(workloadPages(12.7, 4)).toBe(3252); // 12.7 × 256 = 3,251.2
    expect(workloadPages(100.3, 64)).toBe(1605); // 100.3 × 16 = 1,604.8
    const c = checkWorkloadText('12.7', 4);
    expect(c.ok && c.note).toContain('3,252 pages');
    expect(checkWorkloadText('64', 4)).toEqual({ ok: true, value: 64, note: undefined });
  });
  it('refuses zero, negative and absurd sizes', () => {
    for (const text of ['0', '-1', '2e6', 'x']) expect(checkWorkloadText(text, 4).ok, text).toBe(false);
  });
});

describe('any text into any field', () => {
  it('never throws, and what it takes is a size the scenario file takes too', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.double().map(String),
          fc.integer().map(String),
          fc.constantFrom('12.7', '0.5', '1e9', '-0', '4294967295'),
        ),
        (text) => {
          const checks = [
            ['balloon', checkBalloonText(text, 256)],
            ['workload', checkWorkloadText(text, 4)],
            ['stats-interval', checkStatsIntervalText(text)],
          ] as const;
          for (const [kind, c] of checks) {
            if (!c.ok) {
              expect(c.error.length).toBeGreaterThan(0);
              continue;
            }
            const step =
              kind === 'balloon'
                ? { at: 1, do: kind, MiB: c.value }
                : kind === 'workload'
                  ? { at: 1, do: kind, kind: 'anon', MiB: c.value, name: 'w' }
                  : { at: 1, do: kind, s: c.value };
            const parsed = parseScenario({ version: 1, name: 'x', guest: { memoryMiB: 16 }, steps: [step] });
            expect(parsed.ok, JSON.stringify(step)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** A small guest with one step of each kind the forms make, at 1 s; the run ends at 4 s. */
function smallRun(steps: unknown[], memoryMiB = 32) {
  const parsed = parseScenario({
    version: 1,
    name: 'inputs',
    guest: { memoryMiB },
    device: { features: ['STATS_VQ'], statsPollingIntervalS: 1 },
    steps: [...steps, { at: 4, do: 'end' }],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return newSim(parsed.scenario);
}

describe('the values that froze the lab now run to the end', () => {
  it.each([
    ['a balloon target of 12.7 MiB', { at: 1, do: 'balloon', MiB: 12.7 }],
    ['a workload of 12.7 MiB', { at: 1, do: 'workload', kind: 'anon', MiB: 12.7, name: 'w' }],
    [
      'a workload of 100.3 MiB (more than the guest has)',
      { at: 1, do: 'workload', kind: 'shmem', MiB: 100.3, name: 'w' },
    ],
    ['a target above RAM', { at: 1, do: 'balloon', MiB: 1e9 }],
    ['a target of half a MiB', { at: 1, do: 'balloon', MiB: 0.5 }],
    ['stats polling off', { at: 1, do: 'stats-interval', s: 0 }],
    ['stats polling every 2³² − 1 s', { at: 1, do: 'stats-interval', s: 4294967295 }],
  ])('%s', (_, step) => {
    const sim = smallRun([step]);
    const { problems } = runChecked(sim, 50);
    expect(problems).toEqual([]);
    expect(sim.nowUs).toBe(sim.endUs);
    // The trace has only whole numbers in it: it reads back.
    expect(sim.trace.toText()).not.toMatch(/\d\.\d+(?![\d.]*:)/);
  });

  it('12.7 MiB sets num_pages to the rounded-down count and the guest gets there', () => {
    const sim = smallRun([{ at: 1, do: 'balloon', MiB: 12.7 }]);
    runChecked(sim, 1000);
    const s = sim.summary();
    expect(s.target_bytes).toBe(13_316_915);
    expect(s.num_pages).toBe(balloonNumPages(12.7, 32));
    expect(s.actual).toBe(s.num_pages);
  });

  it('a target above RAM empties the balloon (num_pages 0)', () => {
    const sim = smallRun([
      { at: 0.5, do: 'balloon', MiB: 16 },
      { at: 2, do: 'balloon', MiB: 300 },
    ]);
    runChecked(sim, 1000);
    expect(sim.summary()).toMatchObject({ num_pages: 0, actual: 0 });
  });
});

describe('scenario files with the values the forms refuse', () => {
  it.each([
    [{ at: 1, do: 'balloon', MiB: 0 }, 'steps[0].MiB'],
    [{ at: 1, do: 'balloon', MiB: 1e-9 }, 'steps[0].MiB'],
    [{ at: 1, do: 'balloon', MiB: '64' }, 'steps[0].MiB'],
    [{ at: 1, do: 'workload', kind: 'anon', MiB: 5e6, name: 'w' }, 'steps[0].MiB'],
    [{ at: 1, do: 'stats-interval', s: 1.5 }, 'steps[0].s'],
    [{ at: 1, do: 'stats-interval', s: -1 }, 'steps[0].s'],
    [{ at: -1, do: 'compact' }, 'steps[0].at'],
  ])('%j is refused at %s', (step, path) => {
    const r = parseScenario({ version: 1, name: 'x', guest: { memoryMiB: 16 }, steps: [step] });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.some((e) => e.startsWith(`${path}:`))).toBe(true);
  });
});
