// Share links: what the user did reopens with the moment (in a new page, and pasted into the same
// tab), and a bad link of any kind opens the default scenario with a notice saying why.
import { expect, type Page, test } from '@playwright/test';
import { DEFAULT_FILE, DEFAULT_NAME, type LabHook, openLab, withHook } from './lab-page.ts';

/** Lets virtual time run on to `seconds`, as Play would. */
async function runTo(page: Page, seconds: number) {
  await page.evaluate((s) => (window as unknown as { balloonLab: LabHook }).balloonLab.runUntil(s), seconds);
}

/** What the simulation says about this moment, to compare two pages by. */
const state = (page: Page) =>
  withHook(page, (h) => {
    const s = h.summary() as unknown as Record<string, unknown> | null;
    return (
      s && {
        time: s.time_s,
        target: s.target_bytes,
        numPages: s.num_pages,
        actual: s.actual,
        counters: s.counters,
      }
    );
  });

/** Sets the balloon target through the host panel's form. */
async function setTarget(page: Page, mib: string) {
  await page.getByTestId('host.target').fill(mib);
  await page.getByTestId('host.apply').click();
}

test('a link carries the user’s own actions and the exact moment, and reopens them', async ({
  page,
  context,
}) => {
  const errors = await openLab(page);
  // The scenario sets its own target at 2 s: the user's comes after it.
  await runTo(page, 2.5);
  await setTarget(page, '100');
  await runTo(page, 3.5);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  const here = await state(page);
  // The user's target, not the scenario's own.
  expect(here?.target).toBe(100 * 2 ** 20);
  const shown = await page.getByTestId('transport.time').textContent();

  await page.getByRole('button', { name: 'Share link' }).click();
  await expect(page.getByTestId('notice')).toContainText('The link to this exact moment');
  const url = page.url();
  expect(url).toMatch(/#v=2&scenario=inflate-deflate\.json&seed=\d+&actions=[\w-]+&e=\d+&t=\d+$/);

  const other = await context.newPage();
  const otherErrors = await openLab(other, url);
  await expect(other.getByTestId('transport.time')).toHaveText(shown ?? '');
  expect(await state(other)).toEqual(here);
  await expect(other.getByTestId('notice')).toHaveCount(0);
  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
});

test('a link pasted into the open page loads there (hashchange)', async ({ page }) => {
  const errors = await openLab(page);
  await runTo(page, 2.5);
  await setTarget(page, '100');
  await runTo(page, 3);
  const here = await state(page);
  await page.getByRole('button', { name: 'Share link' }).click();
  await expect(page.getByTestId('notice')).toContainText('The link to this exact moment');
  const hash = new URL(page.url()).hash;
  expect(hash).toMatch(/^#v=2&/);

  // Elsewhere in time and without the user's action: the start of the scenario.
  await page.getByLabel('Scenario').selectOption({ label: 'out of puff' });
  await page.waitForFunction(
    () => (window as unknown as { balloonLab: LabHook }).balloonLab.summary()?.scenario === 'out of puff',
  );
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await expect.poll(() => state(page)).toEqual(here);
  await expect(page.getByLabel('Scenario')).toHaveValue('inflate-deflate.json');

  // A bad link pasted the same way: the default scenario and a notice.
  await page.evaluate(() => {
    location.hash = '#v=7&scenario=inflate-deflate.json';
  });
  await expect(page.getByTestId('notice')).toContainText('link version 7');
  await expect.poll(() => withHook(page, (h) => h.summary()?.time_s)).toBe(0);
  expect(errors).toEqual([]);
});

const b64 = (s: string) => Buffer.from(s).toString('base64url');

const BAD: [string, string, RegExp][] = [
  ['garbage', '#%E2%9C%93%%%garbage', /no version/],
  ['a version from the future', '#v=3&scenario=inflate-deflate.json', /link version 3/],
  [
    'a scenario that fails validation',
    `#v=2&custom=${b64(JSON.stringify({ version: 1, name: 'x', guest: { memoryMiB: 5 }, steps: [] }))}`,
    /custom: .*memoryMiB/,
  ],
  [
    'actions that fail validation',
    `#v=2&scenario=inflate-deflate.json&actions=${b64(JSON.stringify([{ at: 1, do: 'balloon', MiB: -4 }]))}`,
    /actions: /,
  ],
  [
    'a moment after the end',
    '#v=2&scenario=inflate-deflate.json&e=0&t=999999999999',
    /beyond the scenario's end/,
  ],
  [
    'a step past the last event',
    '#v=2&scenario=inflate-deflate.json&e=99999999',
    /beyond the scenario's last event/,
  ],
  ['a scenario that is not bundled', '#v=2&scenario=../../etc/passwd', /not one of the bundled/],
];

for (const [what, hash, reason] of BAD) {
  test(`a bad link (${what}) opens the default scenario and says why`, async ({ page }) => {
    const errors = await openLab(page, `./${hash}`);
    const notice = page.getByTestId('notice');
    await expect(notice).toContainText('This link could not be opened');
    await expect(notice).toContainText(reason);
    await expect(notice).toContainText('Showing the default scenario instead');
    expect(await withHook(page, (h) => h.summary()?.scenario)).toBe(DEFAULT_NAME);
    await expect(page.getByLabel('Scenario')).toHaveValue(DEFAULT_FILE);
    expect(errors).toEqual([]);
  });
}
