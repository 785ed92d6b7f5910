// Each panel driven through its own controls: the guest's workloads, compaction, suspend and unplug;
// the trace loader refusing bad files; the keyboard. The hook only moves virtual time on, where a
// user would wait or press Play.
import { expect, type Page, test } from '@playwright/test';
import {
  clockShowsSimulation,
  type LabHook,
  openTab,
  pickScenario,
  openLab as ready,
  withHook,
} from './lab-page.ts';

/** Lets `seconds` of virtual time pass from where the simulation stands, as Play would. */
async function wait(page: Page, seconds: number) {
  const t = await withHook(page, (h) => h.summary()?.time_s ?? Number.NaN);
  expect(t).not.toBeNaN();
  await page.evaluate(
    (to) => (window as unknown as { balloonLab: LabHook }).balloonLab.runUntil(to),
    t + seconds,
  );
  await clockShowsSimulation(page);
}

const mibOf = async (page: Page, testId: string) =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? 'NaN');

test('the guest panel starts and frees a workload, and names what is wrong with a bad one', async ({
  page,
}) => {
  const errors = await ready(page);
  await wait(page, 3); // the default scenario's balloon is at 128 MiB from 2 s to 8 s
  const freeBefore = await mibOf(page, 'guest.MemFree');

  const form = page.getByRole('form', { name: 'Start a workload' });
  await form.getByLabel('Workload').selectOption('anon');
  await form.getByLabel('Size (MiB)').fill('32');
  await form.getByLabel('Name').fill('app');
  await form.getByRole('button', { name: 'Start' }).click();
  await wait(page, 2);
  const list = page.getByRole('list', { name: 'Workloads' });
  await expect(list).toContainText('app (anon, 32 MiB resident)');
  expect(await mibOf(page, 'guest.MemFree')).toBeLessThan(freeBefore - 30);

  // The same name again, and a size that is not one: a message naming the field, nothing started.
  await form.getByLabel('Name').fill('app');
  await form.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('guest.workload-msg')).toContainText(
    'Workload name: a workload named "app" is already running',
  );
  await form.getByLabel('Size (MiB)').fill('lots');
  await form.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('guest.workload-msg')).toContainText('Workload size: "lots" is not a number');
  await expect(list.getByRole('listitem')).toHaveCount(1);

  await list.getByRole('button', { name: 'Free' }).click();
  await wait(page, 1);
  await expect(page.getByRole('list', { name: 'Workloads' })).toHaveCount(0);
  expect(await mibOf(page, 'guest.MemFree')).toBeGreaterThan(freeBefore - 2);
  expect(errors).toEqual([]);
});

test('Compact memory migrates pages, balloon pages among them, and says so in dmesg', async ({ page }) => {
  await ready(page);
  await pickScenario(page, 'compaction moves balloon pages');
  await wait(page, 7);
  const lines = page
    .getByTestId('guest.dmesg')
    .getByRole('listitem')
    .filter({ hasText: 'compaction: migrated' });
  const before = await lines.count();
  await page
    .getByRole('region', { name: 'Guest (Linux)' })
    .getByRole('button', { name: 'Compact memory' })
    .click();
  await wait(page, 1);
  await expect(lines).toHaveCount(before + 1);
  await expect(lines.last()).toHaveText(/compaction: migrated \d+ pages \(\d+ balloon\), \d+ failed/);
});

test('Suspend gives the balloon back, Resume inflates it again, Unplug lets it go', async ({ page }) => {
  await ready(page);
  await wait(page, 3.5);
  const guest = page.getByRole('region', { name: 'Guest (Linux)' });
  const markers = page.getByRole('list', { name: 'Timeline events' });
  expect(await mibOf(page, 'guest.balloon')).toBe(128);

  await guest.getByRole('button', { name: 'Suspend' }).click();
  await wait(page, 2);
  // virtballoon_freeze: everything back before the guest sleeps.
  expect(await mibOf(page, 'guest.balloon')).toBe(0);
  await expect(
    markers.getByRole('button', { name: /suspend: the balloon gives everything back/ }),
  ).toHaveCount(1);

  await guest.getByRole('button', { name: 'Resume' }).click();
  await wait(page, 2);
  // virtballoon_restore: the host's target still stands, so the balloon fills again.
  expect(await mibOf(page, 'guest.balloon')).toBe(128);
  await expect(guest.getByRole('button', { name: 'Suspend' })).toBeEnabled();

  await guest.getByRole('button', { name: 'Unplug device' }).click();
  await wait(page, 0.5);
  await expect(guest.getByRole('button', { name: 'Unplug device' })).toBeDisabled();
  await expect(guest.getByRole('button', { name: 'Suspend' })).toBeDisabled();
  expect(await mibOf(page, 'guest.balloon')).toBe(0);
  await expect(markers.getByRole('button', { name: /device unplugged/ })).toHaveCount(1);
});

