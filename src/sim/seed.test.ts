// The seed matters (scenario `seed`, prng.ts): what is random in a real run — where KASLR put the
// kernel (boot-layout.ts), how long a sleep or a timer really takes (timing.ts) — is drawn from it, so the same seed gives the same run byte for
// byte and two seeds two different runs, each a plausible one that keeps every invariant.
import { describe, expect, it } from 'vitest';
import { K_ANON, K_FILE, K_KERNEL, K_SHMEM } from './guest/kinds.ts';
import type { Scenario } from './scenario.ts';
import { bundledScenario, newSim, runChecked } from './testing.ts';

function traceOf(s: Scenario): string {
  const sim = newSim(s, { recordCalls: false });
  const { problems } = runChecked(sim, 97);
  expect(problems).toEqual([]);
  return sim.trace.toText();
}

/** The trace without its first line (the comment that names the seed). */
const body = (trace: string) => trace.slice(trace.indexOf('\n') + 1);

describe('the seed', () => {
  for (const file of ['out-of-puff.json', 'stats-polling.json']) {
    describe(file, () => {
      const base = bundledScenario(file);
      const a = traceOf(base);

      it('the same seed gives the same trace, byte for byte', () => {
        expect(traceOf(base)).toBe(a);
      });

      it('another seed gives another trace, keeping every invariant', () => {
        const b = traceOf({ ...base, seed: base.seed + 1 });
        expect(body(b)).not.toBe(body(a));
        // The same story all the same: as many targets and the same final actual.
        const lastActual = (t: string) => t.match(/set_config actual: (\d+)/g)?.at(-1);
        expect(lastActual(b)).toBe(lastActual(a));
      });
    });
  }

  it("two seeds boot the kernel at two places, so a workload's pages land in two places", () => {
    const base = bundledScenario('lesson-why-balloon.json');
    const layout = (seed: number) => {
      const sim = newSim({ ...base, seed }, { recordCalls: false });
      const image = sim.kernel.kind.indexOf(K_KERNEL, 4096);
      sim.runUntilUs(2_000_000); // the workload faulted in at 1 s, freed at 3 s
      const anon: number[] = [];
      sim.kernel.kind.forEach((k, p) => {
        if (k === K_ANON || k === K_FILE || k === K_SHMEM) anon.push(p);
      });
      return { image, anon };
    };
    const a = layout(1);
    const b = layout(2);
    expect(layout(1)).toEqual(a);
    // Each image on a 2 MiB slot from 16 MiB up; the two differ.
    for (const { image } of [a, b]) {
      expect(image).toBeGreaterThanOrEqual(4096);
      expect(image % 512).toBe(0);
    }
    expect(a.image).not.toBe(b.image);
    // As many workload pages, in different frames.
    expect(a.anon.length).toBeGreaterThan(0);
    expect(b.anon).toHaveLength(a.anon.length);
    expect(b.anon).not.toEqual(a.anon);
  });

  it('out of puff: two seeds retry at different moments', () => {
    const times = (seed: number) => {
      const sim = newSim({ ...bundledScenario('out-of-puff.json'), seed }, { recordCalls: false });
      const puffs: number[] = [];
      sim.events.on('out-of-puff', () => puffs.push(sim.nowUs));
      sim.runToEnd();
      return puffs;
    };
    const a = times(11);
    const b = times(12);
    expect(a[0]).toBe(b[0]); // the first failure comes before any draw decides anything
    expect(a.slice(1)).not.toEqual(b.slice(1));
  });

  it('a long out of puff prints "fill_balloon: N callbacks suppressed" when a new 5 s interval starts', () => {
    const base = bundledScenario('out-of-puff.json');
    // The workload is never freed: the driver retries until 20 s.
    const steps = base.steps.filter((s) => s.do !== 'free' && s.do !== 'end');
    const sim = newSim({ ...base, steps: [...steps, { at: 20, do: 'end' }] }, { recordCalls: false });
    sim.runToEnd();
    const lines = sim.log.lines.filter((l) => /Out of puff|callbacks suppressed/.test(l.text));
    const reports = lines.filter((l) => l.text.includes('callbacks suppressed'));
    expect(reports.length).toBeGreaterThanOrEqual(2);
    for (const r of reports) {
      expect(r.text).toMatch(/^fill_balloon: \d+ callbacks suppressed$/);
      expect(r.level).toBe('warn');
      // Each comes right before the first line the new interval prints.
      const next = lines[lines.indexOf(r) + 1];
      expect(next?.text).toContain('Out of puff!');
      expect(next?.us).toBe(r.us);
    }
    // 10 lines per interval at most.
    const first = lines.filter((l) => l.us < reports[0].us && l.text.includes('Out of puff'));
    expect(first).toHaveLength(10);
  });
});
