// Opening a scenario, once for every way in: the bundled list, a file, a share link, the first page.
// Each way parses, loads, names the current scenario and says what happened in the notice; a scenario
// that cannot be opened leaves what was shown before as it was.
import { parseScenario, type Scenario } from '../sim/scenario.ts';
import type { AppServices } from './context.tsx';

export const DEFAULT_SCENARIO = 'lesson-why-balloon.json';

export async function fetchJson(path: string): Promise<unknown> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

/** A bundled scenario as its file says, before anything the user did. */
export async function bundledScenario(file: string): Promise<Scenario> {
  const parsed = parseScenario(await fetchJson(`./scenarios/${file}`));
  if (!parsed.ok) throw new Error(`bundled scenario ${file}: ${parsed.errors[0]}`);
  return parsed.scenario;
}

export type ScenarioSource =
  | { kind: 'bundled'; file: string }
  | { kind: 'file'; name: string; text: string }
  | { kind: 'scenario'; scenario: Scenario; file: string | null };

/**
 * Parses, loads and names a scenario; clears the notice, or sets one saying why nothing changed.
 * Returns whether it opened.
 */
export async function openScenario({ runner, store }: AppServices, source: ScenarioSource): Promise<boolean> {
  const s = store.getState();
  s.setPlaying(false);
  let scenario: Scenario;
  let file: string | null = null;
  if (source.kind === 'bundled') {
    const parsed = parseScenario(await fetchJson(`./scenarios/${source.file}`));
    if (!parsed.ok) {
      s.setNotice({ kind: 'error', text: `${source.file}: ${parsed.errors[0]}` });
      return false;
    }
    scenario = parsed.scenario;
    file = source.file;
  } else if (source.kind === 'file') {
    const parsed = parseScenario(source.text);
    if (!parsed.ok) {
      const more = parsed.errors.length > 3 ? ` (and ${parsed.errors.length - 3} more)` : '';
      s.setNotice({
        kind: 'error',
        text: `${source.name} is not a valid scenario: ${parsed.errors.slice(0, 3).join('; ')}${more}. Nothing was changed.`,
      });
      return false;
    }
    scenario = parsed.scenario;
  } else {
    scenario = source.scenario;
    file = source.file;
  }
  runner.load(scenario);
  s.setCurrent(file, scenario.name);
  s.setNotice(null);
  return true;
}

/** Opens what a share link names at its moment; a message naming the problem when it cannot. */
async function openLink(svc: AppServices, hash: string): Promise<string | null> {
  const { runner, store } = svc;
  if (hash === '' || hash === '#') {
    await openScenario(svc, { kind: 'bundled', file: DEFAULT_SCENARIO });
    return null;
  }
  if (hash.startsWith('#compare=')) {
    // A comparison (src/app/compare/) opens over the lab, which shows what it did, or the default.
    if (!runner.playable) await openScenario(svc, { kind: 'bundled', file: DEFAULT_SCENARIO });
    // Off the critical path, as the comparison itself.
    const { openCompareFromHash } = await import('./compare/compare-state.ts');
    return openCompareFromHash(svc, hash);
  }
  // Off the critical path: most visits carry no link.
  const { decodeShare, withActions } = await import('./share.ts');
  const decoded = decodeShare(
    hash,
    store.getState().scenarios.map((s) => s.file),
  );
  if (!decoded.ok) return decoded.error;
  const state = decoded.state;
  if (!state) {
    await openScenario(svc, { kind: 'bundled', file: DEFAULT_SCENARIO });
    return null;
  }
  let scenario: Scenario;
  let file: string | null = null;
  if (state.kind === 'bundled') {
    const made = withActions(await bundledScenario(state.file), state.actions ?? [], state.seed);
    if (!made.ok) return made.error;
    scenario = made.scenario;
    // Still the bundled file: the next share names it and its actions again.
    file = state.file;
  } else scenario = state.scenario;
  await openScenario(svc, { kind: 'scenario', scenario, file });
  if (state.us !== undefined && state.us > runner.endUs) {
    return `t (virtual µs) ${state.us} lies beyond the scenario's end at ${runner.endUs}`;
  }
  runner.replayToEvent(state.event, state.us);
  if (runner.eventIndex !== state.event) {
    return `e (the step cursor) ${state.event} lies beyond the scenario's last event (${runner.eventIndex})`;
  }
  return null;
}

/**
 * Opens what the URL's hash names, or the default scenario with a notice saying why when the link is
 * bad, whatever is wrong with it: the app always starts.
 */
export async function openFromLocation(svc: AppServices, hash = location.hash): Promise<void> {
  let problem: string | null;
  try {
    problem = await openLink(svc, hash);
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  }
  if (problem === null) return;
  await openScenario(svc, { kind: 'bundled', file: DEFAULT_SCENARIO });
  svc.store.getState().setNotice({
    kind: 'error',
    text: `This link could not be opened: ${problem}. Showing the default scenario instead.`,
  });
}
