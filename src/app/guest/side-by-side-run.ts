// Runs the comparison: the real guest's trace replayed, the simulation given the same targets and run
// to its end, and its trace replayed too, each on a core of its own (the maps read them). Loaded when
// the student asks for it.
import { BalloonCore } from '../../core/core.ts';
import { loadCoreModule } from '../../core/wasm-browser.ts';
import { parseScenario, type Scenario } from '../../sim/scenario.ts';
import { traceOf } from '../../sim/view.ts';
import { SimRunner } from '../sim-runner.ts';
import { measure, type RunMeasures, scenarioFor } from './side-by-side.ts';

export interface SideBySideResult {
  real: RunMeasures;
  sim: RunMeasures;
  /** The replays' cores, for the two maps. */
  cores: { real: BalloonCore; sim: BalloonCore };
  scenario: Scenario;
}

let cores: Promise<BalloonCore[]> | undefined;

/** Three cores of the lab's wasm module, made once: the two replays and the simulation. */
function ownCores(): Promise<BalloonCore[]> {
  cores ??= loadCoreModule().then((m) => [0, 1, 2].map(() => BalloonCore.fromWasm(m)));
  return cores;
}

/** The comparison, or a sentence saying why there is none. */
export async function compareWithSimulation(realTrace: string): Promise<SideBySideResult | string> {
  const [realCore, simTraceCore, simCore] = await ownCores();
  const real = new SimRunner(realCore);
  const bad = await real.loadTrace(realTrace);
  if (bad) return `The real guest’s trace could not be read: ${bad}`;
  real.advanceTo(real.endUs);
  const r = traceOf(real.playable);
  if (!r) return 'The real guest’s trace could not be replayed.';
  if (r.summary.targets.length === 0)
    return 'Set a target on the real guest first: there is nothing to compare yet.';
  const parsed = parseScenario(scenarioFor(r.ramFrames * 4096, r.summary.targets, real.endUs));
  if (!parsed.ok) return `The simulation cannot take these steps: ${parsed.errors[0]}`;
  const sim = new SimRunner(simCore);
  sim.load(parsed.scenario);
  sim.advanceTo(sim.endUs);
  const replay = new SimRunner(simTraceCore);
  const bad2 = await replay.loadTrace(sim.traceText());
  if (bad2) return `The simulation’s trace could not be read: ${bad2}`;
  replay.advanceTo(replay.endUs);
  const s = traceOf(replay.playable);
  if (!s) return 'The simulation’s trace could not be replayed.';
  return {
    real: measure(r),
    sim: measure(s),
    cores: { real: realCore, sim: simTraceCore },
    scenario: parsed.scenario,
  };
}
