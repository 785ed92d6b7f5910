// Helpers the app's feature specs share: open the lab, pick a scenario through the UI, and read the
// simulation through window.balloonLab where the UI cannot say it (waiting, asserting; never acting).
import type AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export interface LabHook {
  load(s: unknown): { ok: boolean; errors?: string[] };
  runUntil(s: number): number;
  summary(): {
    scenario: string;
    time_s: number;
    num_pages: number;
    target_bytes: number;
    actual: number;
    query_balloon_actual_bytes: number;
    counters: Record<string, number>;
    errors: { kind: string }[];
    device: { needs_reset: boolean };
  } | null;
  trace(): string;
}

/** The free lab's default scenario (`#lab`, and what a bad link falls back to). */
export const DEFAULT_FILE = 'lesson-why-balloon.json';
export const DEFAULT_NAME = 'lesson: why a balloon';
/** The lab on the scenario most specs drive: inflate, then deflate. */
export const LAB = './#v=2&scenario=inflate-deflate.json&e=0';

/** Opens the lab (or a link into it) and waits for the hook; returns the page errors seen from then on. */
export async function openLab(page: Page, path = LAB): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(path);
  await page.waitForFunction(() => 'balloonLab' in window);
  await expect(page.getByRole('heading', { name: 'Balloon Lab' })).toBeVisible();
  return errors;
}

/** Picks a bundled scenario in the Scenario select and waits until the simulation runs it. */
export async function pickScenario(page: Page, name: string): Promise<void> {
  await page.getByLabel('Scenario').selectOption({ label: name });
  await page.waitForFunction(
    (n) => (window as unknown as { balloonLab: LabHook }).balloonLab.summary()?.scenario === n,
    name,
  );
}

/** Runs `fn` on window.balloonLab in the page (fn must not close over anything). */
export function withHook<T>(page: Page, fn: (h: LabHook) => T): Promise<T> {
  return page.evaluate(
    (src) =>
      new Function('h', `return (${src})(h)`)((window as unknown as { balloonLab: LabHook }).balloonLab),
    fn.toString(),
  ) as Promise<T>;
}

/** "4.200000 s", as the clock prints a virtual time in µs. */
export const clockText = (us: number) => `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')} s`;

/**
 * Waits until the clock shows where the simulation stands (the page renders after the hook's
 * runUntil returns): read the page only after this.
 */
export async function clockShowsSimulation(page: Page): Promise<void> {
  const us = await withHook(page, (h) => Math.round((h.summary()?.time_s ?? Number.NaN) * 1e6));
  expect(us).not.toBeNaN();
  await expect(page.getByTestId('transport.time')).toContainText(`${clockText(us)} /`);
}

/** Opens a detail tab of the lab's right column (Guest, Rings, Driver, Plots, Stats, Trace). */
export async function openTab(
  page: Page,
  name: 'Guest' | 'Rings' | 'Driver' | 'Plots' | 'Stats' | 'Trace',
): Promise<void> {
  const tab = page.getByRole('tab', { name, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
}

/** The serious and critical violations of an axe run, each with up to three of its elements. */
export const seriousViolations = (results: Awaited<ReturnType<AxeBuilder['analyze']>>): string[] =>
  results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id}: ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
