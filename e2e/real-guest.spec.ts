// "Real guest": Linux 6.1 restored from a saved state in the page's worker, its own balloon driver
// talking to Balloon Lab's device. The page's numbers are checked against what the worker reports
// (window.balloonLabGuest.summary()), and the exported trace against the simulation's reader.
// The saved state comes from `npm run guest -- --save-state` (npm test makes it before the build).
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import type { GuestSummary } from '../src/app/guest/RealGuest.tsx';
import { PAGE_SIZE, PFNS_MAX } from '../src/core/abi.ts';
import { DEFAULT_OFFER } from '../src/guest/protocol.ts';
import { stateKey } from '../src/guest/saved-state.ts';
import { parseTrace } from '../src/sim/trace-parse.ts';
import { summarizeTrace } from '../src/sim/trace-summary.ts';
import { seriousViolations } from './lab-page.ts';

const summary = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { balloonLabGuest: { summary(): GuestSummary } }).balloonLabGuest.summary(),
  );

const number = (page: Page, key: string) =>
  page.getByTestId('guest.numbers').locator(`dd[data-key="${key}"]`);
const pages = (n: number) => `${n.toLocaleString('en-US')} pages`;
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const n = (x: number) => x.toLocaleString('en-US');

/** The balloon the test asks for, and what follows from it: num_pages in 4 KiB pages, and the
 * buffers the driver needs at PFNS_MAX (VIRTIO_BALLOON_ARRAY_PFNS_MAX) PFNs each. */
const BALLOON_MIB = 32;
const TARGET = (BALLOON_MIB * 1048576) / PAGE_SIZE;
const BUFFERS = TARGET / PFNS_MAX;

test.describe.configure({ mode: 'serial' });

test('the header’s Real guest link restores the guest: a shell, free -m, a 32 MiB balloon on the map and in the rings', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto('./#v=2&scenario=inflate-deflate.json&e=0');
  await page.getByRole('link', { name: 'Real guest' }).click();
  await expect(page).toHaveURL(/\?guest$/);
  await expect(page.getByTestId('guest.ready')).toContainText('Restored a saved guest', { timeout: 60_000 });
  expect((await summary(page)).how).toBe('restored');

  // A shell: what the student types goes to the guest, what it prints comes back.
  const term = page.getByTestId('guest.terminal');
  await term.click();
  await page.keyboard.type('free -m\n');
  await expect(term).toContainText('Mem:', { timeout: 30_000 });
  await expect(term).toContainText('buff/cache');

  // The stats arrive (every second by default): MemTotal as the driver reports it.
  await expect.poll(async () => (await summary(page)).memTotalBytes, { timeout: 30_000 }).not.toBeNull();
  const before = await summary(page);
  expect(before.actual).toBe(0);
  await expect(number(page, 'MemTotal')).toHaveText(mib(before.memTotalBytes as number));

  // The host sets the balloon: TARGET pages, BUFFERS full buffers, each frame discarded.
  await page.getByLabel('Balloon size (MiB)').fill(String(BALLOON_MIB));
  await page.getByRole('button', { name: 'Set target' }).click();
  await expect.poll(async () => (await summary(page)).actual, { timeout: 60_000 }).toBe(TARGET);
  const after = await summary(page);
  expect(after.numPages).toBe(TARGET);
  expect(after.counts.inflateBuffers).toBe(BUFFERS);
  expect(after.counts.errors).toBe(0);
  expect(after.host.discarded).toBe(TARGET);
  // The page shows what the worker reports.
  await expect(number(page, 'actual')).toHaveText(pages(after.actual));
  await expect(number(page, 'num_pages')).toHaveText(pages(after.numPages));
  await expect(page.getByTestId('memmap.legend.host')).toContainText(`${n(after.host.discarded)} frames`);
  // The driver's next stats: MemTotal down by exactly the balloon (no DEFLATE_ON_OOM offered).
  const shrunk = (before.memTotalBytes as number) - BALLOON_MIB * 1048576;
  await expect.poll(async () => (await summary(page)).memTotalBytes, { timeout: 30_000 }).toBe(shrunk);
  await expect(number(page, 'MemTotal')).toHaveText(mib(shrunk));

  // The rings: the inflate queue's real descriptors, read from the guest's memory.
  await page.getByRole('tab', { name: 'Rings' }).click();
  const vqi = page.getByTestId('vqi');
  await expect(vqi).toBeVisible();
  await expect(vqi.getByRole('tab', { name: /inflate/ })).toBeVisible();
  // Descriptor 0 points at the driver's pfns[]: picking it outlines its PFNs on the map, which are
  // the last buffer's (the driver fills the same array for each).
  await vqi.getByTestId('vqi.inflate.desc').locator('button[data-row]').first().click();
  const listed = await page.getByRole('list', { name: 'PFNs in the buffer' }).locator('li').count();
  expect(listed).toBe(PFNS_MAX);
  await expect(page.getByTestId('guest.map-highlight')).toHaveText(
    `Outlined: the ${PFNS_MAX} PFNs of the descriptor picked in the Rings tab.`,
  );
  await page.getByRole('button', { name: 'Back to the last buffer' }).click();
  await expect(page.getByTestId('guest.map-highlight')).toHaveText(
    `Outlined: the last inflate buffer’s ${PFNS_MAX} PFNs.`,
  );
  // And the timeline names each buffer.
  await page.getByRole('tab', { name: 'Timeline' }).click();
  await expect(page.getByTestId('guest.timeline')).toContainText(`inflate buffer: ${PFNS_MAX} PFNs`);

  // The trace reads back with the simulation's reader: one pop a buffer, every PFN.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export trace' }).click(),
  ]);
  const parsed = parseTrace(await readFile((await download.path()) as string, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.error);
  const inflate = summarizeTrace(parsed.events).queues.find((q) => q.role === 'inflate');
  expect(inflate?.pops).toBe(after.counts.inflateBuffers);
  expect(inflate?.pfns).toBe(after.actual);

  // Side by side: the same target on a simulated 128 MiB guest ends in the same balloon, by the same
  // buffers (each run measured from its own trace).
  await page.getByRole('tab', { name: 'Side by side' }).click();
  await page.getByRole('button', { name: 'Run the same steps in the simulation' }).click();
  const table = page.getByRole('table', { name: 'The real guest and the simulation, measured alike' });
  const row = (name: string) => table.getByRole('row', { name: new RegExp(`^${name}`) });
  await expect(row('actual at the end').locator('td[data-side="real"]')).toHaveText(n(after.actual));
  await expect(row('actual at the end').locator('td[data-side="sim"]')).toHaveText(n(TARGET));
  for (const side of ['real', 'sim'])
    await expect(row('inflate buffers').locator(`td[data-side="${side}"]`)).toHaveText(
      `${BUFFERS} (${n(TARGET)} PFNs)`,
    );
  await expect(row('target 1').locator('td[data-side="real"]')).toHaveText(/^\d+ ms$/);

  // Back to 0: the driver deflates, and the frames are wanted again.
  await page.getByLabel('Balloon size (MiB)').fill('0');
  await page.getByRole('button', { name: 'Set target' }).click();
  await expect.poll(async () => (await summary(page)).actual, { timeout: 60_000 }).toBe(0);
  expect((await summary(page)).host).toMatchObject({ discarded: 0, wanted: TARGET });
});

