// Issue #5, "Done when", walked through the UI as a first-time user would: pick "deflate on OOM",
// play it, watch the balloon give memory back when the workload needs it, go back to the moment the
// deflate started, open the descriptor that carried those pages and see them on the map, then share
// that moment and open the link. window.balloonLab only waits and checks; every action is the UI's.
import { expect, type Page, test } from '@playwright/test';
import { openLab, openTab, withHook } from './lab-page.ts';

/** What the screen says about this moment, to compare two pages by. */
async function moment(page: Page) {
  const text = (id: string) => page.getByTestId(id).textContent();
  return {
    time: await text('transport.time'),
    numPages: await text('host.num_pages'),
    actual: await text('host.actual'),
    rss: await text('host.rss'),
    memFree: await text('guest.MemFree'),
    deflating: await text('memmap.legend.guest.deflating'),
    summary: await withHook(page, (h) => h.summary()),
  };
}

test('deflate on OOM: play, watch it deflate, go back to the moment, see its PFNs, share it', async ({
  page,
  context,
}) => {
  const errors = await openLab(page);
  const actual = page.getByTestId('host.actual');
  const time = page.getByTestId('transport.time');

  // 1. Pick the scenario by its name.
  await page.getByLabel('Scenario').selectOption({ label: 'deflate on OOM' });
  await expect(page.getByLabel('Scenario')).toHaveValue('deflate-on-oom.json');
  await expect(time).toContainText('0.000000 s / 10.000000 s');

  // 2. Play as fast as possible to the end: the balloon filled to the host's target of 40,960 pages,
  //    then gave pages back once the workload needed the memory. (The full balloon is on screen for
  //    a moment only; step 3 goes back to it rather than trying to catch it while it plays.)
  await page.getByLabel('Speed').selectOption('as fast as possible');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(time).toContainText('10.000000 s / 10.000000 s');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible(); // it stops at the end
  const end = await withHook(page, (h) => h.summary()!);
  expect(end.num_pages).toBe(40_960);
  expect(end.actual).toBeLessThan(end.num_pages);
  await expect(actual).toHaveText(`${end.actual.toLocaleString('en-US')} pages`);

  // 3. Back to the moment the deflate started: the timeline names it (↓, its own sign).
  const marker = page.getByRole('button', { name: /: out of memory: the OOM notifier deflates the balloon/ });
  await expect(marker).toHaveCount(1);
  const jump = page.getByLabel('Jump to');
  const entry = jump.locator('option', { hasText: '↓ out of memory: the OOM notifier deflates' });
  await jump.selectOption((await entry.getAttribute('value'))!);
  // The clock lands on the time the marker names.
  const at = /(\d+\.\d{6}) s/.exec((await entry.textContent()) ?? '')?.[1];
  expect(at, 'the marker names its time').toBeTruthy();
  await expect(time).toContainText(`${at} s / 10.000000 s`);
  await expect(actual).toHaveText('40,960 pages'); // the host has not been told yet
  await openTab(page, 'Driver');
  await expect(page.getByTestId('driver.fn')).toHaveText('tell_host');
  await expect(page.getByTestId('driver.narration')).toContainText('through the deflate queue');

  // 4. Open the descriptor that carries those pages, and see them outlined on the map.
  await openTab(page, 'Rings');
  await page.getByRole('tab', { name: /deflate/ }).click();
  const busy = page.getByTestId('vqi.deflate.desc').locator('tr:not([data-phase="free"]) button[data-row]');
  await expect(busy).toHaveCount(1);
  const desc = await busy.textContent();
  await busy.click();
  await expect(page.getByRole('region', { name: `What descriptor ${desc} carried` })).toContainText(
    'It carried 256 PFNs',
  );
  // The map is far above the inspector: a button beside the PFNs goes there.
  await page.getByRole('button', { name: 'Show them on the memory map' }).click();
  await expect(page.getByRole('heading', { name: 'Guest memory, frame by frame' })).toBeInViewport();
  const status = page.getByTestId('map.highlight');
  await expect(status).toBeInViewport();
  await expect(status).toHaveText(
    new RegExp(`^Descriptor ${desc} of the deflate queue: 256 PFNs highlighted, 0x[0-9a-f]+ – 0x[0-9a-f]+`),
  );
  await expect(page.getByRole('region', { name: 'Memory map', exact: true })).toHaveAttribute(
    'data-highlight',
    '256',
  );
  // They are the pages on their way back to the guest.
  await expect(page.getByTestId('memmap.legend.guest.deflating')).toContainText('256 frames');

  // 5. Share this moment, and open the link in a new page: the same step, clock and values.
  const here = await moment(page);
  await page.getByRole('button', { name: 'Share link' }).click();
  await expect(page.getByTestId('notice')).toContainText('The link to this exact moment');
  const url = page.url();
  expect(url).toMatch(
    new RegExp(`#v=2&scenario=deflate-on-oom\\.json&seed=1&e=\\d+&t=${Math.round(Number(at) * 1e6)}$`),
  );
  const other = await context.newPage();
  const otherErrors = await openLab(other, url);
  await expect(other.getByLabel('Scenario')).toHaveValue('deflate-on-oom.json');
  await expect(other.getByTestId('transport.time')).toHaveText(here.time ?? '');
  await expect.poll(() => moment(other)).toEqual(here);
  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
});
