// Every bundled scenario, as a student meets it: picked in the Scenario list, played as fast as
// possible to its end, and its key moment checked where the page shows it (the host and guest
// panels, dmesg, the map's legends, the timeline's markers). Moments before the end are reached the
// way a user would: a marker on the timeline (each marker seeks to its moment), the timeline slider,
// or Step. Where a number is the simulation's own result (a moment's time, a count it arrived at),
// the page is held against window.balloonLab.summary() or against itself, and the number is pinned
// in src/sim/scenario-moments.test.ts with where it comes from; numbers that follow from the scenario
// file (a target of 128 MiB is 32,768 pages) are written out. The timeline marks only what has
// happened so far, so the checks go back in time from the end, the latest moment first.
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { openTab, withHook } from './lab-page.ts';

interface Entry {
  file: string;
  name: string;
}

interface ScenarioFile {
  guest: { memoryMiB: number };
  steps: { at: number; do: string }[];
}

const scenarioFile = (file: string): ScenarioFile =>
  JSON.parse(readFileSync(new URL(`../public/scenarios/${file}`, import.meta.url), 'utf8'));

/**
 * A test's time from the work its scenario makes: 30 s for opening, picking and checking, and the
 * run itself at full speed, which grows with the guest's memory (the frame table the core walks) and
 * the virtual time it covers. 16 GiB for 35 s is the largest: about 90 s on a busy 2-core machine.
 */
function timeoutFor(file: string): number {
  const f = scenarioFile(file);
  const end = Math.max(...f.steps.map((st) => st.at));
  return 30_000 + Math.ceil((f.guest.memoryMiB * end) / 6);
}

const bundled = (
  JSON.parse(readFileSync(new URL('../public/scenarios/index.json', import.meta.url), 'utf8')) as {
    scenarios: Entry[];
  }
).scenarios.filter((s) => !s.file.startsWith('lesson-'));
// The lessons' own scenarios (lesson-*.json) are walked stop by stop in src/lessons/bundled.test.ts.

// ── What the page shows ─────────────────────────────────────────────────────────────────────────────

const clock = (page: Page) => page.getByTestId('transport.time');
const host = (page: Page, id: string) => page.getByTestId(`host.${id}`);
const guest = (page: Page, id: string) => page.getByTestId(`guest.${id}`);
const dmesg = (page: Page) => page.getByTestId('guest.dmesg');
/** A state's count in the map's legend: "32,768 frames · 128 MiB". */
const legend = (page: Page, view: 'guest' | 'host', state: string) =>
  page.getByTestId(`memmap.legend.${view}.${state}`).locator('.memmap-legend-count');
const marker = (page: Page, name: string | RegExp) =>
  page.getByRole('list', { name: 'Timeline events' }).getByRole('button', { name });
const alarm = (page: Page) => page.getByTestId('host.needs-reset');
const usedRing = (page: Page) => page.getByTestId('vqi.inflate.used').locator('caption');

/** "12.345678 s" as dmesg and the clock print it. */
const seconds = (s: number) => `${Math.floor(s)}.${String(Math.round((s % 1) * 1e6)).padStart(6, '0')} s`;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A count as the page prints it: 32,768. */
const count = (n: number) => n.toLocaleString('en-US');

type Summary = {
  time_s: number;
  num_pages: number;
  actual: number;
  counters: Record<string, number>;
  stats: { stats: Record<string, number>; 'last-update': number };
  host: { rss_bytes: number };
};
const summary = (page: Page) => withHook(page, (h) => h.summary()) as unknown as Promise<Summary>;

/** The host panel shows what the simulation says now: the balloon's target and actual, in pages. */
async function hostShowsSummary(page: Page) {
  const s = await summary(page);
  await expect(host(page, 'num_pages')).toHaveText(`${count(s.num_pages)} pages`);
  await expect(host(page, 'actual')).toHaveText(`${count(s.actual)} pages`);
}

