import { expect, type Locator, type Page, test } from '@playwright/test';
import { layoutPanes, type ViewMode } from '../src/app/memmap/camera.ts';
import { type MapView, parseHex, statesOf, type Theme } from '../src/app/memmap/palette.ts';
import type { Pfn } from '../src/core/units.ts';

/** The map region; "exact" because the demo's section has a name that contains the words too. */
const mapRegion = (page: Page) => page.getByRole('region', { name: 'Memory map', exact: true });

async function openMap(page: Page, query = ''): Promise<Locator> {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`./?demo=memmap${query.replace(/^\?/, '&')}`);
  const map = mapRegion(page);
  await expect(map).toHaveAttribute('data-ready', 'true');
  // Captions and address labels are drawn on a canvas once the web fonts are in.
  await page.evaluate(() => document.fonts.ready);
  expect(errors).toEqual([]);
  return map;
}

/**
 * How many pixels of a screenshot have exactly each state's fill colour (patterns take the rest), per
 * state key. Decoded in the page, which has a PNG decoder.
 */
async function fillPixels(
  page: Page,
  png: Buffer,
  view: MapView,
  theme: Theme,
): Promise<Record<string, number>> {
  const fills = statesOf(view).map((s) => ({ key: s.key, rgb: parseHex(s.fill[theme]) }));
  return page.evaluate(
    async ({ data, fills }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${data}`;
      await img.decode();
      const c = new OffscreenCanvas(img.width, img.height);
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, img.width, img.height).data;
      const counts: Record<string, number> = {};
      for (const f of fills) counts[f.key] = 0;
      for (let i = 0; i < px.length; i += 4) {
        for (const f of fills) {
          if (px[i] === f.rgb[0] && px[i + 1] === f.rgb[1] && px[i + 2] === f.rgb[2]) counts[f.key]++;
        }
      }
      return counts;
    },
    { data: png.toString('base64'), fills },
  );
}

/** The panes of the map as laid out for the region's size (the same function the map uses). */
async function panes(map: Locator, mode: ViewMode) {
  const box = (await map.boundingBox())!;
  return { box, panes: layoutPanes(mode, { width: box.width, height: box.height }) };
}

test.describe('memory map', () => {
  test('draws both views of the 16 GiB guest in the palette’s colours', async ({ page }) => {
    const map = await openMap(page);
    await expect(map).toHaveAttribute('data-renderer', 'webgl2');
    const {
      box,
      panes: [guest, host],
    } = await panes(map, 'split');
    const shot = (p: typeof guest) =>
      page.screenshot({ clip: { x: box.x + p.x, y: box.y + p.y, width: p.width, height: p.height } });
    const g = await fillPixels(page, await shot(guest), 'guest', 'light');
    const h = await fillPixels(page, await shot(host), 'host', 'light');
    // The big regions of the demo picture: each fills thousands of pixels.
    for (const key of ['free', 'anon', 'file', 'shmem', 'balloon']) expect(g[key], key).toBeGreaterThan(2000);
    for (const key of ['untouched', 'resident', 'discarded']) expect(h[key], key).toBeGreaterThan(2000);
    // The small ones (1 MiB batches, 16 frames) still reach the screen zoomed out.
    for (const key of ['inflating', 'deflating']) expect(g[key], key).toBeGreaterThan(0);
    expect(h.wanted).toBeGreaterThan(0);
  });

  test('hovering a cell shows its PFN, address and both states', async ({ page }) => {
    const map = await openMap(page);
    const {
      box,
      panes: [guest],
    } = await panes(map, 'split');
    // Three quarters down the map: inside the balloon (8.25 to 13.75 GiB of 16).
    await page.mouse.move(box.x + guest.x + guest.width / 2, box.y + guest.y + guest.height * 0.7);
    const tip = page.getByTestId('memmap.tooltip');
    await expect(tip).toBeVisible();
    const pfn = Number(await map.getAttribute('data-hover'));
    expect(pfn).toBeGreaterThan(8.25 * 262144);
    expect(pfn).toBeLessThan(13.75 * 262144);
    await expect(tip).toContainText(`PFN${pfn.toLocaleString('en')} (0x${pfn.toString(16)})`);
    await expect(tip).toContainText('GuestBalloon');
    await expect(tip).toContainText('HostDiscarded');
    await expect(page.getByTestId('memmap.inspector')).toContainText(`PFN ${pfn.toLocaleString('en')}`);
    await page.mouse.move(box.x + 2, box.y + 2); // the gutter: no cell
    await expect(tip).toBeHidden();
  });

  test('keyboard focus moves a cursor cell and describes it to screen readers', async ({ page }) => {
    const map = await openMap(page);
    await map.focus();
    await expect(map).toBeFocused();
    const scrolled = await page.evaluate(() => window.scrollY); // focus() brings the map into view
    const live = page.getByTestId('memmap.live');
    await expect(live).toHaveAttribute('aria-live', 'polite');
    await expect(live).toContainText('PFN 0 (0x0), guest-physical address 0x0: Kernel');
    for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await expect(map).toHaveAttribute('data-cursor', String(2048 + 3));
    await expect(live).toContainText('PFN 2,051 (0x803), guest-physical address 0x80_3000: Kernel');
    await page.keyboard.press('End');
    await expect(map).toHaveAttribute('data-cursor', String(2 * 2048 - 1));
    await page.keyboard.press('Control+End');
    await expect(map).toHaveAttribute('data-cursor', '4194303');
    await expect(live).toContainText('PFN 4,194,303 (0x3fffff), guest-physical address 0x3_ffff_f000: Free');
    await expect(live).toContainText('host backing: Untouched');
    // The page did not scroll: the map took the keys.
    expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('demo.selected')).toHaveText('Selected PFN 0.');
  });

  test('zooms with + and the wheel, and fits again with 0', async ({ page }) => {
    const map = await openMap(page);
    await map.focus(); // first: focusing scrolls the page
    const {
      box,
      panes: [guest],
    } = await panes(map, 'split');
    const at = { x: box.x + guest.x + guest.width / 2, y: box.y + guest.y + guest.height / 2 };
    const hoverPfn = async () => {
      await page.mouse.move(at.x, at.y + 1);
      await page.mouse.move(at.x, at.y);
      return Number(await map.getAttribute('data-hover'));
    };
    const fitted = await hoverPfn();
    await page.mouse.wheel(0, -600); // zoom in about the pointer: the cell under it stays
    const zoomed = await hoverPfn();
    expect(Math.abs(zoomed - fitted)).toBeLessThan(2048 * 8);
    await page.keyboard.press('0');
    expect(await hoverPfn()).toBe(fitted);
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    const labels = await map.screenshot();
    await page.keyboard.press('0');
    expect(labels.equals(await map.screenshot())).toBe(false);
  });

  for (const renderer of ['webgl2', 'canvas2d'] as const) {
    test(`${renderer}: changed frames show at once, and redrawing only them matches a full redraw`, async ({
      page,
    }) => {
      const map = await openMap(page, `?renderer=${renderer}`);
      const {
        box,
        panes: [guest],
      } = await panes(map, 'split');
      const clip = { x: box.x + guest.x, y: box.y + guest.y, width: guest.width, height: guest.height };
      const before = await fillPixels(page, await page.screenshot({ clip }), 'guest', 'light');
      // A balloon moving through free memory (4 to 5 GiB), a batch per animation frame.
      await page.evaluate(async () => {
        const { core } = window.balloonLabDemo!;
        for (let k = 0; k < 64; k++) {
          await new Promise(requestAnimationFrame);
          core.setFrames((4 * 262144 + k * 4096) as Pfn, 4096, 5);
          if (k % 3 === 0) core.setFrames((4 * 262144 + k * 4096 + 512) as Pfn, 7, 6);
        }
        await new Promise(requestAnimationFrame);
        await new Promise(requestAnimationFrame);
      });
      const partial = await page.screenshot({ clip });
      const after = await fillPixels(page, partial, 'guest', 'light');
      expect(after.balloon).toBeGreaterThan(before.balloon + 2000);
      expect(after.free).toBeLessThan(before.free);
      // Fit again: the camera "moves", so everything is drawn afresh.
      await page.getByRole('button', { name: 'Fit' }).click();
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect(Buffer.compare(partial, await page.screenshot({ clip }))).toBe(0);
    });
  }

  test('clicking a cell selects it', async ({ page }) => {
    const map = await openMap(page);
    const {
      box,
      panes: [, host],
    } = await panes(map, 'split');
    await page.mouse.click(box.x + host.x + host.width / 2, box.y + host.y + host.height / 2);
    await expect(page.getByTestId('demo.selected')).toHaveText(/^Selected PFN \d+\.$/);
    await expect(map).toHaveAttribute('data-cursor', /^\d+$/);
  });

  test('shows one view at a time, with its legend', async ({ page }) => {
    const map = await openMap(page);
    await page.getByText("Host's view", { exact: true }).click();
    await expect(page.getByTestId('memmap.legend.guest')).toHaveCount(0);
    await expect(page.getByTestId('memmap.legend.host.discarded')).toContainText('Discarded');
    const {
      box,
      panes: [only],
    } = await panes(map, 'host');
    const h = await fillPixels(
      page,
      await page.screenshot({
        clip: { x: box.x + only.x, y: box.y + only.y, width: only.width, height: only.height },
      }),
      'host',
      'light',
    );
    expect(h.discarded).toBeGreaterThan(5000);
  });

  test('the legend gives every state a swatch, a name and a count', async ({ page }) => {
    await openMap(page);
    for (const view of ['guest', 'host'] as const) {
      for (const s of statesOf(view)) {
        const item = page.getByTestId(`memmap.legend.${view}.${s.key}`);
        await expect(item).toContainText(s.label);
        await expect(item).toContainText(/frames? · /);
        await expect(item.locator('svg pattern path')).toHaveCount(1);
      }
    }
    await expect(page.getByTestId('memmap.legend.guest.virtio')).toContainText('16 frames · 64 KiB');
  });

  test('falls back to Canvas2D where WebGL2 is missing, and still draws every view', async ({ page }) => {
    const map = await openMap(page, '?renderer=canvas2d');
    await expect(map).toHaveAttribute('data-renderer', 'canvas2d');
    const {
      box,
      panes: [guest, host],
    } = await panes(map, 'split');
    const shot = (p: typeof guest) =>
      page.screenshot({ clip: { x: box.x + p.x, y: box.y + p.y, width: p.width, height: p.height } });
    const g = await fillPixels(page, await shot(guest), 'guest', 'light');
    const h = await fillPixels(page, await shot(host), 'host', 'light');
    for (const key of ['free', 'anon', 'file', 'balloon']) expect(g[key], key).toBeGreaterThan(2000);
    for (const key of ['resident', 'discarded']) expect(h[key], key).toBeGreaterThan(2000);
  });

  test('fits a phone: the views stack and nothing overflows', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const map = await openMap(page);
    const { box, panes: p } = await panes(map, 'split');
    expect(p[1].y).toBeGreaterThan(p[0].y + p[0].height);
    expect(box.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`looks as it should in the ${theme} theme`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: theme });
      await openMap(page);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await expect(page.getByTestId('memmap')).toHaveScreenshot(`memory-map-${theme}.png`);
      await expect(page.locator('.demo-legends')).toHaveScreenshot(`legend-${theme}.png`);
    });
  }
});
