// The proof that snapshots are exact: for every bundled scenario, a run that restores a checkpoint at
// several points (back, back further, forward again without running, the start) and runs on from
// there ends with the same trace text, byte for byte, and the same summary() as a run straight through.
// The big-guest scenario takes a while: each comparison turns its 8 million trace lines into text.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Checkpoints } from './checkpoints.ts';
import type { Simulation } from './sim.ts';
import { bundledScenario, newSim } from './testing.ts';

const files = readdirSync(new URL('../../public/scenarios/', import.meta.url))
  .filter((f) => f.endsWith('.json') && f !== 'index.json')
  .sort();

/**
 * The trace's text (hashed: a big run's text does not fit one string), the summary, the timeline, and
 * what else the app reads of a run (series, driver calls, logs, errors), hashed.
 */
function digest(sim: Simulation): {
  trace: string;
  lines: number;
  summary: string;
  timeline: string;
  kept: string;
} {
  const h = createHash('sha256');
  for (const chunk of sim.trace.chunks(1 << 20)) h.update(chunk);
  const kept = createHash('sha256');
  for (const part of [sim.series, sim.calls, sim.log.lines, sim.hostLog.lines, sim.errors, sim.counters])
    kept.update(JSON.stringify(part));
  return {
    trace: h.digest('hex'),
    lines: sim.trace.length,
    summary: JSON.stringify(sim.summary()),
    timeline: JSON.stringify(sim.timeline),
    kept: kept.digest('hex'),
  };
}

/** Runs to the end, letting the checkpoints see every event. */
function runOn(sim: Simulation, cp: Checkpoints): void {
  while (sim.step()) cp.afterEvent();
}

/** Runs on to event `index`. */
function runTo(sim: Simulation, cp: Checkpoints, index: number): void {
  while (cp.index < index && sim.step()) cp.afterEvent();
}

describe('checkpoints restore the whole simulation exactly', () => {
  it('covers every bundled scenario', () => {
    expect(files.length).toBeGreaterThanOrEqual(36);
    expect(files).toContain('big-guest.json');
  });

  for (const file of files) {
    const big = file === 'big-guest.json';
    it(`${file}: restored at several points and run on, the same trace and summary as straight through`, {
      timeout: big ? 600_000 : 60_000,
    }, () => {
      const scenario = bundledScenario(file);
      const straight = newSim(scenario);
      let events = 0;
      while (straight.step()) events++;
      const want = digest(straight);

      const sim = newSim(scenario);
      // Deterministic placement: every events/16 events, at the first moment the machine is data.
      const cp = new Checkpoints(sim, { spacing: Math.max(8, Math.floor(events / 16)), verify: true });
      runOn(sim, cp);
      expect(cp.index).toBe(events);
      expect(cp.count).toBeGreaterThan(1);
      if (!big) expect(digest(sim)).toEqual(want); // taking checkpoints changes nothing

      // Back to the middle, back further, then the end again: each time restored and run on.
      const cuts = big ? [0.5, 0.1] : [0.5, 0.15, 0.85, 0];
      for (const f of cuts) {
        const cut = Math.floor(events * f);
        cp.rewindForEvent(cut);
        expect(cp.index).toBeLessThanOrEqual(cut);
        runTo(sim, cp, cut);
        expect(cp.index).toBe(cut);
        runOn(sim, cp);
        expect(digest(sim)).toEqual(want);
      }

      // Back near the start, then forward to a checkpoint near the end without running between:
      // the restore goes ahead of the machine, and the arrays and the trace grow back from memory.
      cp.rewindForEvent(Math.floor(events * 0.05));
      const late = cp.all.at(-2) ?? cp.all[0];
      cp.rewindForEvent(late.index);
      expect(cp.index).toBe(late.index);
      runOn(sim, cp);
      expect(digest(sim)).toEqual(want);
    });
  }
});

describe('checkpoints and the operator', () => {
  const scenario = bundledScenario('inflate-deflate.json');

  it('an action is taken again, at the same event, by a run from a checkpoint before it', () => {
    const sim = newSim(scenario);
    const cp = new Checkpoints(sim, { spacing: 40 });
    runTo(sim, cp, 400);
    cp.act({ at: sim.nowUs / 1e6, do: 'balloon', MiB: 100 });
    runOn(sim, cp);
    const want = digest(sim);
    expect(want.timeline).toContain('balloon 100 MiB');
    for (const cut of [200, 400, 399, 401, cp.index - 5, 0]) {
      cp.rewindForEvent(cut);
      runOn(sim, cp);
      expect(digest(sim)).toEqual(want);
    }
  });

  it('an action before an earlier one keeps both, and the run from the start takes them again', () => {
    const sim = newSim(scenario);
    const cp = new Checkpoints(sim, { spacing: 40 });
    runTo(sim, cp, 600);
    cp.act({ at: sim.nowUs / 1e6, do: 'balloon', MiB: 100 });
    cp.rewindForEvent(300);
    runTo(sim, cp, 300);
    cp.act({ at: sim.nowUs / 1e6, do: 'stats-interval', s: 1 });
    runOn(sim, cp);
    const want = digest(sim);
    expect(want.timeline).toContain('balloon 100 MiB');
    expect(want.timeline).toContain('stats polling every 1 s');
    expect(cp.all.every((c) => c.index <= 300 || c.acts === 2)).toBe(true);
    cp.rewindForEvent(0);
    runOn(sim, cp);
    expect(digest(sim)).toEqual(want);
    cp.rewindForEvent(450);
    runOn(sim, cp);
    expect(digest(sim)).toEqual(want);
  });
});

describe('checkpoint memory', () => {
  it('stays under maxBytes by thinning, keeping the first and spreading the rest', () => {
    const sim = newSim(bundledScenario('inflate-deflate.json'));
    const unbounded = new Checkpoints(newSim(bundledScenario('inflate-deflate.json')), { spacing: 10 });
    runOn(unbounded.sim, unbounded);
    const cap = Math.floor(unbounded.bytes / 3);
    const cp = new Checkpoints(sim, { spacing: 10, maxBytes: cap });
    runOn(sim, cp);
    expect(unbounded.bytes).toBeGreaterThan(cap);
    expect(cp.bytes).toBeLessThanOrEqual(cap);
    expect(cp.all[0].index).toBe(0);
    expect(cp.count).toBeGreaterThan(2);
    expect(cp.count).toBeLessThan(unbounded.count);
  });
});