/** Seeks to a timeline marker: Enter on it, as from the keyboard (markers close in time overlap). */
async function goTo(page: Page, name: string | RegExp, at: number) {
  await marker(page, name).press('Enter');
  await expect(clock(page)).toContainText(`${seconds(at)} /`);
}

/** Presses Step until `done` holds (at most `max` times); returns how many presses it took. */
async function stepUntil(page: Page, done: () => Promise<boolean>, max = 40): Promise<number> {
  const step = page.getByRole('button', { name: 'Step', exact: true });
  const at = Number(/step (\d+)/.exec((await clock(page).textContent()) ?? '')?.[1]);
  for (let k = 1; k <= max; k++) {
    await step.click();
    // Read the page only once it shows the step (the clock counts them).
    await expect(clock(page)).toContainText(`step ${at + k}`);
    if (await done()) return k;
  }
  throw new Error(`still not there after ${max} steps`);
}

/** The dmesg lines, as shown. */
const dmesgLines = (page: Page) => dmesg(page).locator('li').allTextContents();
/** The virtual time of a dmesg line, in µs: "[    3.093512] …" → 3093512. */
const lineUs = (line: string) => {
  const m = /^\[\s*(\d+)\.(\d{6})\]/.exec(line);
  if (!m) throw new Error(`not a dmesg line: ${line}`);
  return Number(m[1]) * 1e6 + Number(m[2]);
};
/** QEMU's stderr as the host panel shows it (its last 50 lines), each "<seconds>.<µs> <text>". */
const hostLog = (page: Page) => page.getByTestId('host.log');

/**
 * Opens the lab, picks the scenario in the Scenario list, sets the speed to as fast as possible, plays
 * it and waits until it has run to its end (the clock shows the end, and Play is Play again).
 */
async function playToEnd(page: Page, entry: Entry, endS: number) {
  await page.goto('./#lab');
  const select = page.getByLabel('Scenario');
  await expect(select).toHaveValue('lesson-why-balloon.json');
  await page.getByLabel('Speed', { exact: true }).selectOption({ label: 'as fast as possible' });
  await select.selectOption({ label: entry.name });
  await expect(select).toHaveValue(entry.file);
  const end = seconds(endS);
  await expect(clock(page)).toHaveText(`0.000000 s / ${end} · step 0`);
  const play = page.getByTestId('transport.play');
  await play.click();
  // As long as the test may: its timeout is sized to the scenario (timeoutFor).
  await expect(clock(page)).toContainText(`${end} / ${end}`, { timeout: 0 });
  await expect(play).toHaveText('Play');
}

// ── The scenarios ───────────────────────────────────────────────────────────────────────────────────

interface Case {
  file: string;
  /** What the test shows, after the scenario's name. */
  moment: string;
  endS: number;
  check(page: Page): Promise<void>;
}

const DRIVER_OK = 'ACKNOWLEDGE · DRIVER · FEATURES_OK · DRIVER_OK';

/**
 * A malformed buffer on the inflate queue (design.md's fault kinds): the device stops with
 * DEVICE_NEEDS_RESET and QEMU's message for that fault, half way from 240 MiB to 224 MiB, and the
 * driver waits for an ack that never comes.
 */
function deviceFault(kind: string, message: string): Case {
  return {
    file: `fault-${kind}.json`,
    moment: `DEVICE_NEEDS_RESET with "${message}"`,
    endS: 7,
    async check(page) {
      await expect(alarm(page)).toHaveText(`DEVICE_NEEDS_RESET — ${message}`);
      await expect(host(page, 'status')).toHaveText(`${DRIVER_OK} · DEVICE_NEEDS_RESET`);
      // The balloon is stuck where the fault hit: 4,096 of the 8,192 pages the host asked for.
      await expect(host(page, 'num_pages')).toHaveText('8,192 pages');
      await expect(host(page, 'actual')).toHaveText('4,096 pages');
      await expect(dmesg(page)).toContainText(`virtio_balloon virtio0: (fault) ${kind} on the inflate queue`);
      await expect(marker(page, new RegExp(`: device error: ${escapeRegExp(message)}$`))).toHaveCount(1);
      // Before the fault, nothing was wrong.
      await goTo(page, '1.000000 s: balloon 240 MiB (logical size)', 1);
      await expect(alarm(page)).toHaveCount(0);
      await expect(host(page, 'status')).toHaveText(DRIVER_OK);
    },
  };
}

