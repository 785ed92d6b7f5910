// One screen: at 1440 × 900 and 1280 × 800 the lab is the window, with nothing the page needs below
// the fold (the playback row, the timeline, both views of the map, the host's numbers, the detail
// tabs); the map's two views stand side by side; the driver's source is at least 60 characters wide;
// the glossary's terms explain themselves on hover and on focus; axe finds nothing serious.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { layoutPanes } from '../src/app/memmap/camera.ts';
import { openLab, seriousViolations, withHook } from './lab-page.ts';

const mapRegion = (page: Page) => page.getByRole('region', { name: 'Memory map', exact: true });

/** The box of `el`, which must lie wholly inside the viewport. */
async function inView(page: Page, el: Locator, what: string) {
  const vp = page.viewportSize()!;
  const box = await el.boundingBox();
  expect(box, `${what} is on the page`).not.toBeNull();
  const b = box!;
  expect(b.y, `${what} top`).toBeGreaterThanOrEqual(0);
  expect(b.y + b.height, `${what} bottom at ${vp.height}`).toBeLessThanOrEqual(vp.height + 0.5);
  expect(b.x + b.width, `${what} right edge`).toBeLessThanOrEqual(vp.width + 0.5);
  return b;
}

for (const [width, height] of [
  [1440, 900],
  [1280, 800],
] as const) {
  test.describe(`at ${width} × ${height}`, () => {
    test.use({ viewport: { width, height } });

    test('the lab is one screen: everything it needs above the fold', async ({ page }) => {
      const errors = await openLab(page);
      await expect(mapRegion(page)).toHaveAttribute('data-ready', 'true');
      const doc = await page.evaluate(() => ({
        h: document.documentElement.scrollHeight,
        w: document.documentElement.scrollWidth,
      }));
      test.info().annotations.push({ type: 'page height', description: `${doc.h} px` });
      expect(doc.h).toBeLessThanOrEqual(height);
      expect(doc.w).toBeLessThanOrEqual(width);
      await inView(page, page.getByTestId('transport.play'), 'Play');
      await inView(page, page.getByRole('slider', { name: 'Timeline' }), 'the timeline');
      await inView(page, page.getByTestId('transport.time'), 'the clock');
      await inView(page, page.getByTestId('host.target'), 'the guest size field');
      await inView(page, page.getByTestId('host.rss'), 'host RSS');
      await inView(page, page.getByTestId('host.actual'), 'actual');
      await inView(page, page.getByTestId('guest.MemTotal'), 'MemTotal');
      await inView(page, page.getByRole('tablist', { name: 'Detail panels' }), 'the detail tabs');
      // The map's two views side by side, inside the window.
      const map = await inView(page, mapRegion(page), 'the memory map');
      const [guest, host] = layoutPanes('split', { width: map.width, height: map.height });
      expect(guest.view).toBe('guest');
      expect(host.view).toBe('host');
      expect(host.x, 'the host view is right of the guest view').toBeGreaterThan(guest.x + guest.width);
      expect(host.y, 'both views at the same height').toBe(guest.y);
      expect(guest.width, 'each view is a fair size').toBeGreaterThan(150);
      expect(guest.height).toBeGreaterThan(150);
      await inView(page, page.getByTestId('memmap.legend.host.resident'), "the host view's legend");
      expect(errors).toEqual([]);
    });

    test('the driver source, in its tab, is at least 60 characters wide', async ({ page }) => {
      await openLab(page);
      await withHook(page, (h) => h.runUntil(2.05));
      await expect(page.getByTestId('transport.time')).toContainText('2.050000 s /');
      await page.getByRole('tab', { name: 'Driver' }).click();
      const source = page.getByTestId('driver.source');
      await expect(source).toBeVisible();
      const chars = await source.evaluate((el) => {
        const probe = document.createElement('span');
        probe.textContent = '0'.repeat(100);
        probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre';
        el.append(probe);
        const ch = probe.getBoundingClientRect().width / 100;
        probe.remove();
        return el.clientWidth / ch;
      });
      test.info().annotations.push({ type: 'driver source width', description: `${chars.toFixed(1)} ch` });
      expect(chars).toBeGreaterThanOrEqual(60);
      await inView(page, source, 'the driver source');
      // Still one screen, and the map still side by side beside it.
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(height);
      const map = (await mapRegion(page).boundingBox())!;
      const [guest, host] = layoutPanes('split', { width: map.width, height: map.height });
      expect(host.y).toBe(guest.y);
    });
  });
}

