// The ways to open and close a comparison: from a lesson (two scenarios),
// from the picker or a `#compare=` link (two bundled scenario files). One comparison at a time: both
// runs play on a pair of cores of their own, made once and kept, apart from the lab's core.
import { BalloonCore } from '../../core/core.ts';
import { loadCoreModule } from '../../core/wasm-browser.ts';
import { parseScenario, type Scenario } from '../../sim/scenario.ts';
import type { AppServices } from '../context.tsx';
import { compareHash, isCompareHash, parseCompareHash } from './compare-hash.ts';
import type { CompareLabels, CompareRunner } from './compare-runner.ts';
import { type CompareFiles, compareStore } from './compare-store.ts';

let cores: Promise<[BalloonCore, BalloonCore]> | undefined;

/** The comparison's two cores: two more instances of the lab's wasm module, made on first use. */
function compareCores(): Promise<[BalloonCore, BalloonCore]> {
  cores ??= loadCoreModule().then((m) => [BalloonCore.fromWasm(m), BalloonCore.fromWasm(m)]);
  return cores;
}

/**
 * A comparison of two runs on one clock, loaded at time 0, not shown: for a view of one's own (a
 * lesson's pane). It takes the cores any open comparison plays on: close that one first.
 */
export async function createCompareRunner(
  left: Scenario,
  right: Scenario,
  labels: CompareLabels,
): Promise<CompareRunner> {
  const [[l, r], { CompareRunner }] = await Promise.all([compareCores(), import('./compare-runner.ts')]);
  const runner = new CompareRunner(l, r);
  runner.load(left, right, labels);
  return runner;
}

/**
 * Shows two runs side by side over the lab (the lab pauses); resolves to the comparison's runner, to
 * drive it (replayTo a lesson's stop, say).
 */
export async function openCompare(
  svc: AppServices,
  left: Scenario,
  right: Scenario,
  labels: CompareLabels,
): Promise<CompareRunner> {
  return show(svc, left, right, labels, null);
}

async function show(
  svc: AppServices,
  left: Scenario,
  right: Scenario,
  labels: CompareLabels,
  files: CompareFiles | null,
): Promise<CompareRunner> {
  svc.store.getState().setPlaying(false);
  // The view of the comparison open now reads the cores the new one reloads: it goes first.
  compareStore.setState({ open: null });
  const runner = await createCompareRunner(left, right, labels);
  compareStore.setState({ open: { runner, labels: { ...labels }, files }, picking: false });
  return runner;
}

/** A bundled scenario file, as the file says (open.ts imports this module: no import back). */
async function bundled(file: string): Promise<Scenario> {
  const res = await fetch(`./scenarios/${file}`);
  if (!res.ok) throw new Error(`${file}: HTTP ${res.status}`);
  const parsed = parseScenario(await res.json());
  if (!parsed.ok) throw new Error(`bundled scenario ${file}: ${parsed.errors[0]}`);
  return parsed.scenario;
}

/**
 * Compares two bundled scenario files (labelled with their names). With `link`, the address bar then
 * holds the comparison's link.
 */
export async function openCompareFiles(
  svc: AppServices,
  leftFile: string,
  rightFile: string,
  { link = false }: { link?: boolean } = {},
): Promise<CompareRunner> {
  const [left, right] = await Promise.all([bundled(leftFile), bundled(rightFile)]);
  const labels = { left: left.name, right: right.name };
  const runner = await show(svc, left, right, labels, { left: leftFile, right: rightFile });
  if (link)
    history.replaceState(null, '', location.pathname + location.search + compareHash(leftFile, rightFile));
  return runner;
}

/** Opens what a `#compare=` link names; resolves to a message naming the problem when it cannot. */
export async function openCompareFromHash(svc: AppServices, hash: string): Promise<string | null> {
  const files = svc.store.getState().scenarios.map((s) => s.file);
  const link = parseCompareHash(hash, files);
  if (!link.ok) return link.error;
  await openCompareFiles(svc, link.left, link.right);
  // What a link said before (a bad one) no longer holds.
  svc.store.getState().setNotice(null);
  return null;
}

/** Closes the comparison (and the picker); a `#compare=` link in the address bar goes with it. */
export function closeCompare(): void {
  compareStore.setState({ open: null, picking: false });
  if (isCompareHash(location.hash)) history.replaceState(null, '', location.pathname + location.search);
}

/** Opens or closes the picker of two bundled scenarios. */
export function setComparePicker(picking: boolean): void {
  compareStore.setState({ picking });
}