const CASES: Case[] = [
  {
    file: 'inflate-deflate.json',
    moment: 'actual reaches the target of 32,768 pages, then returns to 0',
    endS: 14,
    async check(page) {
      // The end: deflated, every page back with the guest, the host's pages wanted again.
      await expect(host(page, 'num_pages')).toHaveText('0 pages');
      await expect(host(page, 'actual')).toHaveText('0 pages');
      await expect(host(page, 'query')).toHaveText('256 MiB');
      await expect(guest(page, 'balloon')).toHaveText('0.0 MiB');
      await expect(legend(page, 'host', 'wanted')).toHaveText('32,768 frames · 128 MiB');
      await expect(legend(page, 'host', 'discarded')).toHaveText('0 frames · 0 B');
      // At 8 s actual has reached the target, and the host asks for everything back.
      await goTo(page, '8.000000 s: balloon 256 MiB (logical size)', 8);
      await expect(host(page, 'actual')).toHaveText('32,768 pages');
      await expect(host(page, 'num_pages')).toHaveText('0 pages');
      await expect(host(page, 'query')).toHaveText('128 MiB');
      await expect(guest(page, 'balloon')).toHaveText('128.0 MiB');
      await expect(legend(page, 'guest', 'balloon')).toHaveText('32,768 frames · 128 MiB');
      await expect(legend(page, 'host', 'discarded')).toHaveText('32,768 frames · 128 MiB');
      // At 2 s the host asks for 128 MiB: 32,768 pages, none given yet.
      await goTo(page, '2.000000 s: balloon 128 MiB (logical size)', 2);
      await expect(host(page, 'num_pages')).toHaveText('32,768 pages');
      await expect(host(page, 'actual')).toHaveText('0 pages');
    },
  },
  {
    file: 'out-of-puff.json',
    moment: '"Out of puff!" a little over every 200 ms until the workload exits',
    endS: 12,
    async check(page) {
      // When and how often: src/sim/scenario-moments.test.ts. Here: dmesg, the markers, the host panel
      // and the map agree with each other and with the simulation.
      const puff = "virtio_balloon virtio0: Out of puff! Can't get 1 pages";
      const puffs = (await dmesgLines(page)).filter((l) => l.endsWith(puff));
      expect(puffs.length).toBeGreaterThan(1);
      const gaps = puffs.slice(1).map((l, k) => lineUs(l) - lineUs(puffs[k]));
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(200_000);
      // Once the workload exits, the balloon reaches the target: 72 MiB of 256 MiB left to the guest.
      await expect(host(page, 'num_pages')).toHaveText('47,104 pages');
      await expect(host(page, 'actual')).toHaveText('47,104 pages');
      await expect(host(page, 'query')).toHaveText('72 MiB');
      // Until then it is stuck short of it, five seconds of retries later...
      await goTo(page, '8.000000 s: free workload "app"', 8);
      await hostShowsSummary(page);
      await expect(host(page, 'num_pages')).toHaveText('47,104 pages');
      await expect(host(page, 'actual')).not.toHaveText('47,104 pages');
      // ...as at the first "Out of puff!", whose marker stands at dmesg's first line, with the workload
      // holding its 160 MiB.
      const first = lineUs(puffs[0]);
      await goTo(page, /: Out of puff! \(the guest has no free page to give\)$/, first / 1e6);
      await hostShowsSummary(page);
      await expect(legend(page, 'guest', 'anon')).toHaveText('40,960 frames · 160 MiB');
      await expect(dmesg(page).locator('li').last()).toHaveText(puffs[0]);
    },
  },
  {
    file: 'deflate-on-oom.json',
    moment: 'the OOM notifier shrinks the balloon from 40,960 to 12,544 pages, nothing killed',
    endS: 10,
    async check(page) {
      const oom = '4.001871 s: out of memory: the OOM notifier deflates the balloon (256 pages at a time)';
      await expect(marker(page, oom)).toHaveCount(1);
      // The host still wants 40,960 pages; the guest took 28,416 back (111 × 256) for its workload.
      await expect(host(page, 'num_pages')).toHaveText('40,960 pages');
      await expect(host(page, 'actual')).toHaveText('12,544 pages');
      await expect(guest(page, 'balloon')).toHaveText('49.0 MiB');
      await expect(legend(page, 'guest', 'anon')).toHaveText('35,840 frames · 140 MiB');
      await expect(page.getByRole('list', { name: 'Workloads' })).toContainText('app');
      await expect(dmesg(page)).not.toContainText('oom-killer');
      await expect(dmesg(page)).not.toContainText('Killed process');
      // When the guest ran out of memory, the balloon was still full.
      await goTo(page, oom, 4.001871);
      await expect(host(page, 'actual')).toHaveText('40,960 pages');
    },
  },
  {
    file: 'oom-reinflate.json',
    moment: 'the balloon stops short of 248 MiB, gives 96 MiB back to a hog, and takes it again after',
    endS: 14,
    async check(page) {
      // The figures and when: src/sim/scenario-moments.test.ts. Here: the panels agree with the run.
      await expect(host(page, 'num_pages')).toHaveText('63,488 pages');
      await expect(host(page, 'actual')).toHaveText('48,441 pages');
      await expect(dmesg(page)).not.toContainText('Killed process');
      const oom = /: out of memory: the OOM notifier deflates the balloon \(256 pages at a time\)$/;
      await expect(marker(page, oom)).toHaveCount(1);
      await goTo(page, '8.000000 s: free workload "hog"', 8);
      await expect(host(page, 'actual')).toHaveText('23,865 pages');
    },
  },
  {
    file: 'oom-kill.json',
    moment: 'the OOM killer kills the workload; the balloon keeps its 40,960 pages',
    endS: 10,
    async check(page) {
      await expect(dmesg(page)).toContainText(
        '[    4.001871] app invoked oom-killer: gfp_mask=0x14200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null)',
      );
      await expect(dmesg(page)).toContainText(
        '[    4.001871] Out of memory: Kill process 1000 (app) score 500 or sacrifice child',
      );
      await expect(dmesg(page)).toContainText(
        '[    4.001871] Killed process 1000 (app) total-vm:143360kB, anon-rss:29924kB, file-rss:0kB, shmem-rss:0kB',
      );
      await expect(marker(page, /^4\.001871 s: Killed process 1000 \(app\)/)).toHaveCount(1);
      await expect(host(page, 'actual')).toHaveText('40,960 pages');
      await expect(guest(page, 'balloon')).toHaveText('160.0 MiB');
      await expect(guest(page, 'MemTotal')).toHaveText('58.4 MiB');
      await expect(page.getByRole('list', { name: 'Workloads' })).toHaveCount(0);
      await expect(legend(page, 'guest', 'anon')).toHaveText('0 frames · 0 B');
    },
  },
  {
    file: 'stats-polling.json',
    moment: 'fresh guest stats arrive, every 2 s after the interval changes',
    endS: 14,
    async check(page) {
      const updated = page.locator('.panel.stats caption');
      const stat = (k: string) => page.getByTestId(`stats.${k}`);
      const KEYS = ['stat-total-memory', 'stat-disk-caches', 'stat-free-memory', 'stat-available-memory'];
      // The stats table shows what the host last received (the values: scenario-moments.test.ts).
      const showsSummary = async () => {
        const s = (await summary(page)).stats;
        await expect(updated).toHaveText(
          `guest-stats, last update at ${s['last-update']} s (−1: never sent)`,
        );
        for (const k of KEYS) await expect(stat(k)).toHaveText(count(s.stats[k]));
        return s;
      };
      // Last polled at 12 s: every 2 s from 6 s on (every second, the last would have been 13 s).
      await expect(updated).toHaveText('guest-stats, last update at 12 s (−1: never sent)');
      await expect(page.getByLabel('Stats polling (s)')).toHaveAttribute('placeholder', '2');
      const end = await showsSummary();
      // Before "app" exits, the host's last stats show it: 160 MiB less free memory.
      await goTo(page, '9.000000 s: free workload "app"', 9);
      await expect(updated).toHaveText('guest-stats, last update at 8 s (−1: never sent)');
      const before = await showsSummary();
      expect(end.stats['stat-free-memory'] - before.stats['stat-free-memory']).toBe(160 * 1048576);
    },
  },
  {
    file: 'compaction.json',
    moment: 'compaction migrates balloon pages; the balloon keeps its size',
    endS: 10,
    async check(page) {
      // How many pages move, and when: src/sim/scenario-moments.test.ts.
      const line = dmesg(page).locator('li', { hasText: 'compaction: migrated' });
      await expect(line).toHaveText(/ compaction: migrated \d+ pages \(\d+ balloon\), 0 failed; /);
      const migrated = Number(/\((\d+) balloon\)/.exec((await line.textContent()) ?? '')?.[1]);
      expect(migrated).toBe((await summary(page)).counters.balloon_migrate);
      // Each move inflated the new page and deflated the old: the old places are wanted again, and
      // the balloon keeps its 56 MiB (256 MiB less the 200 MiB logical size).
      await expect(host(page, 'actual')).toHaveText('14,336 pages');
      await expect(legend(page, 'host', 'discarded')).toHaveText('14,336 frames · 56 MiB');
      await expect(legend(page, 'host', 'wanted')).toHaveText(new RegExp(`^${count(migrated)} frames · `));
      await goTo(page, '6.000000 s: compaction (echo 1 > /proc/sys/vm/compact_memory)', 6);
      await expect(host(page, 'actual')).toHaveText('14,336 pages');
      await expect(legend(page, 'host', 'wanted')).toHaveText('0 frames · 0 B');
    },
  },
  {
    file: 'freeze-restore.json',
    moment: 'suspend deflates everything and resets the device; resume inflates again',
    endS: 10,
    async check(page) {
      await expect(host(page, 'actual')).toHaveText('24,576 pages');
      await expect(host(page, 'query')).toHaveText('160 MiB');
      await expect(host(page, 'status')).toHaveText(DRIVER_OK);
      const suspend = page.getByRole('button', { name: 'Suspend', exact: true });
      const resume = page.getByRole('button', { name: 'Resume', exact: true });
      await expect(suspend).toBeVisible();
      // Resumed at 6 s: the device set up again, the balloon empty, to be inflated again.
      await goTo(page, '6.000000 s: resume: the balloon inflates again', 6);
      await expect(host(page, 'status')).toHaveText(DRIVER_OK);
      await expect(host(page, 'actual')).toHaveText('0 pages');
      await expect(suspend).toBeVisible();
      await goTo(page, '4.000000 s: suspend: the balloon gives everything back', 4);
      await expect(resume).toBeVisible();
      // Suspended, at 5 s on the timeline: the balloon is empty and the device reset.
      await page.getByRole('slider', { name: 'Timeline' }).fill('5000000');
      await expect(clock(page)).toContainText('5.000000 s /');
      await expect(host(page, 'actual')).toHaveText('0 pages');
      await expect(host(page, 'num_pages')).toHaveText('24,576 pages');
      await expect(host(page, 'status')).toHaveText('0');
      await expect(guest(page, 'balloon')).toHaveText('0.0 MiB');
      await expect(resume).toBeVisible();
    },
  },
  {
    file: 'unplug.json',
    moment: 'the driver deflates everything, writes actual = 0 and lets the device go',
    endS: 8,
    async check(page) {
      await expect(host(page, 'actual')).toHaveText('0 pages');
      await expect(host(page, 'num_pages')).toHaveText('32,768 pages');
      // Reset, then acknowledged again, as virtio_dev_remove leaves a device.
      await expect(host(page, 'status')).toHaveText('ACKNOWLEDGE');
      await expect(guest(page, 'balloon')).toHaveText('0.0 MiB');
      await expect(guest(page, 'MemTotal')).toHaveText('218.4 MiB');
      await expect(page.getByRole('button', { name: 'Unplug device' })).toBeDisabled();
      await expect(page.getByRole('button', { name: 'Suspend' })).toBeDisabled();
      await openTab(page, 'Rings');
      await expect(page.getByText('No queues: the device is reset or unplugged.')).toBeVisible();
      await goTo(page, '4.000000 s: device unplugged: the driver deflates and lets go', 4);
      await expect(host(page, 'actual')).toHaveText('32,768 pages');
    },
  },
  {
    file: 'legacy.json',
    moment: 'no VERSION_1, no FEATURES_OK, the used ring on a 4096-byte boundary',
    endS: 9,
    async check(page) {
      await expect(page.locator('.panel.host')).toContainText('legacy (no VERSION_1)');
      await expect(host(page, 'status')).toHaveText('ACKNOWLEDGE · DRIVER · DRIVER_OK');
      await expect(usedRing(page)).toContainText('at 0xfff_2000)');
      await expect(host(page, 'actual')).toHaveText('0 pages');
      await goTo(page, '5.000000 s: balloon 256 MiB (logical size)', 5);
      await expect(host(page, 'actual')).toHaveText('16,384 pages');
      await expect(host(page, 'query')).toHaveText('192 MiB');
    },
  },
  {
    file: 'guest-64k-pages.json',
    moment: '64 KiB pages: a 256-PFN batch carries 16 of them',
    endS: 10,
    async check(page) {
      await expect(page.locator('.panel.host')).toContainText('guest 64 KiB, host 4 KiB');
      await expect(host(page, 'actual')).toHaveText('0 pages');
      await expect(host(page, 'query')).toHaveText('512 MiB');
      await goTo(page, '6.000000 s: balloon 512 MiB (logical size)', 6);
      await expect(host(page, 'actual')).toHaveText('65,536 pages');
      await expect(guest(page, 'balloon')).toHaveText('256.0 MiB');
      // Step into the first inflate: the driver fills pfns[] with 16 pages' worth of PFNs.
      await goTo(page, '1.000000 s: balloon 256 MiB (logical size)', 1);
      const calls = page.getByTestId('driver.calls');
      await stepUntil(page, async () => (await calls.textContent())?.includes('tell_host') ?? false);
      await expect(calls).toContainText('set_page_pfns 16 pages');
      await expect(calls).toContainText('tell_host inflate 256 pfns');
    },
  },
  {
    file: 'host-2m-pages.json',
    moment: 'the balloon inflates by 128 MiB and the host RSS does not drop',
    endS: 9,
    async check(page) {
      await expect(page.locator('.panel.host')).toContainText('guest 4 KiB, host 2048 KiB');
      // QEMU's warning goes to QEMU's stderr, in the host panel; the guest's dmesg never sees it.
      await expect(hostLog(page)).toContainText(
        'qemu-system-x86_64: warning: Balloon used with backing page size > 4kiB, this may not be reliable',
      );
      await expect(dmesg(page)).not.toContainText('qemu-system-x86_64');
      await expect(host(page, 'actual')).toHaveText('32,768 pages');
      await expect(legend(page, 'guest', 'balloon')).toHaveText('32,768 frames · 128 MiB');
      await expect(legend(page, 'host', 'discarded')).toHaveText('0 frames · 0 B');
      await expect(host(page, 'rss')).toHaveText('256.0 MiB');
      await goTo(page, '3.000000 s: balloon 128 MiB (logical size)', 3);
      await expect(host(page, 'rss')).toHaveText('256.0 MiB');
    },
  },
  {
    file: 'host-64k-pages.json',
    moment: 'whole 64 KiB host pages are given back: 120 of the 128 MiB',
    endS: 9,
    async check(page) {
      await expect(page.locator('.panel.host')).toContainText('guest 4 KiB, host 64 KiB');
      await expect(host(page, 'actual')).toHaveText('32,768 pages');
      // Only whole 64 KiB host pages go, 16 frames at a time (the count is pinned in
      // scenario-moments.test.ts). "warm" touched every frame, so what is not resident is discarded.
      const { host: h } = await summary(page);
      const discarded = 65_536 - h.rss_bytes / 4096;
      expect(discarded % 16).toBe(0);
      expect(discarded).toBeGreaterThan(0);
      expect(discarded).toBeLessThan(32_768);
      const mib = (frames: number) => `${((frames * 4096) / 1048576).toFixed(1)} MiB`;
      await expect(legend(page, 'host', 'discarded')).toHaveText(
        `${count(discarded)} frames · ${mib(discarded)}`,
      );
      await expect(host(page, 'rss')).toHaveText(mib(h.rss_bytes / 4096));
      await goTo(page, '3.000000 s: balloon 128 MiB (logical size)', 3);
      await expect(host(page, 'rss')).toHaveText('256.0 MiB');
    },
  },
  {
    file: 'must-tell-host.json',
    moment: 'offered MUST_TELL_HOST, the driver tells the host before it reuses a page',
    endS: 9,
    async check(page) {
      await expect(page.getByTestId('host.offered')).toHaveText('MUST_TELL_HOST · STATS_VQ · DEFLATE_ON_OOM');
      await expect(host(page, 'actual')).toHaveText('0 pages');
      await expect(legend(page, 'host', 'wanted')).toHaveText('32,768 frames · 128 MiB');
      // Step into the first deflate: 256 pages on their way back, the host not told yet...
      await goTo(page, '5.000000 s: balloon 256 MiB (logical size)', 5);
      const deflating = legend(page, 'guest', 'deflating');
      const free = legend(page, 'guest', 'free');
      const freeBefore = await free.textContent();
      await stepUntil(page, async () => (await deflating.textContent()) !== '0 frames · 0 B');
      await expect(deflating).toHaveText('256 frames · 1 MiB');
      await expect(legend(page, 'host', 'wanted')).toHaveText('0 frames · 0 B');
      await expect(free).toHaveText(freeBefore!);
      // ...and only once the host has them (wanted again) do they return to the guest's free memory.
      await stepUntil(page, async () => (await deflating.textContent()) === '0 frames · 0 B');
      await expect(legend(page, 'host', 'wanted')).toHaveText('256 frames · 1 MiB');
      await expect(free).not.toHaveText(freeBefore!);
    },
  },
  {
    file: 'big-guest.json',
    moment: '3,932,160 pages out to a 1 GiB logical size, and back',
    endS: 35,
    async check(page) {
      await expect(page.locator('.panel.host')).toContainText('16384 MiB');
      await expect(host(page, 'actual')).toHaveText('0 pages');
      await expect(host(page, 'query')).toHaveText('16384 MiB');
      await expect(legend(page, 'host', 'wanted')).toHaveText('3,932,160 frames · 15 GiB');
      await goTo(page, '25.000000 s: balloon 16384 MiB (logical size)', 25);
      await expect(host(page, 'actual')).toHaveText('3,932,160 pages');
      await expect(host(page, 'query')).toHaveText('1024 MiB');
      await expect(legend(page, 'guest', 'balloon')).toHaveText('3,932,160 frames · 15 GiB');
    },
  },
  deviceFault('loop', 'Looped descriptor'),
  deviceFault('next-oob', 'Desc next is 133'),
  deviceFault('head-oob', 'Guest says index 131 is available'),
  deviceFault('avail-jump', 'Guest moved used index from 16 to 146'),
  deviceFault('zero-len', 'virtio: zero sized buffers are not allowed'),
  deviceFault('bad-gpa', 'virtio: bogus descriptor or out of resources (addr 0x10000000000)'),
  deviceFault('indirect-bad-size', 'Invalid size for indirect buffer table'),
  {
    file: 'fault-write-flag.json',
    moment: 'QEMU ignores the device-writable buffer: no reset, the host discards none of its pages',
    endS: 7,
    async check(page) {
      await expect(dmesg(page)).toContainText(
        'virtio_balloon virtio0: (fault) write-flag on the inflate queue',
      );
      await expect(alarm(page)).toHaveCount(0);
      await expect(host(page, 'status')).toHaveText(DRIVER_OK);
      // The guest believes all 8,192 pages are in the balloon, and says so in actual...
      await expect(host(page, 'num_pages')).toHaveText('8,192 pages');
      await expect(host(page, 'actual')).toHaveText('8,192 pages');
      await expect(legend(page, 'guest', 'balloon')).toHaveText(/^8,192 frames · /);
      // ...but the host found no PFN in the writable buffer: 256 of them it never discarded.
      await expect(legend(page, 'host', 'discarded')).toHaveText(/^7,936 frames · /);
    },
  },
  {
    file: 'fault-bad-pfn.json',
    moment: 'QEMU skips the PFN past RAM: no reset, one frame never acknowledged',
    endS: 7,
    async check(page) {
      await expect(dmesg(page)).toContainText('virtio_balloon virtio0: (fault) bad-pfn on the inflate queue');
      await expect(alarm(page)).toHaveCount(0);
      await expect(host(page, 'status')).toHaveText(DRIVER_OK);
      await expect(host(page, 'actual')).toHaveText('8,192 pages');
      await expect(host(page, 'num_pages')).toHaveText('8,192 pages');
      // The host never saw the page whose PFN the fault replaced: it stays in flight, and backed.
      await expect(legend(page, 'guest', 'inflating')).toHaveText('1 frame · 4 KiB');
      await expect(legend(page, 'guest', 'balloon')).toHaveText(/^8,191 frames · /);
      await expect(legend(page, 'host', 'discarded')).toHaveText(/^8,191 frames · /);
    },
  },
  {
    file: 'fault-second-stats-buffer.json',
    moment: 'one buffer per kick, the second waits; EVENT_IDX keeps the driver from kicking: stats stop',
    endS: 5.5,
    async check(page) {
      await expect(alarm(page)).toHaveCount(0);
      await expect(host(page, 'status')).toHaveText(DRIVER_OK);
      // QEMU prints nothing about it.
      await expect(hostLog(page).locator('li')).toHaveCount(0);
      await expect(dmesg(page)).toContainText('virtio_balloon virtio0: (fault) a second stats buffer');
      // The last buffer the device took came at 2 s; the host's stats stay those to the end.
      await expect(page.locator('.panel.stats caption')).toContainText('last update at 2 s');
      await goTo(page, '1.500000 s: fault: second-stats-buffer on the next buffer', 1.5);
      await expect(page.locator('.panel.stats caption')).toContainText('last update at 1 s');
    },
  },
];

// ── The tests ───────────────────────────────────────────────────────────────────────────────────────

test('every bundled scenario has its test here', () => {
  expect(CASES.map((c) => c.file).sort()).toEqual(bundled.map((s) => s.file).sort());
});

for (const c of CASES) {
  const entry = bundled.find((s) => s.file === c.file);
  test(`${entry?.name ?? c.file}: ${c.moment}`, async ({ page }) => {
    if (!entry) throw new Error(`${c.file} is not in public/scenarios/index.json`);
    test.setTimeout(timeoutFor(c.file));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await playToEnd(page, entry, c.endS);
    await c.check(page);
    expect(errors).toEqual([]);
  });
}
