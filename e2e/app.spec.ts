// The app, driven through its UI like a student or teacher would, and through window.balloonLab.
import AxeBuilder from '@axe-core/playwright';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { DEFAULT_FILE, openLab, openTab, pickScenario, seriousViolations, withHook } from './lab-page.ts';

const ready = openLab;
const pick = pickScenario;
const hook = withHook;

test('window.balloonLab runs the default scenario and reports the summary', async ({ page }) => {
  const errors = await ready(page);
  expect(await hook(page, (h) => h.runUntil(7.5))).toBeCloseTo(7.5);
  const s = await hook(page, (h) => h.summary()!);
  expect(s.actual).toBe(32768);
  expect(s.query_balloon_actual_bytes).toBe(128 * 1048576);
  expect(
    await hook(
      page,
      (h) =>
        h
          .trace()
          .split('\n')
          .filter((l) => l.includes('virtqueue_pop vq 0x1000')).length,
    ),
  ).toBe(128);
  await expect(page.getByTestId('host.actual')).toHaveText('32,768 pages');
  expect(errors).toEqual([]);
});

test('Play, Pause, Step, Step back and Reset move the cursor', async ({ page }) => {
  await ready(page);
  const time = page.getByTestId('transport.time');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(time).toContainText('step 2');
  await page.getByRole('button', { name: 'Step back' }).click();
  await expect(time).toContainText('step 1');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(time).not.toContainText('0.000000 s /');
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(time).toContainText('step 0');
  // keys: Space plays and pauses, arrows step without scrolling the page
  await page.keyboard.press('ArrowRight');
  await expect(time).toContainText('step 1');
  await page.keyboard.press('ArrowLeft');
  await expect(time).toContainText('step 0');
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
});

test('the host panel sets the balloon target and the guest gives the memory', async ({ page }) => {
  await ready(page);
  await page.getByTestId('host.target').fill('192');
  await page.getByTestId('host.apply').click();
  await hook(page, (h) => h.runUntil(1.5));
  await expect(page.getByTestId('host.query')).toHaveText('192 MiB');
  await expect(page.getByTestId('guest.balloon')).toHaveText('64.0 MiB');
  // A size QEMU refuses: its words under the field, the field marked, nothing changed.
  const field = page.getByTestId('host.target');
  await field.fill('-3');
  await page.getByTestId('host.apply').click();
  await expect(page.getByTestId('host.target-msg')).toContainText("Parameter 'target' expects a size");
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('host.query')).toHaveText('192 MiB');
  // 0 turns stats polling off, and the panel says so instead of going quiet.
  const polling = page.getByLabel('Stats polling (s)');
  await polling.fill('0');
  await polling.press('Enter');
  await expect(page.getByTestId('host.interval-msg')).toContainText('Polling is off');
  await hook(page, (h) => h.runUntil(1.6)); // the action runs as the clock moves on
  await expect(polling).toHaveAttribute('placeholder', 'off');
});

test('a fractional target runs: the device rounds num_pages down, and the page shows what the run says', async ({
  page,
}) => {
  await ready(page);
  await page.getByTestId('host.target').fill('12.7');
  await page.getByTestId('host.apply').click();
  await expect(page.getByTestId('host.target-msg')).toContainText('rounds the balloon down');
  await page.getByRole('button', { name: 'Play' }).click();
  // The clock moves (it froze here before): the run reaches its end and stops by itself.
  await page.keyboard.press('5');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible({ timeout: 30_000 });
  // QMP carried whole bytes (12.7 MiB = 13,316,915.2 B, rounded down), and the run went on to its end.
  expect(await hook(page, (h) => h.trace())).toContain('balloon_event opaque 0x1 addr 13316915\n');
  const s = await hook(page, (h) => h.summary());
  await expect(page.getByTestId('host.query')).toHaveText(
    `${((s?.query_balloon_actual_bytes ?? 0) / 1048576).toFixed(0)} MiB`,
  );
});

test('picking "out of puff" shows the driver retrying in dmesg', async ({ page }) => {
  await ready(page);
  await pick(page, 'out of puff');
  await hook(page, (h) => h.runUntil(5));
  await expect(page.getByTestId('guest.dmesg')).toContainText("Out of puff! Can't get 1 pages");
});

test('a fault scenario shows DEVICE_NEEDS_RESET loudly', async ({ page }) => {
  await ready(page);
  await pick(page, 'fault: loop');
  await hook(page, (h) => h.runUntil(4));
  await expect(page.getByTestId('host.needs-reset')).toContainText('Looped descriptor');
});

