// The lab's main states, as pictures: light and dark at 1280 px, and a phone. Deterministic: the
// simulation runs to a fixed virtual time through the hook, and no wall-clock time is on screen.
import { expect, type Page, test } from '@playwright/test';
import { LAB } from './lab-page.ts';

async function at(page: Page, seconds: number, theme: 'light' | 'dark') {
  await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
  await page.goto(LAB);
  await page.waitForFunction(() => 'balloonLab' in window);
  await page.evaluate(
    (s) => (window as unknown as { balloonLab: { runUntil(s: number): number } }).balloonLab.runUntil(s),
    seconds,
  );
  await expect(page.getByRole('region', { name: 'Memory map', exact: true })).toHaveAttribute(
    'data-ready',
    'true',
  );
  await page.evaluate(() => document.fonts.ready);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

for (const theme of ['light', 'dark'] as const) {
  test(`the lab mid-inflate looks as it should (${theme})`, async ({ page }) => {
    await at(page, 2.05, theme);
    await expect(page.locator('.controls')).toHaveScreenshot(`controls-${theme}.png`);
    // The panels' numbers are the simulation's, asserted as text (scenarios.spec.ts, against
    // summary()); masked here, so that these pictures are about layout, type and colour.
    const host = page.locator('.panel.host');
    await expect(host).toHaveScreenshot(`host-${theme}.png`, {
      mask: [
        host.locator(
          ['query', 'rss', 'num_pages', 'actual'].map((id) => `[data-testid="host.${id}"]`).join(),
        ),
      ],
    });
    await expect(page.locator('.panel.map')).toHaveScreenshot(`map-${theme}.png`);
    const guest = page.locator('.panel.guest');
    await expect(guest).toHaveScreenshot(`guest-${theme}.png`, {
      mask: [guest.locator('[data-testid^="guest."]')],
    });
  });
}

test('the lab at 1440×900 is one screen: host, maps side by side, the guest and its tabs', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await at(page, 2.05, 'light');
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(900);
  await expect(page).toHaveScreenshot('lab-1440-light.png');
});

test('on a phone the lab reads first: map and controls, nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await at(page, 2.05, 'light');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expect(page).toHaveScreenshot('phone.png');
});

/** A lesson's stop, arrived at through its link, the map drawn and the fonts in. */
async function lessonStop(page: Page, link: string, theme: 'light' | 'dark') {
  await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
  await page.goto(link);
  await page.reload();
  await page.waitForFunction(
    () =>
      (window as unknown as { balloonLab?: { lesson(): { arrived: boolean } | null } }).balloonLab?.lesson()
        ?.arrived,
  );
  await expect(page.getByRole('region', { name: 'Memory map', exact: true })).toHaveAttribute(
    'data-ready',
    'true',
  );
  await page.evaluate(() => document.fonts.ready);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

test('a lesson stop at 1440×900 (light): the pane, a callout on host RSS, the balloon outlined', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await lessonStop(page, './#lesson=why-a-balloon&stop=3', 'light');
  await expect(page).toHaveScreenshot('lesson-why-a-balloon-3-light.png');
});

test('a lesson stop at 1440×900 (dark): the driver kicks, its ring slot and function pointed at', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await lessonStop(page, './#lesson=one-batch&stop=2', 'dark');
  await expect(page).toHaveScreenshot('lesson-one-batch-2-dark.png');
});

test('a lesson stop on a phone reads first', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await lessonStop(page, './#lesson=why-a-balloon&stop=2', 'light');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expect(page).toHaveScreenshot('lesson-why-a-balloon-2-phone.png');
});
