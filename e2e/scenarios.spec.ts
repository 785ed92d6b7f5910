// Every bundled scenario, as a student meets it: picked in the Scenario list, played as fast as
// possible to its end, and its key moment checked where the page shows it (the host and guest
// panels, dmesg, the map's legends, the timeline's markers). Moments before the end are reached the
// way a user would: a marker on the timeline (each marker seeks to its moment), the timeline slider,
// or Step. The numbers are the simulation's, which is deterministic: each would change if the
// behaviour the scenario teaches broke. The timeline marks only what has happened so far, so the
// checks go back in time from the end, the latest moment first.
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';

interface Entry {
  file: string;
  name: string;
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

/** Seeks to a timeline marker: Enter on it, as from the keyboard (markers close in time overlap). */
async function goTo(page: Page, name: string | RegExp, at: number) {
  await marker(page, name).press('Enter');
  await expect(clock(page)).toContainText(`${seconds(at)} /`);
}

/** Presses Step until `done` holds (at most `max` times); returns how many presses it took. */
async function stepUntil(page: Page, done: () => Promise<boolean>, max = 40): Promise<number> {
  const step = page.getByRole('button', { name: 'Step', exact: true });
  for (let k = 1; k <= max; k++) {
    await step.click();
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
const hostLines = (page: Page) => hostLog(page).locator('li').allTextContents();
const hostLineUs = (line: string) => {
  const m = /^(\d+)\.(\d{6}) /.exec(line);
  if (!m) throw new Error(`not a host log line: ${line}`);
  return Number(m[1]) * 1e6 + Number(m[2]);
};

/**
 * Opens the lab, picks the scenario in the Scenario list, sets the speed to as fast as possible, plays
 * it and waits until it has run to its end (the clock shows the end, and Play is Play again).
 */
async function playToEnd(page: Page, entry: Entry, endS: number) {
  await page.goto('./');
  const select = page.getByLabel('Scenario');
  await expect(select).toHaveValue('inflate-deflate.json');
  await page.getByLabel('Speed', { exact: true }).selectOption({ label: 'as fast as possible' });
  await select.selectOption({ label: entry.name });
  await expect(select).toHaveValue(entry.file);
  const end = seconds(endS);
  await expect(clock(page)).toHaveText(`0.000000 s / ${end} · step 0`);
  const play = page.getByTestId('transport.play');
  await play.click();
  await expect(clock(page)).toContainText(`${end} / ${end}`, { timeout: 60_000 });
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
    moment: '"Out of puff!" every 200 ms until the workload exits',
    endS: 12,
    async check(page) {
      const puffs = (await dmesgLines(page)).filter((l) =>
        l.endsWith("virtio_balloon virtio0: Out of puff! Can't get 1 pages"),
      );
      expect(puffs).toHaveLength(25);
      expect(lineUs(puffs[0])).toBe(3_093_512);
      const gaps = puffs.slice(1).map((l, k) => lineUs(l) - lineUs(puffs[k]));
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(200_000);
      for (const gap of gaps) expect(gap).toBeLessThan(202_000);
      expect(lineUs(puffs[24])).toBeLessThan(8_000_000);
      // Once the workload exits, the balloon reaches the target.
      await expect(host(page, 'actual')).toHaveText('49,152 pages');
      await expect(host(page, 'num_pages')).toHaveText('49,152 pages');
      await expect(host(page, 'query')).toHaveText('64 MiB');
      // Until then it is stuck short of it, five seconds of retries later...
      await goTo(page, '8.000000 s: free workload "app"', 8);
      await expect(host(page, 'actual')).toHaveText('20,704 pages');
      await expect(host(page, 'num_pages')).toHaveText('49,152 pages');
      // ...as at the first "Out of puff!", with the workload holding its 160 MiB.
      await goTo(page, '3.093512 s: Out of puff! (the guest has no free page to give)', 3.093512);
      await expect(host(page, 'actual')).toHaveText('20,480 pages');
      await expect(legend(page, 'guest', 'anon')).toHaveText('40,960 frames · 160 MiB');
      await expect(dmesg(page).locator('li').last()).toHaveText(
        "[    3.093512] virtio_balloon virtio0: Out of puff! Can't get 1 pages",
      );
    },
  },
  {
    file: 'deflate-on-oom.json',
    moment: 'the OOM notifier shrinks the balloon from 40,960 to 25,600 pages, nothing killed',
    endS: 10,
    async check(page) {
      const oom = '4.005176 s: out of memory: the OOM notifier deflates the balloon (256 pages at a time)';
      await expect(marker(page, oom)).toHaveCount(1);
      // The host still wants 40,960 pages; the guest took 15,360 back (60 × 256) for its workload.
      await expect(host(page, 'num_pages')).toHaveText('40,960 pages');
      await expect(host(page, 'actual')).toHaveText('25,600 pages');
      await expect(guest(page, 'balloon')).toHaveText('100.0 MiB');
      await expect(legend(page, 'guest', 'anon')).toHaveText('35,840 frames · 140 MiB');
      await expect(page.getByRole('list', { name: 'Workloads' })).toContainText('app');
      await expect(dmesg(page)).not.toContainText('oom-killer');
      await expect(dmesg(page)).not.toContainText('Killed process');
      // When the guest ran out of memory, the balloon was still full.
      await goTo(page, oom, 4.005176);
      await expect(host(page, 'actual')).toHaveText('40,960 pages');
    },
  },
  {
    file: 'oom-kill.json',
    moment: 'the OOM killer kills the workload; the balloon keeps its 40,960 pages',
    endS: 10,
    async check(page) {
      await expect(dmesg(page)).toContainText(
        '[    4.005176] app invoked oom-killer: gfp_mask=0x14200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null)',
      );
      await expect(dmesg(page)).toContainText(
        '[    4.005176] Out of memory: Kill process 1000 (app) score 976 or sacrifice child',
      );
      await expect(dmesg(page)).toContainText(
        '[    4.005176] Killed process 1000 (app) total-vm:143360kB, anon-rss:82816kB, file-rss:0kB, shmem-rss:0kB',
      );
      await expect(marker(page, /^4\.005176 s: Killed process 1000 \(app\)/)).toHaveCount(1);
      await expect(host(page, 'actual')).toHaveText('40,960 pages');
      await expect(guest(page, 'balloon')).toHaveText('160.0 MiB');
      await expect(guest(page, 'MemTotal')).toHaveText('82.8 MiB');
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
      // Last polled at 12 s: every 2 s from 6 s on (every second, the last would have been 13 s).
      await expect(updated).toHaveText('guest-stats, last update at 12 s (−1: never sent)');
      await expect(page.getByLabel('Stats polling (s)')).toHaveAttribute('placeholder', '2');
      await expect(stat('stat-total-memory')).toHaveText('517,681,152');
      await expect(stat('stat-disk-caches')).toHaveText('134,217,728');
      await expect(stat('stat-free-memory')).toHaveText('383,463,424');
      await expect(stat('stat-available-memory')).toHaveText('509,677,568');
      await expect(stat('stat-minor-faults')).toHaveText('73,728');
      // Before "app" exits, the host's last stats show it: 160 MiB less free memory.
      await goTo(page, '9.000000 s: free workload "app"', 9);
      await expect(updated).toHaveText('guest-stats, last update at 8 s (−1: never sent)');
      await expect(stat('stat-free-memory')).toHaveText('215,691,264');
      await expect(stat('stat-disk-caches')).toHaveText('134,217,728');
    },
  },
  {
    file: 'compaction.json',
    moment: 'compaction migrates 12,994 balloon pages; the balloon keeps its size',
    endS: 10,
    async check(page) {
      await expect(dmesg(page)).toContainText(
        '[    6.398683] compaction: migrated 23234 pages (12994 balloon), 0 failed; largest free block order 10',
      );
      // Each move inflated the new page and deflated the old: the old places are wanted again.
      await expect(host(page, 'actual')).toHaveText('14,336 pages');
      await expect(legend(page, 'host', 'discarded')).toHaveText('14,336 frames · 56 MiB');
      await expect(legend(page, 'host', 'wanted')).toHaveText(/^12,994 frames · /);
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
      await expect(guest(page, 'MemTotal')).toHaveText('242.8 MiB');
      await expect(page.getByRole('button', { name: 'Unplug device' })).toBeDisabled();
      await expect(page.getByRole('button', { name: 'Suspend' })).toBeDisabled();
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
      await expect(host(page, 'rss')).toHaveText('214.0 MiB');
      await goTo(page, '3.000000 s: balloon 128 MiB (logical size)', 3);
      await expect(host(page, 'rss')).toHaveText('214.0 MiB');
    },
  },
  {
    file: 'host-64k-pages.json',
    moment: 'whole 64 KiB host pages are given back: 120 of the 128 MiB',
    endS: 9,
    async check(page) {
      await expect(page.locator('.panel.host')).toContainText('guest 4 KiB, host 64 KiB');
      await expect(host(page, 'actual')).toHaveText('32,768 pages');
      await expect(legend(page, 'host', 'discarded')).toHaveText('30,720 frames · 120 MiB');
      await expect(host(page, 'rss')).toHaveText('93.2 MiB');
      await goTo(page, '3.000000 s: balloon 128 MiB (logical size)', 3);
      await expect(host(page, 'rss')).toHaveText('213.2 MiB');
    },
  },
  {
    file: 'must-tell-host.json',
    moment: 'offered MUST_TELL_HOST, the driver tells the host before it reuses a page',
    endS: 9,
    async check(page) {
      await expect(page.locator('.panel.host .chips').first()).toHaveText(
        'MUST_TELL_HOST · STATS_VQ · DEFLATE_ON_OOM',
      );
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
  deviceFault('write-flag', 'Balloon buffer 0 is device-writable; balloon buffers are driver→device only'),
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
    moment: 'a stats storm: the two buffers chase each other every 24 µs, no reset',
    endS: 2.3,
    async check(page) {
      await expect(alarm(page)).toHaveCount(0);
      await expect(host(page, 'status')).toHaveText(DRIVER_OK);
      const warning =
        'qemu-system-x86_64: warning: stats: the driver added a second stats buffer; the device returns the first';
      // QEMU's stderr shows its last 50 lines: the storm fills them, one round trip apart, to the end.
      const lines = await hostLines(page);
      expect(lines).toHaveLength(50);
      expect(lines.filter((l) => l.endsWith(warning))).toHaveLength(50);
      expect(hostLineUs(lines[49])).toBe(2_300_000);
      for (let k = 1; k < lines.length; k++) expect(hostLineUs(lines[k]) - hostLineUs(lines[k - 1])).toBe(24);
      await expect(dmesg(page)).not.toContainText('qemu-system-x86_64');
      await goTo(page, '1.500000 s: fault: second-stats-buffer on the next buffer', 1.5);
      await expect(hostLog(page)).toHaveCount(0);
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
    if (c.file === 'big-guest.json') test.setTimeout(120_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await playToEnd(page, entry, c.endS);
    await c.check(page);
    expect(errors).toEqual([]);
  });
}
