// The controls agree with each other: a button does what its key does (Step pauses playback from
// either), Space on a focused button presses that button only, each kind of step has its key in the
// `?` dialog, and slow motion is on the speed list.
import { expect, test } from '@playwright/test';
import { openLab, withHook } from './lab-page.ts';

const step = (text: string | null) => Number(/step (\d+)/.exec(text ?? '')?.[1] ?? Number.NaN);

test('Step pauses playback, from the button as from the key', async ({ page }) => {
  const errors = await openLab(page);
  const play = page.getByTestId('transport.play');
  await page.getByLabel('Speed').selectOption('1/100×');
  for (const press of [
    () => page.getByRole('button', { name: 'Step', exact: true }).click(),
    () => page.locator('body').press('ArrowRight'),
  ]) {
    await play.click();
    await expect(play).toHaveAccessibleName('Pause');
    await press();
    await expect(play).toHaveAccessibleName('Play');
  }
  expect(errors).toEqual([]);
});

test('Space on a focused Step button steps once and does not start playback', async ({ page }) => {
  const errors = await openLab(page);
  const time = page.getByTestId('transport.time');
  const before = step(await time.textContent());
  await page.getByRole('button', { name: 'Step', exact: true }).focus();
  await page.keyboard.press(' ');
  await expect.poll(async () => step(await time.textContent())).toBe(before + 1);
  await expect(page.getByTestId('transport.play')).toHaveAccessibleName('Play');
  expect(errors).toEqual([]);
});

test('B steps to the next buffer the device handles, Shift+B back; ? lists every kind of step', async ({
  page,
}) => {
  const errors = await openLab(page);
  const handled = () =>
    withHook(page, (h) => {
      const c = h.summary()?.counters ?? {};
      return (c.inflateBatches ?? 0) + (c.deflateBatches ?? 0) + (c.statsAnswers ?? 0);
    });
  const start = await handled();
  await page.locator('body').press('b');
  await expect.poll(handled).toBe(start + 1);
  await page.locator('body').press('b');
  await expect.poll(handled).toBe(start + 2);
  await page.locator('body').press('Shift+B');
  await expect.poll(handled).toBe(start + 1);

  // The buttons step by what the "by" list says.
  await page.getByLabel('by', { exact: true }).selectOption('batch');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(handled).toBe(start + 2);

  await page.locator('body').press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  for (const [key, label] of [
    ['B', 'Next batch'],
    ['Shift+B', 'Previous batch'],
    ['F', 'Next driver function'],
    ['Shift+F', 'Previous driver function'],
    ['N', 'Next timeline marker'],
    ['Shift+N', 'Previous timeline marker'],
    ['1', 'Speed: 1/100'],
    ['2', 'Speed: 1/10'],
  ]) {
    await expect(
      help.locator('div', {
        has: page.locator('kbd', { hasText: new RegExp(`^${key.replace('+', '\\+')}$`) }),
      }),
    ).toContainText(label);
  }
  expect(errors).toEqual([]);
});

test('a long scenario name stays inside the window', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const errors = await openLab(page);
  const name = `a scenario with a very long name ${'that goes on and on '.repeat(8)}`.trim();
  await page.getByTestId('file.scenario').setInputFiles({
    name: 'long.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ version: 1, name, guest: { memoryMiB: 64 }, steps: [] })),
  });
  await expect.poll(() => withHook(page, (h) => h.summary()?.scenario)).toBe(name);
  await expect(page.getByLabel('Scenario')).toHaveValue('');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const box = await page.getByLabel('Scenario').boundingBox();
  expect((box?.x ?? 0) + (box?.width ?? Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(390);
  expect(errors).toEqual([]);
});
