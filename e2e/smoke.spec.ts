import { expect, test } from '@playwright/test';

test('the page loads, runs the WebAssembly core and looks as it should', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('./');
  await expect(page.getByRole('heading', { name: 'Balloon Lab' })).toBeVisible();
  const status = page.getByTestId('core.status');
  await expect(status).toHaveAttribute('data-state', 'ready');
  await expect(status).toContainText('need_event self-check: ok');
  expect(errors).toEqual([]);
  await expect(page).toHaveScreenshot('smoke.png');
});
