// The compare view: two bundled scenarios side by side on one virtual clock, opened by a
// `#compare=` link or the header's picker, played through its own transport; every number it shows
// is held against the two runs' summaries (window.balloonLab.compare()).
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { openLab, seriousViolations } from './lab-page.ts';

interface RunSummary {
  scenario: string;
  time_s: number;
  num_pages: number;
  actual: number;
  guest: { MemTotal: number; MemFree: number };
  host: { rss_bytes: number; page_bytes: number };
  counters: Record<string, number>;
}

interface CompareSummary {
  us: number;
  endUs: number;
  labels: { left: string; right: string };
  left: RunSummary;
  right: RunSummary;
  oomDeflates: { left: number; right: number };
}

type Side = 'left' | 'right';

const compareOf = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { balloonLab: { compare(): CompareSummary | null } }).balloonLab.compare(),
  );

/** MiB with one decimal, as src/lessons/measures.ts rounds them. */
const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/** Each row of the key numbers, from one run's summary (and the timeline's OOM deflates). */
const EXPECTED: Record<string, (c: CompareSummary, side: Side) => number> = {
  hostRssMiB: (c, s) => mib(c[s].host.rss_bytes),
  numPages: (c, s) => c[s].num_pages,
  actual: (c, s) => c[s].actual,
  memTotalMiB: (c, s) => mib(c[s].guest.MemTotal),
  memFreeMiB: (c, s) => mib(c[s].guest.MemFree),
  oomKills: (c, s) => c[s].counters.oom_kills,
  oomDeflates: (c, s) => c.oomDeflates[s],
  outOfPuff: (c, s) => c[s].counters.outOfPuff,
  hostPageKiB: (c, s) => c[s].host.page_bytes / 1024,
};

/** "40,960", "−1.5": the number a cell shows. */
const shownNumber = async (page: Page, testId: string) => {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  return Number(text.replace(/,/g, '').replace('\u2212', '-'));
};

const dialog = (page: Page) => page.getByRole('dialog', { name: /^Compare:/ });

/** Plays the open comparison as fast as possible to its end; returns the runs' summaries there. */
async function playToEnd(page: Page): Promise<CompareSummary> {
  const d = dialog(page);
  await d.getByLabel('Speed').selectOption({ label: 'as fast as possible' });
  await d.getByTestId('compare.play').click();
  const end = await compareOf(page);
  expect(end).not.toBeNull();
  await expect(d.getByTestId('compare.time')).toHaveAttribute('data-us', String(end!.endUs));
  await expect(d.getByTestId('compare.play')).toHaveText('Play');
  const c = (await compareOf(page))!;
  expect(c.us).toBe(c.endUs);
  return c;
}

/** Every key number on the page equals the summaries', and a row is marked where the runs differ. */
async function expectNumbersOf(page: Page, c: CompareSummary): Promise<void> {
  for (const [measure, expected] of Object.entries(EXPECTED)) {
    for (const side of ['left', 'right'] as const) {
      const id = `compare.${side}.${measure}`;
      await expect(page.getByTestId(id)).toHaveAttribute('data-measure', measure);
      await expect.poll(() => shownNumber(page, id), { message: id }).toBe(expected(c, side));
    }
    const differs = expected(c, 'left') !== expected(c, 'right');
    const row = page.locator(`tr[data-measure="${measure}"]`);
    if (differs) await expect(row, measure).toHaveAttribute('data-differs', 'true');
    else await expect(row, measure).not.toHaveAttribute('data-differs');
  }
}

