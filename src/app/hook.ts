// window.balloonLab (design.md, "Browser hook"): for Playwright tests and for curious users in the
// devtools console. load(scenario) → runUntil(seconds) → summary() / trace().
import { parseScenario } from '../sim/scenario.ts';
import type { SimSummary } from '../sim/view.ts';
import type { SimRunner } from './sim-runner.ts';

export interface BalloonLabHook {
  load(scenario: unknown): { ok: true } | { ok: false; errors: string[] };
  runUntil(seconds: number): number;
  summary(): SimSummary | null;
  trace(): string;
  /** The scenario as it stands (with the operator's actions), for saving. */
  scenario(): unknown;
}

export function installHook(runner: SimRunner, onLoad: (title: string) => void): BalloonLabHook {
  const hook: BalloonLabHook = {
    load(input) {
      const r = parseScenario(input);
      if (!r.ok) return { ok: false, errors: r.errors };
      runner.load(r.scenario);
      onLoad(r.scenario.name);
      return { ok: true };
    },
    runUntil(s) {
      if (!Number.isFinite(s) || s < 0) throw new RangeError(`runUntil: ${s} is not a time in seconds`);
      runner.seek(Math.round(s * 1e6));
      return runner.nowUs / 1e6;
    },
    summary: () => runner.summary(),
    trace: () => runner.traceText(),
    scenario: () => runner.scenario,
  };
  (window as unknown as { balloonLab: BalloonLabHook }).balloonLab = hook;
  return hook;
}