test('a file that is not a QEMU trace is refused with the line named, and nothing changes', async ({
  page,
}) => {
  await ready(page);
  await wait(page, 3);
  const actual = await page.getByTestId('host.actual').textContent();
  const trace = page.getByTestId('file.trace');

  await trace.setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('hello world\n'),
  });
  await expect(page.getByTestId('notice')).toContainText(
    'notes.txt: This trace cannot be read: line 1: expected "<pid>@<seconds>',
  );
  await expect(page.getByTestId('notice')).toContainText('Nothing was changed.');

  const bad = '1@2.000001:virtio_balloon_handle_output section name: pc.ram gpa: zz\n';
  await trace.setInputFiles({ name: 'bad.trace', mimeType: 'text/plain', buffer: Buffer.from(bad) });
  await expect(page.getByTestId('notice')).toContainText(
    'bad.trace: This trace cannot be read: line 1: virtio_balloon_handle_output: expected arguments',
  );

  await trace.setInputFiles({
    name: 'blob.trace',
    mimeType: 'text/plain',
    buffer: Buffer.from([0, 159, 146, 150]),
  });
  await expect(page.getByTestId('notice')).toContainText('blob.trace: This trace cannot be read: line 1');

  // The simulation shown before goes on as it was.
  await expect(page.getByLabel('Scenario')).toHaveValue('inflate-deflate.json');
  await expect(page.getByTestId('host.actual')).toHaveText(actual ?? '');
});

test('every control has a key: ? lists them, T switches the theme, Space plays and pauses', async ({
  page,
}) => {
  await ready(page);
  await page.locator('body').press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const action of ['Play / Pause', 'Step', 'Step back', 'Reset', 'Light / dark theme']) {
    await expect(help).toContainText(action);
  }
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();

  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  const before = await theme();
  await page.locator('body').press('t');
  expect(await theme()).not.toBe(before);
  await page.locator('body').press('t');
  expect(await theme()).toBe(before);

  const play = page.getByTestId('transport.play');
  await expect(play).toHaveAccessibleName('Play');
  await page.locator('body').press(' ');
  await expect(play).toHaveAccessibleName('Pause');
  await page.locator('body').press(' ');
  await expect(play).toHaveAccessibleName('Play');

  // → steps to the next event, ← back to the one before.
  const clock = page.getByTestId('transport.time');
  const step = Number(/step (\d+)/.exec((await clock.textContent()) ?? '')?.[1]);
  await page.locator('body').press('ArrowRight');
  await expect(clock).toContainText(`step ${step + 1}`);
  const t1 = (await clock.textContent()) ?? '';
  await page.locator('body').press('ArrowRight');
  await expect(clock).not.toHaveText(t1);
  await page.locator('body').press('ArrowLeft');
  await expect(clock).toHaveText(t1);
});

test('the driver view follows the driver: the running function, its seed lines, a narration', async ({
  page,
}) => {
  await ready(page);
  await openTab(page, 'Driver');
  const driver = page.getByTestId('driver');
  await expect(driver).toBeVisible();
  // Step until the driver is inflating, reading the page once it shows each step.
  const clock = page.getByTestId('transport.time');
  const fn = page.getByTestId('driver.fn');
  for (let k = 1; k <= 200; k++) {
    if ((await fn.count()) > 0 && (await fn.textContent()) === 'tell_host') break;
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(clock).toHaveText(new RegExp(` · step ${k}$`));
  }
  await expect(page.getByTestId('driver.fn')).toHaveText('tell_host');
  await expect(page.getByTestId('driver.narration')).not.toBeEmpty();
  await expect(page.getByTestId('driver.source')).toContainText('tell_host');
});

test('the timeline marks a new stats polling interval and QEMU warnings', async ({ page }) => {
  await ready(page);
  const markers = page.getByRole('list', { name: 'Timeline events' });
  await pickScenario(page, 'stats polling');
  await wait(page, 30);
  await expect(markers.getByRole('button', { name: /: stats polling every \d+ s$/ }).first()).toBeVisible();
  await pickScenario(page, '2 MiB host pages');
  await wait(page, 9);
  await expect(
    markers.getByRole('button', { name: /: Balloon used with backing page size > 4kiB/ }),
  ).toHaveCount(1);
});
