// A descriptor's PFNs, highlighted on the memory map: select it in the virtqueue inspector, and the
// map outlines the frames it carried, says so to screen readers, and lets go on Escape or a button.
import { expect, type Locator, type Page, test } from '@playwright/test';
import { fitCamera, layoutPanes } from '../src/app/memmap/camera.ts';
import { mapLayout } from '../src/app/memmap/layout.ts';
import { openLab, openTab, pickScenario } from './lab-page.ts';

const mapRegion = (page: Page) => page.getByRole('region', { name: 'Memory map', exact: true });
const status = (page: Page) => page.getByTestId('map.highlight');
/** After two animation frames the map has drawn what the simulation holds. */
const nextFrames = (page: Page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** The descriptor rows of a queue that belong to a buffer (not free), as their select buttons. */
const busyDescriptors = (page: Page, queue: string) =>
  page.getByTestId(`vqi.${queue}.desc`).locator('tr:not([data-phase="free"]) button[data-row]');

/** The PFNs the inspector lists for the selected descriptor. */
async function listedPfns(page: Page): Promise<number[]> {
  const items = await page.getByRole('list', { name: 'PFNs in the buffer' }).locator('li').allTextContents();
  return items.map((t) => Number.parseInt(t.replace(/_/g, '').replace(/\s.*$/, ''), 16));
}

/**
 * Rows of the page (CSS pixels) where two screenshots of `el` differ: the first and the last. Only
 * whole rows of the element count (a fractional height shows a sliver of what lies below).
 */
async function changedRows(page: Page, el: Locator, a: Buffer, b: Buffer): Promise<[number, number] | null> {
  const box = (await el.boundingBox())!;
  const rows = await page.evaluate(
    async ([x, y, height]) => {
      const decode = async (data: string) => {
        const img = new Image();
        img.src = `data:image/png;base64,${data}`;
        await img.decode();
        const c = new OffscreenCanvas(img.width, img.height);
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        return { w: img.width, h: img.height, px: ctx.getImageData(0, 0, img.width, img.height).data };
      };
      const [p, q] = await Promise.all([decode(x), decode(y)]);
      let first = -1;
      let last = -1;
      for (let r = 0; r < Math.min(p.h, height); r++) {
        for (let i = r * p.w * 4; i < (r + 1) * p.w * 4; i++) {
          if (p.px[i] !== q.px[i]) {
            if (first < 0) first = r;
            last = r;
            break;
          }
        }
      }
      return first < 0 ? null : ([first, last] as [number, number]);
    },
    [a.toString('base64'), b.toString('base64'), Math.floor(box.height)] as const,
  );
  return rows ? [box.y + rows[0], box.y + rows[1]] : null;
}

test('selecting a descriptor outlines its PFNs on the map, and Escape or the button lets go', async ({
  page,
}) => {
  const errors = await openLab(page);
  await openTab(page, 'Rings');
  const map = mapRegion(page);
  await expect(map).toHaveAttribute('data-ready', 'true');
  // Mid-inflate: a 256-PFN buffer is on the inflate queue.
  await page.getByRole('slider', { name: 'Timeline' }).fill('2050000');
  await expect(page.getByTestId('transport.time')).toContainText('2.050000 s /');
  await expect(map).toHaveAttribute('data-highlight', '0');
  await expect(status(page)).toHaveText(/^Nothing highlighted/);
  await page.evaluate(() => document.fonts.ready);
  await nextFrames(page);
  const before = await map.screenshot();

  const desc = busyDescriptors(page, 'inflate').first();
  const index = await desc.textContent();
  await desc.click();
  await expect(desc).toHaveAttribute('aria-pressed', 'true');
  const pfns = await listedPfns(page);
  expect(pfns).toHaveLength(256);
  const lo = Math.min(...pfns);
  const hi = Math.max(...pfns);
  const hex = (n: number) => `0x${n.toString(16)}`;
  await expect(status(page)).toHaveText(
    `Descriptor ${index} of the inflate queue: 256 PFNs highlighted, ${hex(lo)} – ${hex(hi)}, outlined on the map.`,
  );
  await expect(status(page)).toHaveAttribute('role', 'status');
  await expect(map).toHaveAttribute('data-highlight', '256');

  // The outline is drawn where those frames are: around their rows, in both views.
  await nextFrames(page);
  const after = await map.screenshot();
  const box = (await map.boundingBox())!;
  const layout = mapLayout(256 * 256);
  const panes = layoutPanes('split', { width: box.width, height: box.height });
  const cam = fitCamera(layout, panes[0]);
  const rowY = (p: (typeof panes)[number], pfn: number) =>
    box.y + p.y + (Math.floor(pfn / layout.cols) - cam.y) * cam.scale;
  const changed = await changedRows(page, map, before, after);
  expect(changed).not.toBeNull();
  const [top, bottom] = changed!;
  const wide = panes.length === 2 && panes[1].y === panes[0].y;
  const lowest = wide ? panes[0] : panes[1];
  expect(top).toBeGreaterThanOrEqual(rowY(panes[0], lo) - 8);
  expect(bottom).toBeLessThanOrEqual(rowY(lowest, hi) + cam.scale + 8);

  // Escape lets go of the descriptor and the highlight.
  await page.keyboard.press('Escape');
  await expect(map).toHaveAttribute('data-highlight', '0');
  await expect(status(page)).toHaveText(/^Nothing highlighted/);
  await expect(desc).toHaveAttribute('aria-pressed', 'false');

  // So does the button, and the highlight follows the descriptor while stepping.
  await desc.click();
  await expect(map).toHaveAttribute('data-highlight', '256');
  // Escape in the keys dialog closes the dialog only.
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toContainText('Esc');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();
  await expect(map).toHaveAttribute('data-highlight', '256');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(desc).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Clear highlight' }).click();
  await expect(map).toHaveAttribute('data-highlight', '0');
  await expect(page.getByRole('button', { name: 'Clear highlight' })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a PFN past the end of RAM is left off the map, and said so', async ({ page }) => {
  await openLab(page);
  await pickScenario(page, 'fault: bad-pfn');
  await openTab(page, 'Rings');
  await page.getByRole('slider', { name: 'Timeline' }).fill('3000000');
  // Step until the driver has put the buffer with the clobbered PFN on the inflate queue.
  const busy = busyDescriptors(page, 'inflate');
  for (let k = 0; k < 40 && (await busy.count()) === 0; k++) {
    await page.getByRole('button', { name: 'Step', exact: true }).click();
  }
  await busy.first().click();
  await expect(status(page)).toContainText('255 PFNs highlighted');
  await expect(status(page)).toContainText('1 past the end of RAM, not on the map');
  await expect(mapRegion(page)).toHaveAttribute('data-highlight', '255');
});

test('a new scenario starts with nothing highlighted', async ({ page }) => {
  await openLab(page);
  await openTab(page, 'Rings');
  await page.getByRole('slider', { name: 'Timeline' }).fill('2050000');
  await busyDescriptors(page, 'inflate').first().click();
  await expect(mapRegion(page)).toHaveAttribute('data-highlight', '256');
  await pickScenario(page, 'deflate on OOM');
  await expect(mapRegion(page)).toHaveAttribute('data-highlight', '0');
  await expect(status(page)).toHaveText(/^Nothing highlighted/);
});

test('keys the map or the inspector take for themselves do not also step the simulation', async ({
  page,
}) => {
  await openLab(page);
  const time = page.getByTestId('transport.time');
  await expect(time).toContainText('step 0');
  const map = mapRegion(page);
  await map.focus();
  await page.keyboard.press('ArrowRight');
  await expect(map).toHaveAttribute('data-cursor', '1');
  await openTab(page, 'Rings');
  await page.getByRole('tab', { name: /inflate/ }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: /deflate/ })).toBeFocused();
  await expect(time).toContainText('step 0');
  // Elsewhere the arrows step, as the keys list says.
  await page.getByRole('heading', { name: 'Balloon Lab' }).click();
  await page.keyboard.press('ArrowRight');
  await expect(time).toContainText('step 1');
});
