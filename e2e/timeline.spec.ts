// The timeline's events: seen once, they stay to jump to, also after going back before them; the
// "Jump to" list reaches every one of them, even where markers stand close together.
import { expect, type Page, test } from '@playwright/test';
import { openLab, pickScenario } from './lab-page.ts';

async function playToTheEnd(page: Page, end: string) {
  await page.getByLabel('Speed').selectOption('as fast as possible');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByTestId('transport.time')).toContainText(`${end} / ${end}`);
}

/** Chooses the Jump to entry whose text contains `text`. */
async function goTo(page: Page, text: string) {
  const jump = page.getByLabel('Jump to');
  const value = await jump.locator('option', { hasText: text }).first().getAttribute('value');
  await jump.selectOption(value!);
}

test('the events seen stay on the timeline, and Jump to reaches each one', async ({ page }) => {
  const errors = await openLab(page);
  await pickScenario(page, 'deflate on OOM');
  await expect(page.getByLabel('Jump to')).toBeDisabled();
  await playToTheEnd(page, '10.000000 s');
  const events = page.getByRole('list', { name: 'Timeline events' }).getByRole('button');
  await expect(events).toHaveCount(3);
  await expect(
    page.getByRole('button', { name: /4\.001871 s: out of memory: the OOM notifier deflates the balloon/ }),
  ).toBeVisible();

  // The workload's marker and the deflate's stand 5 ms apart: both can be reached.
  await goTo(page, 'anon workload "app"');
  await expect(page.getByTestId('transport.time')).toContainText('4.000000 s /');
  await expect(events).toHaveCount(3);
  await goTo(page, 'the OOM notifier deflates the balloon');
  await expect(page.getByTestId('transport.time')).toContainText('4.001871 s /');
  // Back before everything: what lies ahead is still there to jump to.
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByTestId('transport.time')).toContainText('step 0');
  await expect(events).toHaveCount(3);
  await events.last().click();
  await expect(page.getByTestId('transport.time')).toContainText('4.001871 s /');
  // The close markers stand one above the other, so a pointer reaches both.
  const [workload, deflate] = await Promise.all([
    page.getByRole('button', { name: /anon workload/ }).boundingBox(),
    page.getByRole('button', { name: /OOM notifier deflates/ }).boundingBox(),
  ]);
  expect(deflate!.y).toBeGreaterThanOrEqual(workload!.y + workload!.height);
  expect(errors).toEqual([]);
});
