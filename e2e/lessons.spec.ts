// The lessons, taken as a student takes them: from the first screen, stop by stop with Next, each
// stop's highlight on the page and each number its prose quotes equal to the simulation's own
// (summary()); the deep link round trip; a broken lesson file refused with a message; progress kept.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';

interface Summary {
  time_s: number;
  num_pages: number;
  actual: number;
  driver_num_pages: number;
  target_bytes: number | null;
  guest: { MemTotal: number; MemFree: number; MemAvailable: number };
  host: { rss_bytes: number; page_bytes: number };
  device: { needs_reset: boolean };
  errors: { message: string }[];
  stats: { stats: Record<string, number> };
  counters: Record<string, number>;
}

interface Hook {
  summary(): Summary | null;
  lessons(): Promise<{ id: string; title: string; stops: number }[]>;
  lesson(): { id: string; stop: number; stops: number; arrived: boolean } | null;
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
const statMiB = (s: Summary, tag: string) => {
  const v = s.stats.stats[tag] ?? -1;
  return v < 0 ? -1 : mib(v);
};

/**
 * The measures a lesson's prose quotes, read from summary() (and, for a change since the previous
 * stop, from that stop's summary). Measures summary() does not carry are not checked here; the
 * engine's unit tests (src/lessons) hold them.
 */
function fromSummary(name: string, s: Summary, previous: Summary | null): number | string | undefined {
  switch (name) {
    case 'actual':
      return s.actual;
    case 'actualMiB':
      return mib(s.actual * 4096);
    case 'numPages':
      return s.num_pages;
    case 'numPagesMiB':
      return mib(s.num_pages * 4096);
    case 'gapPages':
      return s.num_pages - s.actual;
    case 'balloonPages':
      return s.driver_num_pages;
    case 'hostRssMiB':
      return mib(s.host.rss_bytes);
    case 'rssChangeMiB':
      return previous ? mib(s.host.rss_bytes - previous.host.rss_bytes) : undefined;
    case 'memTotalMiB':
      return mib(s.guest.MemTotal);
    case 'memFreeMiB':
      return mib(s.guest.MemFree);
    case 'memAvailableMiB':
      return mib(s.guest.MemAvailable);
    case 'statFreeMiB':
      return statMiB(s, 'stat-free-memory');
    case 'statAvailableMiB':
      return statMiB(s, 'stat-available-memory');
    case 'statCachesMiB':
      return statMiB(s, 'stat-disk-caches');
    case 'statTotalMiB':
      return statMiB(s, 'stat-total-memory');
    case 'migrations':
      return s.counters.balloon_migrate;
    case 'oomKills':
      return s.counters.oom_kills;
    case 'outOfPuff':
      return s.counters.outOfPuff;
    case 'deviceErrors':
      return s.errors.length;
    case 'errorMessage':
      return s.errors.at(-1)?.message ?? '';
    case 'needsReset':
      return s.device.needs_reset ? 1 : 0;
    case 'timeS':
      return Math.round(s.time_s * 1000) / 1000;
    default:
      return undefined;
  }
}

const lessonNow = (page: Page) =>
  page.evaluate(() => (window as unknown as { balloonLab: Hook }).balloonLab.lesson());
const summaryNow = (page: Page) =>
  page.evaluate(() => (window as unknown as { balloonLab: Hook }).balloonLab.summary());

async function arrived(page: Page, stop: number) {
  await expect(page.getByRole('region', { name: 'Lesson', exact: true })).toHaveAttribute(
    'data-stop',
    String(stop),
  );
  await expect.poll(async () => (await lessonNow(page))?.arrived).toBe(true);
  await expect(page.getByTestId('lesson.prose')).toBeVisible();
}

/** The first lesson mark of each open tab that is out of sight: past the window or scrolled away. */
function hiddenMarks(): string[] {
  const out: string[] = [];
  for (const panel of document.querySelectorAll('.tabpanel:not([hidden])')) {
    const mark = panel.querySelector('[data-lesson-mark]');
    if (!mark) continue;
    const r = mark.getBoundingClientRect();
    const what = `${mark.tagName.toLowerCase()} in ${panel.id}`;
    if (r.top < 0 || r.bottom > innerHeight) out.push(`${what} at ${Math.round(r.top)} px`);
    for (let a = mark.parentElement; a && a !== document.body; a = a.parentElement) {
      const { overflowY } = getComputedStyle(a);
      if (overflowY !== 'auto' && overflowY !== 'scroll') continue;
      const box = a.getBoundingClientRect();
      if (r.bottom <= box.top || r.top >= box.bottom) out.push(`${what} scrolled out of .${a.className}`);
    }
  }
  return out;
}

type Summaries = Record<'main' | 'left' | 'right', Summary | null>;

/** The lab's summary, or a compare lesson's two runs' (compare()). */
async function summariesNow(page: Page): Promise<Summaries> {
  return page.evaluate(() => {
    const lab = (
      window as unknown as {
        balloonLab: { summary(): unknown; compare(): { left: unknown; right: unknown } | null };
      }
    ).balloonLab;
    const c = lab.compare();
    return { main: lab.summary(), left: c?.left ?? null, right: c?.right ?? null } as Summaries;
  });
}

/** A measure as the trace panel shows it ("8,192 pages"; "32 MiB, num_pages 8,192"), or undefined. */
async function fromTracePanel(page: Page, name: string): Promise<number | undefined> {
  const num = (text: string) => Number(text.replaceAll(',', ''));
  const actualText = (await page.getByTestId('trace.actual').textContent()) ?? '';
  const actual = num(/^([\d,]+) pages$/.exec(actualText.trim())?.[1] ?? 'NaN');
  const targetText = (await page.getByTestId('trace.target').textContent()) ?? '';
  // Before the trace's first target the panel says "none yet": num_pages is still 0.
  const numPages =
    targetText.trim() === 'none yet' ? 0 : num(/num_pages ([\d,]+)/.exec(targetText)?.[1] ?? 'NaN');
  switch (name) {
    case 'actual':
      return actual;
    case 'numPages':
      return numPages;
    case 'gapPages':
      return numPages - actual;
    case 'actualMiB':
      return Math.round(((actual * 4096) / 1048576) * 10) / 10;
    default:
      return undefined;
  }
}

/** Checks the prose's numbers against the runs' summaries; returns how many it could check. */
async function checkNumbers(
  page: Page,
  previous: Summaries | null,
): Promise<{ checked: number; summaries: Summaries }> {
  const summaries = await summariesNow(page);
  const quoted = await page
    .getByTestId('lesson.prose')
    .locator('[data-measure]')
    .evaluateAll((els) =>
      els.map((e) => ({
        name: e.getAttribute('data-measure') ?? '',
        side: (e.getAttribute('data-side') ?? 'main') as 'main' | 'left' | 'right',
        value: e.getAttribute('data-value') ?? '',
      })),
    );
  let checked = 0;
  for (const q of quoted) {
    const s = summaries[q.side];
    // A replayed trace (lesson a-real-vm) has no summary(): the prose is held against the trace
    // panel, which reads the replay its own way (src/lessons/bundled.test.ts checks both against the
    // replay itself).
    if (!s && q.side === 'main' && (await page.getByTestId('trace.actual').count()) > 0) {
      const want = await fromTracePanel(page, q.name);
      if (want === undefined) continue;
      expect(q.value, `trace: ${q.name} in the prose`).toBe(String(want));
      checked++;
      continue;
    }
    if (!s) throw new Error(`no summary of the ${q.side} run`);
    const want = fromSummary(q.name, s, previous?.[q.side] ?? null);
    if (want === undefined) continue;
    expect(q.value, `${q.side}.${q.name} in the prose`).toBe(String(want));
    checked++;
  }
  return { checked, summaries };
}

test.describe('lessons', () => {
  test('the first screen explains, and opens the lessons and the lab', async ({ page }) => {
    await page.goto('./');
    await expect(page.getByRole('heading', { name: 'Why a balloon?' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Start the lessons' })).toBeVisible();
    const lessons = await page.evaluate(() =>
      (window as unknown as { balloonLab: Hook }).balloonLab.lessons(),
    );
    expect(lessons.length).toBeGreaterThanOrEqual(10);
    await expect(
      page.getByRole('heading', { name: 'Lessons' }).locator('xpath=..').getByRole('listitem'),
    ).toHaveCount(lessons.length);
    await page.getByRole('button', { name: 'Open the lab' }).click();
    await expect(page).toHaveURL(/#lab$/);
    await expect(page.getByLabel('Scenario')).toHaveValue('lesson-why-balloon.json');
    // A returning visitor who left in the lab lands in the lab; its header leads back to the lessons.
    await page.goto('./');
    await expect(page.getByLabel('Scenario')).toBeVisible();
    await expect(page.getByTestId('welcome')).toHaveCount(0);
    await page.getByRole('button', { name: 'Lessons', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Start the lessons' })).toBeVisible();
  });

  test('every lesson, stop by stop: reached, its highlights drawn, its numbers the simulation’s', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await page.goto('./');
    await page.waitForFunction(() => 'balloonLab' in window);
    const lessons = await page.evaluate(() =>
      (window as unknown as { balloonLab: Hook }).balloonLab.lessons(),
    );
    let checked = 0;
    let quotedStops = 0;
    for (const lesson of lessons) {
      await page.goto(`./#lesson=${lesson.id}&stop=1`);
      await page.reload();
      let previous: Summaries | null = null;
      for (let stop = 1; stop <= lesson.stops; stop++) {
        await arrived(page, stop);
        const compare = await page.evaluate(
          () => (window as unknown as { balloonLab: { compare(): unknown } }).balloonLab.compare() !== null,
        );
        expect(await lessonNow(page)).toMatchObject({ id: lesson.id, stop, stops: lesson.stops });
        // Each highlight kind the stop names is on the page.
        const kinds = await page.evaluate(
          async ({ id, stop }) => {
            const l = await (await fetch(`./lessons/${id}.json`)).json();
            return (l.stops[stop - 1].highlights as { on: string }[]).map((h) => h.on);
          },
          { id: lesson.id, stop },
        );
        if (kinds.includes('number')) await expect(page.locator('[data-callout]').first()).toBeVisible();
        if (kinds.includes('driver')) await expect(page.getByTestId('driver.lesson')).toBeVisible();
        if (kinds.includes('ring')) await expect(page.locator('[data-lesson-mark]').first()).toBeAttached();
        if (kinds.includes('plot'))
          await expect(page.locator('figure[data-lesson-mark]').first()).toBeAttached();
        if (kinds.includes('map')) {
          const outlined = compare
            ? page.locator('[data-testid^="compare."][data-highlight-count]').first()
            : page.getByTestId('map.highlight');
          await expect(outlined).toBeAttached();
          await expect(outlined).not.toHaveAttribute(compare ? 'data-highlight-count' : 'data-count', '0');
        }
        const r = await checkNumbers(page, previous);
        checked += r.checked;
        if (r.checked) quotedStops++;
        previous = r.summaries;
        if (stop < lesson.stops)
          await page
            .getByRole('region', { name: 'Lesson', exact: true })
            .getByRole('button', { name: 'Next', exact: true })
            .click();
      }
    }
    // Most stops quote a number the summary carries: the check above is not vacuous.
    expect(checked).toBeGreaterThan(20);
    expect(quotedStops).toBeGreaterThan(10);
  });

  test('a prediction reveals the answer and why', async ({ page }) => {
    await page.goto('./#lesson=why-a-balloon&stop=2');
    await arrived(page, 2);
    const q = page.getByTestId('lesson.question');
    await expect(page.getByTestId('lesson.reveal')).toHaveText('Choose an answer to see why.');
    await q.getByRole('button', { name: 'It fell by 150 MiB' }).click();
    await expect(page.getByTestId('lesson.reveal')).toContainText('Not quite: It stayed the same.');
    await q.getByRole('button', { name: 'It stayed the same' }).click();
    await expect(page.getByTestId('lesson.reveal')).toContainText('Right.');
  });

  test('Next and Back, the deep link round trip, and leaving into the lab at that moment', async ({
    page,
  }) => {
    await page.goto('./#lesson=one-batch&stop=2');
    await arrived(page, 2);
    const pane = page.getByRole('region', { name: 'Lesson', exact: true });
    await pane.getByRole('button', { name: 'Next', exact: true }).click();
    await arrived(page, 3);
    await expect(page).toHaveURL(/#lesson=one-batch&stop=3$/);
    const at = (await summaryNow(page))?.time_s;
    // The link reopens the same stop, at the same moment.
    await page.reload();
    await arrived(page, 3);
    expect((await summaryNow(page))?.time_s).toBe(at);
    await pane.getByRole('button', { name: 'Back', exact: true }).click();
    await arrived(page, 2);
    await pane.getByRole('button', { name: 'Explore in the lab from here' }).click();
    await expect(page.getByRole('region', { name: 'Lesson', exact: true })).toHaveCount(0);
    await expect(page).toHaveURL(/#lab$/);
    const lab = (await summaryNow(page))?.time_s;
    expect(lab).toBeLessThan(at ?? 0);
    expect(lab).toBeGreaterThan(0);
  });

  for (const [id, from] of [
    ['why-a-balloon', 2],
    ['deflate-on-oom', 1],
  ] as const) {
    test(`with motion, Next plays ${id} to stop ${from + 1} at the lesson's pace and lands exactly on it`, async ({
      page,
    }) => {
      await page.emulateMedia({ reducedMotion: 'no-preference' });
      const clock = () =>
        page.evaluate(() => {
          const h = (
            window as unknown as {
              balloonLab: { summary(): { time_s: number } | null; compare(): { us: number } | null };
            }
          ).balloonLab;
          const c = h.compare();
          return c ? c.us : Math.round((h.summary()?.time_s ?? 0) * 1e6);
        });
      // Where the stop is: reached through its link, at once.
      await page.goto(`./#lesson=${id}&stop=${from + 1}`);
      await page.reload();
      await arrived(page, from + 1);
      const there = await summariesNow(page);
      const thereUs = await clock();
      await page.goto(`./#lesson=${id}&stop=${from}`);
      await page.reload();
      await arrived(page, from);
      const start = await clock();
      const pane = page.getByRole('region', { name: 'Lesson', exact: true });
      await pane.getByRole('button', { name: 'Next', exact: true }).click();
      // On the way: the clock between the two stops, the stop not reached yet.
      await expect
        .poll(async () => {
          const [now, l] = [await clock(), await lessonNow(page)];
          return now > start && now < thereUs && l?.stop === from + 1 && !l.arrived;
        })
        .toBe(true);
      // However slowly this machine draws the frames that play it (the pace is wall-clock time).
      await expect.poll(async () => (await lessonNow(page))?.arrived, { timeout: 60_000 }).toBe(true);
      await arrived(page, from + 1);
      expect(await clock()).toBe(thereUs);
      expect(await summariesNow(page)).toEqual(there);
    });
  }

  test('a returning student lands on the stop they left', async ({ page, context }) => {
    await page.goto('./#lesson=stats-queue&stop=2');
    await arrived(page, 2);
    // A new visit, with no link: the same stop.
    const again = await context.newPage();
    await again.goto('./');
    await arrived(again, 2);
    expect(await lessonNow(again)).toMatchObject({ id: 'stats-queue', stop: 2 });
  });

  test('a bad lesson link or a broken lesson file is refused with a message naming the problem', async ({
    page,
  }) => {
    await page.goto('./#lesson=no-such-lesson&stop=1');
    await expect(page.getByTestId('notice')).toContainText('lesson "no-such-lesson" is not one of the');
    await expect(page.getByRole('button', { name: 'Start the lessons' })).toBeVisible();
    await page.route('**/lessons/compaction.json', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          version: 1,
          id: 'compaction',
          title: 'Compaction',
          summary: 's',
          scenario: 'x.json',
          stops: [],
        }),
      }),
    );
    await page.goto('./#lesson=compaction&stop=1');
    await page.reload();
    await expect(page.getByTestId('notice')).toContainText('lesson compaction.json is not valid: ');
    await expect(page.getByTestId('notice')).toContainText('stops');
  });

  test('lesson mode has no serious or critical accessibility violations', async ({ page }) => {
    await page.goto('./#lesson=one-batch&stop=3');
    await arrived(page, 3);
    const results = await new AxeBuilder({ page }).include('[data-testid="lesson"]').analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    // A first visit: no progress, no link.
    await page.evaluate(() => {
      localStorage.clear();
      location.hash = '';
    });
    await expect(page.getByTestId('welcome')).toBeVisible();
    const first = await new AxeBuilder({ page }).analyze();
    expect(
      first.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
    ).toEqual([]);
  });
  test('one screen: at 1440×900 every stop of every lesson fits, its highlights above the fold; at 390 px nothing overflows', async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('./');
    await page.waitForFunction(() => 'balloonLab' in window);
    const lessons = await page.evaluate(() =>
      (window as unknown as { balloonLab: Hook }).balloonLab.lessons(),
    );
    const heights: string[] = [];
    const pane = page.getByRole('region', { name: 'Lesson', exact: true });
    for (const lesson of lessons) {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.goto(`./#lesson=${lesson.id}&stop=1`);
      await page.reload();
      for (let stop = 1; stop <= lesson.stops; stop++) {
        if (stop > 1) await pane.getByRole('button', { name: 'Next', exact: true }).click();
        await arrived(page, stop);
        const where = `${lesson.id} stop ${stop}`;
        // What the stop needs: its prose and buttons, the playback row, the map (or the compare view's
        // maps), each callout, and each mark drawn on a panel that shows.
        const needed = [
          pane,
          page.getByRole('region', { name: 'Playback' }),
          page.getByRole('region', { name: /^Memory map/ }),
          page.locator('[data-callout]'),
          page.getByTestId('driver.lesson'),
        ];
        for (const loc of needed) {
          for (const el of await loc.all()) {
            const box = await el.boundingBox();
            if (!box) continue; // in a closed tab: not this stop's to show
            expect(box.y + box.height, `${where}: ${loc} ends below the fold`).toBeLessThanOrEqual(900);
            expect(box.y, `${where}: ${loc} starts above the page`).toBeGreaterThanOrEqual(0);
          }
        }
        // Each callout is on top where it stands: nothing (the lesson, a column's edge) covers it.
        await expect
          .poll(
            () =>
              page.evaluate(() =>
                [...document.querySelectorAll('[data-callout]')].flatMap((el) => {
                  const r = el.getBoundingClientRect();
                  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                  return hit && (el === hit || el.contains(hit)) ? [] : [el.getAttribute('data-callout')];
                }),
              ),
            { message: `${where}: callouts covered` },
          )
          .toEqual([]);
        // The first mark in each open tab is scrolled to: in the window and in every box that scrolls.
        await expect
          .poll(() => page.evaluate(hiddenMarks), { message: `${where}: marks out of sight` })
          .toEqual([]);
        const h = await page.evaluate(() => document.documentElement.scrollHeight);
        heights.push(`${lesson.id}#${stop}: ${h}px`);
        expect(h, `${where}: page height`).toBeLessThanOrEqual(900);
      }
      await page.setViewportSize({ width: 390, height: 844 });
      await expect
        .poll(() => page.evaluate(() => document.documentElement.scrollWidth), {
          message: `${lesson.id} at 390 px`,
        })
        .toBeLessThanOrEqual(390);
      await expect(pane).toBeInViewport();
    }
    test
      .info()
      .annotations.push({ type: 'page height per stop at 1440×900', description: heights.join(', ') });
  });
});
