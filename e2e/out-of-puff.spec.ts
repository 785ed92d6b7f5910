// "Out of puff!": fill_balloon finds no free page, logs it, sleeps 200 ms and the work item retries.
// The driver view says so in one line, with the numbers, at the moment it happens.
import { expect, test } from '@playwright/test';
import { clockText, openLab, openTab, pickScenario } from './lab-page.ts';

test('the driver view narrates running out of puff, with the pages it could not get and the sleep', async ({
  page,
}) => {
  const errors = await openLab(page);
  await pickScenario(page, 'out of puff');
  await page.getByLabel('Speed').selectOption('as fast as possible');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByTestId('transport.time')).toContainText('12.000000 s / 12.000000 s');
  // The timeline marks the first time the guest ran out; going back there stops on the moment it logged
  // it (when that is: src/sim/scenario-moments.test.ts).
  const puffs = page.getByTestId('guest.dmesg').locator('li', { hasText: 'Out of puff!' });
  const us = (line: string | null) => {
    const m = /^\[\s*(\d+)\.(\d{6})\]/.exec(line ?? '');
    return m ? Number(m[1]) * 1e6 + Number(m[2]) : Number.NaN;
  };
  const first = us(await puffs.first().textContent());
  const second = us(await puffs.nth(1).textContent());
  expect(second - first).toBeGreaterThanOrEqual(200_000);
  await page.getByRole('button', { name: /: Out of puff!/ }).click();
  await expect(page.getByTestId('transport.time')).toContainText(`${clockText(first)} /`);
  await openTab(page, 'Driver');
  await expect(page.getByTestId('driver.fn')).toHaveText('fill_balloon');
  await expect(page.getByTestId('driver.narration')).toHaveText(
    'Out of puff! The guest could not get 1 page for the balloon: the driver ends this batch early and ' +
      'retries in 200 ms.',
  );
  await expect(page.getByTestId('guest.dmesg')).toContainText("Out of puff! Can't get 1 pages");
  // The list of calls keeps it, with the virtual time, as the step the driver is on.
  await expect(
    page
      .getByTestId('driver.calls')
      .getByRole('button', { name: /Out of puff!/ })
      .last(),
  ).toHaveAttribute('aria-current', 'step');
  // 200 ms of virtual time on, the work item has retried and run out again: the second line is back.
  await expect(puffs).toHaveCount(1);
  // (The slider moves in whole milliseconds: round up past the line's moment.)
  await page.getByRole('slider', { name: 'Timeline' }).fill(String(Math.ceil(second / 1000) * 1000));
  await expect(puffs).toHaveCount(2);
  expect(errors).toEqual([]);
});