test('the detail tabs follow the WAI-ARIA pattern: arrows move and open, one tab stop', async ({ page }) => {
  await openLab(page);
  const guest = page.getByRole('tab', { name: 'Guest' });
  await expect(guest).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Guest' })).toBeVisible();
  await guest.focus();
  await page.keyboard.press('ArrowRight');
  const rings = page.getByRole('tab', { name: 'Rings' });
  await expect(rings).toBeFocused();
  await expect(rings).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Rings' })).toBeVisible();
  await expect(page.getByRole('tabpanel', { name: 'Guest' })).toBeHidden();
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: 'Trace' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(guest).toBeFocused();
  await expect(page.getByRole('tablist', { name: 'Detail panels' }).locator('[tabindex="0"]')).toHaveCount(1);
});

test('a term shows its gloss on hover and on keyboard focus, and Escape closes it', async ({ page }) => {
  await openLab(page);
  const term = page.locator('.panel.host .gloss[data-term="num_pages"]');
  const tip = page.getByRole('tooltip').filter({ hasText: 'num_pages' });
  await expect(term).toBeVisible();
  await term.hover();
  await expect(tip).toBeVisible();
  await expect(tip).toContainText('num_pages (config space)');
  const described = await term.getAttribute('aria-describedby');
  expect(await tip.getAttribute('id')).toBe(described);
  await page.mouse.move(0, 0);
  await expect(tip).toBeHidden();
  // The keyboard: Tab onto the term, the gloss shows; Escape hides it and keeps the focus.
  const actual = page.locator('.panel.host .gloss[data-term="actual"]');
  await actual.focus();
  const actualTip = page.locator(`[id="${await actual.getAttribute('aria-describedby')}"]`);
  await expect(actualTip).toBeVisible();
  await expect(actualTip).toHaveAttribute('role', 'tooltip');
  await expect(actualTip).toContainText('actual (config space)');
  await page.keyboard.press('Escape');
  await expect(actualTip).toBeHidden();
  await expect(actual).toBeFocused();
});

test('the narration is announced while playing, from one live region that stays', async ({ page }) => {
  await openLab(page);
  const live = page.getByTestId('lab.narration');
  await expect(live).toHaveAttribute('aria-live', 'polite');
  await page.getByLabel('Speed', { exact: true }).selectOption({ label: '1/10×' });
  await page.getByTestId('transport.play').click();
  await expect(page.getByTestId('transport.play')).toHaveText('Pause');
  await expect(live).not.toBeEmpty();
  await expect(live).toHaveCount(1);
  await page.getByTestId('transport.play').click();
  await expect(page.getByTestId('transport.play')).toHaveText('Play');
  // Paused: it says what the driver did last, as the driver view does.
  await page.getByRole('tab', { name: 'Driver' }).click();
  await expect(live).toHaveText((await page.getByTestId('driver.narration').textContent()) ?? '');
  // Said once: the driver view shows the sentence but is not a second live region.
  await expect(page.getByTestId('driver.narration')).not.toHaveAttribute('aria-live');
  await expect(page.locator('[aria-live]', { hasText: (await live.textContent()) ?? '' })).toHaveCount(1);
});

test('at 390 px the lab is one column, the map first, and nothing overflows sideways', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openLab(page);
  const map = (await mapRegion(page).boundingBox())!;
  const hostBox = (await page.locator('.panel.host').boundingBox())!;
  expect(map.y, 'the map before the host panel').toBeLessThan(hostBox.y);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test('axe: no serious or critical violations anywhere in the lab', async ({ page }) => {
  await openLab(page);
  await withHook(page, (h) => h.runUntil(2.5));
  await expect(page.getByTestId('transport.time')).toContainText('2.500000 s /');
  for (const tab of ['Guest', 'Rings', 'Driver', 'Plots', 'Stats', 'Trace']) {
    await page.getByRole('tab', { name: tab }).click();
    await expect(page.getByRole('tabpanel', { name: tab })).toBeVisible();
    expect(seriousViolations(await new AxeBuilder({ page }).analyze()), `with the ${tab} tab open`).toEqual(
      [],
    );
  }
});
