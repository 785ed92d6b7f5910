// The plots over virtual time: the balloon, memory, and every one of the eight stats tags the guest
// reports, each line with its own dash and a legend that says what it is and what it reads now.
import { expect, type Page, test } from '@playwright/test';
import { openLab, openTab, pickScenario, withHook } from './lab-page.ts';

const TAGS = ['SWAP_IN', 'SWAP_OUT', 'MAJFLT', 'MINFLT', 'MEMFREE', 'MEMTOT', 'AVAIL', 'CACHES'];

async function deflateOnOomAt10s(page: Page) {
  const errors = await openLab(page);
  await pickScenario(page, 'deflate on OOM');
  await withHook(page, (h) => h.runUntil(10));
  await expect(page.getByTestId('transport.time')).toContainText('10.000000 s /');
  await openTab(page, 'Plots');
  return errors;
}

test('every stats tag is plotted over virtual time, labelled with its unit and its value', async ({
  page,
}) => {
  const errors = await deflateOnOomAt10s(page);
  const panel = page.getByRole('region', { name: 'Over virtual time' });
  const charts = panel.getByRole('img');
  await expect(charts).toHaveCount(4);
  for (const chart of await charts.all()) await expect(chart.locator('canvas')).toHaveCount(1);
  for (const [tag, name] of TAGS.entries()) {
    await expect(panel.getByText(`VIRTIO_BALLOON_S_${name}, tag ${tag}`, { exact: true })).toBeVisible();
  }
  // The legend reads what the host received (summary()), in the chart's unit.
  const stats = await withHook(
    page,
    (h) => (h.summary() as unknown as { stats: { stats: Record<string, number> } }).stats.stats,
  );
  const total = stats['stat-total-memory'];
  const minor = stats['stat-minor-faults'].toLocaleString('en-US');
  await expect(page.getByTestId('stats.stat-total-memory')).toHaveText(total.toLocaleString('en-US'));
  await expect(page.getByTestId('plot.stats-memory.statTotalMemory')).toHaveText(
    `${(total / 1048576).toFixed(1)} MiB`,
  );
  await expect(page.getByTestId('stats.stat-minor-faults')).toHaveText(minor);
  await expect(page.getByTestId('plot.stats-counters.statMinorFaults')).toHaveText(minor);
  expect(stats['stat-swap-out']).toBe(0);
  await expect(page.getByTestId('plot.stats-counters.statSwapOut')).toHaveText('0.0 MiB');
  await expect(
    panel.getByRole('img', {
      name: new RegExp(`faults and swap since boot.*Latest: minor faults \\(count, left axis\\) ${minor}`),
    }),
  ).toBeVisible();
  expect(errors).toEqual([]);
});

test('the plots follow a step back: they show the run up to the moment on screen', async ({ page }) => {
  await deflateOnOomAt10s(page);
  await page.getByRole('slider', { name: 'Timeline' }).fill('4000000');
  await expect(page.getByTestId('transport.time')).toContainText('4.000000 s /');
  // The workload has not faulted its pages in yet: the last stats the host has predate it.
  await expect(page.getByTestId('plot.stats-counters.statMinorFaults')).toHaveText('0');
  await expect(page.getByTestId('plot.balloon.actual')).toHaveText('160.0 MiB');
});

for (const theme of ['light', 'dark'] as const) {
  test(`the plots read in the ${theme} theme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
    // Tall enough that the Plots tab holds all four charts without scrolling inside itself.
    await page.setViewportSize({ width: 1280, height: 3000 });
    await deflateOnOomAt10s(page);
    await page.evaluate(() => document.fonts.ready);
    const plots = page.locator('.plots-panel .plots');
    expect(await plots.evaluate((e) => e.getBoundingClientRect().bottom)).toBeLessThanOrEqual(3000);
    await expect(plots).toHaveScreenshot(`plots-${theme}.png`);
  });
}

test('on a phone the plots stack and nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await deflateOnOomAt10s(page);
  const charts = page.locator('.plots-panel').getByRole('img');
  await expect(charts).toHaveCount(4);
  const boxes = await Promise.all((await charts.all()).map((c) => c.boundingBox()));
  for (const b of boxes) expect(b!.x + b!.width).toBeLessThanOrEqual(390);
  // one column: each chart below the one before
  for (let k = 1; k < boxes.length; k++) expect(boxes[k]!.y).toBeGreaterThan(boxes[k - 1]!.y);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
