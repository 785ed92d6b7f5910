// Seeking in the 16 GiB scenario, in Chromium (issue #9: any seek ≤ 100 ms). The scenario runs to its
// end once (the runner takes its checkpoints on the way), then:
//   - Step back (←), several times from the end: from the key press to the first frame that shows
//     the step before;
//   - seeks to times spread over the run, back and forth, through window.balloonLab.runUntil: the
//     runner's own time, and the time to the next frame;
//   - a run from the start to the end: what a step back cost when it was a replay from the start.
//
// Run it alone for numbers worth quoting: npm run bench:app (or, on the built app,
// `npx playwright test e2e/seek.bench.spec.ts`). It prints a JSON summary and attaches it to the
// report. The only assertions are that each seek lands where it should, and sanity bounds.
import { expect, test } from '@playwright/test';

const BUDGET_MS = 100;
const STEP_BACKS = 8;
const SEEKS = 16;
const END_S = 35;

interface Summary {
  n: number;
  median: number;
  p95: number;
  max: number;
}

function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  const r = (x: number | undefined) => (x === undefined ? Number.NaN : Math.round(x * 10) / 10);
  return { n: sorted.length, median: r(at(0.5)), p95: r(at(0.95)), max: r(sorted.at(-1)) };
}

type Hook = { runUntil(s: number): number; summary(): { time_s: number } | null };

test.describe('seek benchmarks', { tag: '@bench' }, () => {
  test('step back and seeks in the 16 GiB guest, after one run to its end', async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto('./#lab');
    await page.waitForFunction(() => 'balloonLab' in window);
    await page.getByLabel('Scenario').selectOption({ label: '16 GiB guest' });
    await expect(page.getByLabel('Scenario')).toHaveValue('big-guest.json');
    const time = page.getByTestId('transport.time');
    await expect(time).toHaveText('0.000000 s / 35.000000 s · step 0');
    await expect(page.getByRole('region', { name: 'Memory map', exact: true })).toHaveAttribute(
      'data-ready',
      'true',
    );

    // The whole run, in one go (what a step back at the end cost when it replayed from the start).
    const fullRunMs = await page.evaluate(async (end) => {
      const hook = (window as unknown as { balloonLab: Hook }).balloonLab;
      const t0 = performance.now();
      hook.runUntil(end);
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t0;
    }, END_S);
    await expect(time).toContainText(`${END_S}.000000 s / ${END_S}.000000 s`);

    // Step back from the end: key press to the first frame showing the new step.
    await page.evaluate(() => {
      const m = { stepBacks: [] as number[] };
      (window as unknown as { __seek: typeof m }).__seek = m;
      const clock = document.querySelector('[data-testid="transport.time"]')!;
      let inputAt = -1;
      document.addEventListener(
        'keydown',
        (e) => {
          if (e.key === 'ArrowLeft') inputAt = e.timeStamp;
        },
        true,
      );
      new MutationObserver(() => {
        if (inputAt < 0) return;
        const at = inputAt;
        inputAt = -1;
        requestAnimationFrame(() => m.stepBacks.push(performance.now() - at));
      }).observe(clock, { childList: true, characterData: true, subtree: true });
    });
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let k = 1; k <= STEP_BACKS; k++) {
      const shown = await time.textContent();
      await page.keyboard.press('ArrowLeft');
      await expect(time).not.toHaveText(shown ?? '');
      await expect
        .poll(() =>
          page.evaluate(
            () => (window as unknown as { __seek: { stepBacks: number[] } }).__seek.stepBacks.length,
          ),
        )
        .toBe(k);
    }
    const stepBacks = await page.evaluate(
      () => (window as unknown as { __seek: { stepBacks: number[] } }).__seek.stepBacks,
    );

    // Seeks to times spread over the run, in an order that jumps back and forth.
    const targets = Array.from({ length: SEEKS }, (_, i) => (((i * 5) % SEEKS) + 0.5) * (END_S / SEEKS));
    const seeks = await page.evaluate(async (ts) => {
      const hook = (window as unknown as { balloonLab: Hook }).balloonLab;
      const out: { s: number; runnerMs: number; frameMs: number; landed: number }[] = [];
      for (const s of ts) {
        const t0 = performance.now();
        hook.runUntil(s);
        const t1 = performance.now();
        await new Promise((r) => requestAnimationFrame(r));
        out.push({
          s,
          runnerMs: t1 - t0,
          frameMs: performance.now() - t0,
          landed: hook.summary()?.time_s ?? -1,
        });
      }
      return out;
    }, targets);
    for (const s of seeks) expect(s.landed).toBeCloseTo(Math.round(s.s * 1e6) / 1e6, 6);

    const stepBack = summarize(stepBacks);
    const seekRunner = summarize(seeks.map((s) => s.runnerMs));
    const seekFrame = summarize(seeks.map((s) => s.frameMs));
    const body = {
      budgetMs: BUDGET_MS,
      runFromStartMs: Math.round(fullRunMs),
      stepBackKeyToFrameMs: stepBack,
      seekRunnerMs: seekRunner,
      seekToFrameMs: seekFrame,
      verdict: Math.max(stepBack.max, seekRunner.max) <= BUDGET_MS ? 'within budget' : 'over budget',
    };
    const text = JSON.stringify(body, null, 2);
    console.log(`seek-16GiB: ${text}`);
    await test.info().attach('seek-16GiB.json', { body: text, contentType: 'application/json' });

    // Sanity only: a seek that replays the whole run is far beyond these.
    expect(stepBack.n).toBe(STEP_BACKS);
    expect(seekRunner.median).toBeLessThan(fullRunMs);
  });
});