test('a share link reopens the exact moment', async ({ page, context }) => {
  await ready(page);
  await pick(page, 'deflate on OOM');
  await hook(page, (h) => h.runUntil(4.2));
  // Read the clock once it shows the moment (the page renders after runUntil returns).
  await expect(page.getByTestId('transport.time')).toContainText('4.200000 s /');
  const step = await page.getByTestId('transport.time').textContent();
  await page.getByRole('button', { name: 'Share link' }).click();
  await expect(page.getByTestId('notice')).toContainText('The link to this exact moment');
  const url = page.url();
  expect(url).toMatch(/#v=2&scenario=deflate-on-oom\.json&seed=\d+&e=\d+/);
  const other = await context.newPage();
  await ready(other, url);
  await expect(other.getByTestId('transport.time')).toHaveText(step ?? '');
  await expect(other.getByLabel('Scenario')).toHaveValue('deflate-on-oom.json');
});

test('a bad link gives a clear message and the default scenario, never a blank page', async ({ page }) => {
  await ready(page, './#v=1&scenario=nope.json&e=3');
  await expect(page.getByTestId('notice')).toContainText(
    'scenario "nope.json" is not one of the bundled scenarios',
  );
  await expect(page.getByLabel('Scenario')).toHaveValue(DEFAULT_FILE);
  await page.goto('./#v=1&custom=@@@');
  await page.reload();
  await expect(page.getByTestId('notice')).toContainText('could not be opened');
});

test('a bad scenario file is refused with the field named, and nothing changes', async ({ page }) => {
  await ready(page);
  await page.getByTestId('file.scenario').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(
      JSON.stringify({
        version: 1,
        name: 'x',
        guest: { memoryMiB: 256 },
        steps: [{ at: 1, do: 'balloon', MiB: -5 }],
      }),
    ),
  });
  await expect(page.getByTestId('notice')).toContainText('steps[0].MiB');
  await expect(page.getByLabel('Scenario')).toHaveValue('inflate-deflate.json');
  await page
    .getByTestId('file.scenario')
    .setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{ not json') });
  await expect(page.getByTestId('notice')).toContainText('x.json is not a valid scenario');
});

// Axe region by region: each check stays small (the whole page at once took 18.5 s on 2 cores), and a
// failure names the region. The page-wide rules (landmarks, headings, ids) run once on their own.
const REGIONS = [
  '.app-header',
  '.controls',
  '.panel.host',
  '.panel.map',
  '.panel.guest',
  '.panel.rings',
  '.panel.driver',
  '.panel.stats',
];
const PAGE_RULES = ['landmark-one-main', 'page-has-heading-one', 'region', 'duplicate-id-aria', 'bypass'];

const serious = seriousViolations;

test.describe('accessibility', () => {
  // One page, mid-inflate (every region has something to show), checked region by region.
  let context: BrowserContext;
  let page: Page;
  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext();
    page = await context.newPage();
    await ready(page);
    await hook(page, (h) => h.runUntil(2.5));
    await expect(page.getByTestId('transport.time')).toContainText('2.500000 s /');
  });
  test.afterAll(() => context.close());

  for (const region of REGIONS) {
    test(`no serious or critical violations in ${region}`, async () => {
      await expect(page.locator(region)).toHaveCount(1);
      expect(serious(await new AxeBuilder({ page }).include(region).analyze())).toEqual([]);
    });
  }

  test('no serious or critical violations of the page-wide rules', async () => {
    expect(serious(await new AxeBuilder({ page }).withRules(PAGE_RULES).analyze())).toEqual([]);
  });
});

test('a real QEMU trace replays: 16 inflate buffers, then 16 deflate buffers', async ({ page }) => {
  await ready(page);
  // The real trace (a copy of ../shared/fixtures/qemu-inflate.trace, which lesson 11 replays too).
  const fixture = new URL('../public/traces/qemu-inflate.trace', import.meta.url).pathname;
  await page.getByTestId('file.trace').setInputFiles(fixture);
  await expect(page.getByRole('heading', { name: 'Replaying a QEMU trace' })).toBeVisible();
  // No simulated host to set: the host's panel says where the trace's numbers are.
  await expect(page.getByTestId('host.trace')).toContainText('in the Trace tab');
  await hook(page, (h) => h.runUntil(5));
  await expect(page.getByTestId('trace.actual')).toHaveText('4,096 pages');
  await expect(page.getByTestId('trace.batches')).toHaveText('16 of 32');
  await hook(page, (h) => h.runUntil(30));
  await expect(page.getByTestId('trace.actual')).toHaveText('0 pages');
  await expect(page.getByTestId('trace.batches')).toHaveText('32 of 32');
  await page
    .getByTestId('file.trace')
    .setInputFiles({ name: 'bad.trace', mimeType: 'text/plain', buffer: Buffer.from('what is this\n') });
  await expect(page.getByTestId('notice')).toContainText('bad.trace: This trace cannot be read: line 1');
});

test('the plots show target, actual and the host RSS over virtual time', async ({ page }) => {
  await ready(page);
  await hook(page, (h) => h.runUntil(10));
  await openTab(page, 'Plots');
  const balloon = page.getByRole('img', { name: /The balloon: the host’s target and the guest’s actual/ });
  await expect(balloon).toBeVisible();
  await expect(balloon.locator('canvas')).toHaveCount(1);
  await expect(
    page.getByRole('img', { name: /host RSS, MemFree, MemAvailable, Cached over time/ }),
  ).toBeVisible();
});
