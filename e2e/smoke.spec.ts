import { expect, test } from '@playwright/test';

test('the page loads and the WebAssembly core runs the default scenario', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('./#lab');
  await expect(page.getByRole('heading', { name: 'Balloon Lab' })).toBeVisible();
  await expect(page.getByLabel('Scenario')).toHaveValue('lesson-why-balloon.json');
  await expect(page.getByTestId('host.num_pages')).toHaveText('0 pages');
  expect(errors).toEqual([]);
});
