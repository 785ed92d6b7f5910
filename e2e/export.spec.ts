// "Export trace" streams the run's trace into a file: the file holds exactly what the run recorded.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { openLab, withHook } from './lab-page.ts';

test('Export trace saves the run so far, line for line as the simulation recorded it', async ({ page }) => {
  await openLab(page);
  await withHook(page, (h) => h.runUntil(3));
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export trace' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.trace$/);
  const saved = await readFile((await download.path()) as string, 'utf8');
  const recorded = await withHook(page, (h) => h.trace());
  expect(saved).toBe(recorded);
  expect(saved.split('\n').length).toBeGreaterThan(100);
  await expect(page.getByTestId('notice')).toContainText('Trace exported');
});
