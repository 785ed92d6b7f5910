// The page stays light whatever the run produces, and fits a phone: the heaviest bundled scenarios,
// played to their end, stay within a DOM budget (design: a page a slow laptop renders ten times a
// second); at 390 px wide nothing sticks out of the page or out of its panel.
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { openLab, openTab, pickScenario, withHook } from './lab-page.ts';

/** Elements in the document, at most. */
const DOM_BUDGET = 5_000;

const bundled = (
  JSON.parse(readFileSync(new URL('../public/scenarios/index.json', import.meta.url), 'utf8')) as {
    scenarios: { file: string; name: string }[];
  }
).scenarios;
const nameOf = (file: string) => {
  const entry = bundled.find((s) => s.file === file);
  if (!entry) throw new Error(`${file} is not in public/scenarios/index.json`);
  return entry.name;
};

const elements = (page: Page) => page.evaluate(() => document.getElementsByTagName('*').length);

/** Plays the picked scenario as fast as possible to its end (the clock shows the end, Play is Play). */
async function playToEnd(page: Page) {
  await page.getByLabel('Speed', { exact: true }).selectOption({ label: 'as fast as possible' });
  const play = page.getByTestId('transport.play');
  await play.click();
  const end = await withHook(page, (h) => h.summary());
  expect(end).not.toBeNull();
  await expect(play).toHaveText('Play', { timeout: 0 });
  await expect(page.getByTestId('transport.time')).toHaveText(/^(\S+ s) \/ \1 · step \d+$/);
}

// The storm's 12,500 warnings, the 16 GiB guest's 4M frames, the 25 retries of out of puff, and the
// densest dmesg (compaction).
const HEAVY: { file: string; timeout: number }[] = [
  { file: 'fault-second-stats-buffer.json', timeout: 60_000 },
  { file: 'big-guest.json', timeout: 120_000 },
  { file: 'out-of-puff.json', timeout: 60_000 },
  { file: 'compaction.json', timeout: 60_000 },
];

for (const { file, timeout } of HEAVY) {
  test(`${nameOf(file)}: at its end the page holds at most ${DOM_BUDGET} elements`, async ({ page }) => {
    test.setTimeout(timeout);
    const errors = await openLab(page);
    await pickScenario(page, nameOf(file));
    await playToEnd(page);
    const atEnd = await elements(page);
    test.info().annotations.push({ type: 'elements at the end', description: String(atEnd) });
    expect(atEnd).toBeLessThanOrEqual(DOM_BUDGET);
    // One step back: the step view, with the virtqueue inspector's tables and the driver's source (the
    // detail tabs keep every panel mounted, so all of them count).
    await page.getByRole('button', { name: 'Step back' }).click();
    await openTab(page, 'Driver');
    await expect(page.getByTestId('driver.source')).toBeVisible();
    const stepped = await elements(page);
    test.info().annotations.push({ type: 'elements one step back', description: String(stepped) });
    expect(stepped).toBeLessThanOrEqual(DOM_BUDGET);
    expect(errors).toEqual([]);
  });
}

/**
 * What sticks out at this width: any element past the viewport's edges (unless a box that scrolls or
 * clips holds it, as the code pane and visually hidden text do), any panel wider inside than it is,
 * and the map's highlight line wider than the window.
 */
function overflowing(): string[] {
  const vw = document.documentElement.clientWidth;
  const name = (el: Element) =>
    `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''}.${[...el.classList].join('.')}`;
  const out: string[] = [];
  if (document.documentElement.scrollWidth > vw)
    out.push(`the page is ${document.documentElement.scrollWidth} px wide`);
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || (r.left >= -0.5 && r.right <= vw + 0.5)) continue;
    // Clipped to nothing (text for screen readers only): nothing shows.
    const own = getComputedStyle(el);
    if (own.clip !== 'auto' || own.clipPath !== 'none') continue;
    let held = false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.clip !== 'auto' || s.clipPath !== 'none') {
        held = true;
        break;
      }
    }
    if (!held) out.push(`${name(el)} spans ${Math.round(r.left)}–${Math.round(r.right)} px`);
  }
  for (const panel of document.querySelectorAll('.panel')) {
    if (panel.scrollWidth > panel.clientWidth + 1)
      out.push(`${name(panel)} holds ${panel.scrollWidth} px in ${panel.clientWidth} px`);
  }
  for (const el of document.querySelectorAll('[data-testid="map.highlight"]')) {
    const w = el.getBoundingClientRect().width;
    if (w > vw) out.push(`${name(el)} is ${Math.round(w)} px wide`);
  }
  return out;
}

test('at 390 px nothing overflows: at rest, mid-inflate, with a descriptor selected', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const errors = await openLab(page);
  await expect.poll(() => page.evaluate(overflowing)).toEqual([]);
  // Mid-inflate: the inspector's tables and the driver view are on the page.
  await page.getByRole('slider', { name: 'Timeline' }).fill('2050000');
  await expect(page.getByTestId('transport.time')).toContainText('2.050000 s /');
  await openTab(page, 'Driver');
  await expect(page.getByTestId('driver.source')).toBeVisible();
  await expect.poll(() => page.evaluate(overflowing)).toEqual([]);
  await openTab(page, 'Rings');
  await expect(page.getByTestId('vqi.inflate.used')).toBeVisible();
  await expect.poll(() => page.evaluate(overflowing)).toEqual([]);
  // A descriptor selected: its PFNs listed, the map's highlight line written out.
  await page
    .getByTestId('vqi.inflate.desc')
    .locator('tr:not([data-phase="free"]) button[data-row]')
    .first()
    .click();
  await expect(page.getByTestId('map.highlight')).not.toContainText('Nothing highlighted');
  await expect.poll(() => page.evaluate(overflowing)).toEqual([]);
  expect(errors).toEqual([]);
});