test('a target the guest cannot give is refused in the field, with the reason', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('./?guest');
  await expect(page.getByTestId('guest.ready')).toBeVisible({ timeout: 60_000 });
  const field = page.getByLabel('Balloon size (MiB)');
  const set = page.getByRole('button', { name: 'Set target' });
  for (const bad of ['120', '-1', '']) {
    await field.fill(bad);
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('#guest-balloon-help')).toContainText('A balloon from 0 to 112 MiB');
    await expect(set).toBeDisabled();
  }
  await field.fill('8');
  await expect(set).toBeEnabled();
  expect((await summary(page)).numPages).toBe(0);
  expect(seriousViolations(await new AxeBuilder({ page }).analyze())).toEqual([]);
});

test('a link’s offer the device does not know is named, and the guest starts with QEMU’s default', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.goto('./?guest&offer=stats,free-page-hint');
  await expect(page.getByTestId('guest.offer-problem')).toHaveText(
    'The link’s offer: "free-page-hint" is not a feature the device can offer (stats, deflate-on-oom, must-tell-host). The guest starts with QEMU’s default offer (stats).',
  );
  await expect(page.getByTestId('guest.ready')).toContainText('Restored a saved guest', { timeout: 60_000 });
  // What the driver accepted, as the worker reports it.
  const offer = page.getByRole('region', { name: 'What the device offers' });
  await expect(offer.getByRole('checkbox', { name: /STATS_VQ/ })).toBeChecked();
  await expect(offer).toContainText('STATS_VQ accepted');
  // Choosing another offer makes the restart link name it.
  const restart = offer.getByRole('link', { name: 'Restart the guest with this offer' });
  await expect(restart).toHaveAttribute('aria-disabled', 'true');
  await offer.getByRole('checkbox', { name: /DEFLATE_ON_OOM/ }).check();
  await expect(restart).toHaveAttribute('aria-disabled', 'false');
  await expect(restart).toHaveAttribute('href', '?guest&offer=stats,deflate-on-oom');
});

test('the first screen offers the real thing after the lessons', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('./');
  await page.getByRole('link', { name: 'Try a real Linux guest' }).click();
  await expect(page).toHaveURL(/\?guest$/);
  await expect(page.getByTestId('guest.ready')).toBeVisible({ timeout: 60_000 });
  // And back: the simulated lab.
  await page.getByRole('link', { name: 'Back to the simulated lab' }).click();
  await expect(page.getByRole('heading', { name: 'Lessons' })).toBeVisible();
});

test('a damaged saved guest is dropped, said, and Linux boots instead', async ({ page }) => {
  test.setTimeout(180_000);
  // The browser keeps a saved guest for this exact offer and build, but its bytes are nonsense
  // (gzipped, so they get as far as v86's restore).
  await page.goto('./?demo=memmap');
  const manifest = await (await page.request.get('./guest/manifest.json')).json();
  const key = stateKey(128, [...DEFAULT_OFFER], manifest.files.bzImage.sha256);
  const junk = [...gzipSync(Buffer.alloc(65536, 7))];
  await page.evaluate(
    ({ key, junk }) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('balloon-lab-guest', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('states');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction('states', 'readwrite');
          tx.objectStore('states').put(new Blob([new Uint8Array(junk)]), key);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
    { key, junk },
  );
  await page.goto('./?guest');
  // A cold boot: half a minute or more on a busy machine.
  await expect(page.getByTestId('guest.ready')).toContainText('Booted Linux in', { timeout: 150_000 });
  await expect(page.getByTestId('guest.ready-note')).toContainText('The saved guest could not be restored: ');
  await expect(page.getByTestId('guest.ready-note')).toContainText('; Linux booted instead.');
  expect((await summary(page)).how).toBe('booted');
  // And it is a working guest.
  await page.getByTestId('guest.terminal').click();
  await page.keyboard.type('echo $((6*7))\n');
  await expect(page.getByTestId('guest.terminal')).toContainText('42', { timeout: 30_000 });
});