test.describe('compare view', () => {
  test('a #compare= link plays 4 KiB and 2 MiB host pages side by side to the end', async ({ page }) => {
    const errors = await openLab(page, './#compare=lesson-host-4k.json,lesson-host-2m.json');
    const d = dialog(page);
    await expect(d).toBeVisible();
    await expect(d.getByRole('heading', { name: 'lesson: 4 KiB host pages', exact: true })).toBeVisible();
    await expect(d.getByRole('heading', { name: 'lesson: 2048 KiB host pages', exact: true })).toBeVisible();
    // Each run has its own map, the host's view first.
    for (const side of ['left', 'right']) {
      await expect(
        d.getByTestId(`compare.${side}`).getByRole('region', { name: 'Memory map' }),
      ).toBeVisible();
    }
    await expect(d.getByRole('radio', { name: "Host's view" })).toBeChecked();

    const c = await playToEnd(page);
    expect(c.left.scenario).toBe('lesson: 4 KiB host pages');
    expect(c.right.scenario).toBe('lesson: 2048 KiB host pages');
    // One clock: both runs end at 9 s and stand there.
    expect(c.left.time_s).toBe(c.right.time_s);
    expect(c.left.time_s * 1e6).toBe(c.endUs);
    await expectNumbersOf(page, c);
    // The lesson's point shows in the table: the same balloon, but only the 4 KiB host got memory back.
    expect(c.left.actual).toBe(c.right.actual);
    expect(c.left.host.rss_bytes).toBeLessThan(c.right.host.rss_bytes);
    expect(errors).toEqual([]);
  });

  test('deflate on OOM against the OOM killer, with its OOM deflates and kills', async ({ page }) => {
    const errors = await openLab(page, './#compare=lesson-oom-deflate.json,lesson-oom-killer.json');
    await expect(dialog(page)).toBeVisible();
    const c = await playToEnd(page);
    await expectNumbersOf(page, c);
    expect(c.oomDeflates.left).toBeGreaterThan(0);
    expect(c.oomDeflates.right).toBe(0);
    expect(c.right.counters.oom_kills).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  test('the picker opens any two scenarios; steps move both runs; Close lets the lab be', async ({
    page,
  }) => {
    await openLab(page, './#compare=lesson-host-4k.json,lesson-host-2m.json');
    await dialog(page).getByRole('button', { name: 'Other scenarios…' }).click();
    const picker = page.getByRole('dialog', { name: 'Compare two scenarios' });
    // It starts from the comparison open now.
    await expect(picker.getByLabel('Left')).toHaveValue('lesson-host-4k.json');
    await expect(picker.getByLabel('Right')).toHaveValue('lesson-host-2m.json');
    await picker.getByLabel('Left').selectOption({ label: 'deflate on OOM' });
    await picker.getByLabel('Right').selectOption({ label: 'OOM killer (no deflate-on-oom)' });
    await picker.getByRole('button', { name: 'Compare' }).click();
    await expect(picker).toBeHidden();
    const d = dialog(page);
    await expect(d).toHaveAccessibleName('Compare: deflate on OOM and OOM killer (no deflate-on-oom)');
    await expect(page).toHaveURL(/#compare=deflate-on-oom\.json,oom-kill\.json$/);

    await d.getByLabel('Step size').selectOption({ label: '100 ms' });
    const time = d.getByTestId('compare.time');
    await d.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(time).toHaveAttribute('data-us', '100000');
    let c = (await compareOf(page))!;
    expect([c.us, c.left.time_s, c.right.time_s]).toEqual([100_000, 0.1, 0.1]);
    await d.getByRole('button', { name: 'Step', exact: true }).click();
    await d.getByRole('button', { name: 'Step back' }).click();
    await expect(time).toHaveAttribute('data-us', '100000');
    c = (await compareOf(page))!;
    expect([c.left.time_s, c.right.time_s]).toEqual([0.1, 0.1]);
    await expectNumbersOf(page, c);
    // Its keys move the comparison, not the lab behind it (checked below).
    await page.keyboard.press('ArrowRight');
    await expect(time).toHaveAttribute('data-us', '200000');

    await d.getByRole('button', { name: 'Close' }).click();
    await expect(d).toBeHidden();
    expect(await compareOf(page)).toBeNull();
    await expect(page).not.toHaveURL(/#compare=/);
    // The lab behind was left where it was.
    await expect(page.getByTestId('transport.time')).toContainText('0.000000 s /');
  });

  test('Compare… in the lab’s header opens the picker; its two scenarios play side by side', async ({
    page,
  }) => {
    const errors = await openLab(page);
    await page.getByRole('banner').getByRole('button', { name: 'Compare…' }).click();
    const picker = page.getByRole('dialog', { name: 'Compare two scenarios' });
    await expect(picker).toBeVisible();
    await picker.getByLabel('Left').selectOption({ label: 'inflate then deflate' });
    await picker.getByLabel('Right').selectOption({ label: '2 MiB host pages' });
    await picker.getByRole('button', { name: 'Compare' }).click();
    await expect(picker).toBeHidden();
    const d = dialog(page);
    await expect(d).toBeVisible();
    await expect(d.getByRole('region', { name: /^Memory map/ })).toHaveCount(2);
    await d.getByLabel('Step size').selectOption({ label: '1 s' });
    await d.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(d.getByTestId('compare.time')).toHaveAttribute('data-us', '1000000');
    await expectNumbersOf(page, (await compareOf(page))!);
    expect(errors).toEqual([]);
  });

  test('a bad #compare= link says what is wrong and opens no comparison', async ({ page }) => {
    await openLab(page, './#compare=lesson-host-4k.json,nope.json');
    await expect(page.getByTestId('notice')).toContainText(
      'compare=: the right scenario "nope.json" is not one of the bundled scenarios',
    );
    await expect(dialog(page)).toHaveCount(0);
    expect(await compareOf(page)).toBeNull();
    // A good link pasted into the open page opens there.
    await page.evaluate(() => {
      location.hash = '#compare=lesson-host-4k.json,lesson-host-2m.json';
    });
    await expect(dialog(page)).toHaveAccessibleName(
      'Compare: lesson: 4 KiB host pages and lesson: 2048 KiB host pages',
    );
    await expect(page.getByTestId('notice')).toHaveCount(0);
  });

  test('the comparison and its picker have no serious or critical accessibility violations', async ({
    page,
  }) => {
    await openLab(page, './#compare=lesson-oom-deflate.json,lesson-oom-killer.json');
    const d = dialog(page);
    await d.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(d.getByTestId('compare.time')).toHaveAttribute('data-us', '10000');
    expect(serious(await new AxeBuilder({ page }).include('.compare-dialog').analyze())).toEqual([]);
    await d.getByRole('button', { name: 'Other scenarios…' }).click();
    await expect(page.getByRole('dialog', { name: 'Compare two scenarios' })).toBeVisible();
    expect(serious(await new AxeBuilder({ page }).include('.compare-picker').analyze())).toEqual([]);
  });
});

const serious = seriousViolations;
