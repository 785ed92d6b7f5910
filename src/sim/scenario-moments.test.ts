// The numbers the bundled scenarios are known by, pinned here once, each with where it comes from.
// The end-to-end tests check that the page shows what window.balloonLab.summary() says; these tests
// check that the simulation says what the scenario teaches. A change to any value here is a change
// in behaviour: check it against the scenario's story (and the seed driver) before updating it.
import { describe, expect, it } from 'vitest';
import { HOST_DISCARDED } from '../core/abi.ts';
import { bundledScenario, newSim } from './testing.ts';

const MiB = 1048576;

describe('out-of-puff.json: 160 MiB of anon on a 256 MiB guest, then a 72 MiB target', () => {
  const sim = newSim(bundledScenario('out-of-puff.json'), { recordCalls: false });
  const puffs: number[] = [];
  sim.events.on('out-of-puff', () => puffs.push(sim.nowUs));
  sim.runUntilUs(3_000_000);
  const atTarget = sim.summary();
  sim.runUntilUs(5_000_000);
  const stuck = sim.summary();
  const free5 = sim.kernel.freePages;
  sim.runToEnd();
  const puffLines = sim.log.lines.filter(
    (l) => l.text === "virtio_balloon virtio0: Out of puff! Can't get 1 pages",
  );

  it('asks for 47,104 pages at 3 s: 256 MiB − 72 MiB in 4 KiB pages', () => {
    expect(atTarget.num_pages).toBe(((256 - 72) * MiB) / 4096);
  });

  it('runs out at 3.033904 s and stays at 7,481 pages: all the guest had free beside "app"', () => {
    // The calibrated 256 MiB guest boots with 48,903 pages free (195,612 kB; the real guest 195,616):
    // less the workload's 40,960 and the min watermark's 462 (alloc_page's slow path goes no lower)
    // leaves 7,481. The first "Out of puff!" comes when the allocation fails, after the batches'
    // simulated round trips; the pages in hand go to the host after it.
    expect(puffs[0]).toBe(3_033_904);
    expect(stuck.actual).toBe(7_481);
    expect(free5).toBe(462);
    expect(48_903 - 40_960 - 462).toBe(7_481);
  });

  it('retries after msleep(200) and a scheduling delay, median ~208 ms as in a real run, until 8 s', () => {
    // msleep(200) at HZ=250 sleeps to the 51st tick (200–204 ms), then the task waits to run (0–10 ms,
    // from the seed's PRNG: timing.ts), then the retry's own work (~1 ms) until alloc fails again.
    // A real Linux 6.1 guest under QEMU 7.2 retried with a median of 0.208 s.
    expect(puffs).toHaveLength(24);
    const gaps = puffs.slice(1).map((us, k) => us - puffs[k]);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThan(200_000);
      expect(gap).toBeLessThan(216_000);
    }
    const median = [...gaps].sort((a, b) => a - b)[gaps.length >> 1];
    expect(median).toBeGreaterThan(205_000);
    expect(median).toBeLessThan(211_000);
    expect(new Set(gaps).size).toBe(gaps.length); // not a metronome
    expect(puffs[23]).toBeLessThan(8_000_000);
    // The second, with seed 1 (the scenario's): pinned so a change of the draws is seen. (The first
    // draw places the kernel image, boot-layout.ts; the sleeps' draws come after it.)
    expect(puffs[1]).toBe(3_240_434);
  });

  it('prints "Out of puff!" only 10 times: dev_info_ratelimited allows 10 lines in 5 s', () => {
    // The other 14 fall in the same 5 s interval (3.03 s to 8.03 s); "app" is freed at 8 s, so no
    // call comes after the interval to print "fill_balloon: 14 callbacks suppressed".
    expect(puffLines).toHaveLength(10);
    expect(puffLines.map((l) => l.us)).toEqual(puffs.slice(0, 10));
    expect(sim.log.lines.some((l) => l.text.includes('callbacks suppressed'))).toBe(false);
  });

  it('reaches the target once the workload has gone', () => {
    expect(sim.summary().actual).toBe(47_104);
  });
});

describe('compaction.json: a file cache freed under a 200 MiB target, then compact_memory at 6 s', () => {
  const sim = newSim(bundledScenario('compaction.json'), { recordCalls: false });
  sim.runToEnd();
  const line = sim.log.lines.find((l) => l.text.startsWith('compaction: migrated'));
  const c = sim.summary().counters;

  it('migrates 263 balloon pages, at 6.007759 s, where the scanners meet', () => {
    // The 200 MiB logical size of a 256 MiB guest puts 56 MiB (14,336 pages) in the balloon, above
    // cache "a" (60 MiB) and below "b" (40 MiB, started after it). Freeing "a" at 5 s leaves whole free
    // pageblocks, which the free scanner passes over (suitable_migration_target); its only targets
    // are the 263 free pages of the pageblock where "b" ends. The migrate scanner, coming up from the
    // bottom, moves as many balloon pages into them, and the pass ends where the scanners meet. (A
    // real 256 MiB guest, files a and b written to tmpfs before the balloon, migrated 1,792 pages,
    // 5 of them the balloon's: docs/calibration.md.)
    expect(line?.text).toBe(
      'compaction: migrated 263 pages (263 balloon), 0 failed; largest free block order 10',
    );
    expect(line?.us).toBe(6_007_759);
    expect(c.balloon_migrate).toBe(263);
    expect(c.pgmigrate_success).toBe(263);
    // Both scanners' isolations (263 each, and 32 the last round could not place); the one page that
    // found no target is pgmigrate_fail, as migrate_pages counts -ENOMEM.
    expect(c.compact_isolated).toBe(558);
    expect(c.pgmigrate_fail).toBe(1);
    // Seed 1 puts the kernel image at 124 MiB, above where the scanners meet, so the migrate
    // scanner walks 7,588 pages; a seed that puts it below (seed 4: 52 MiB) makes it walk 13,727.
    expect(c.compact_migrate_scanned).toBe(7_588);
    expect(c.compact_free_scanned).toBe(24_064);
  });

  it('keeps the balloon at 14,336 pages through it', () => {
    expect(sim.summary().actual).toBe(14_336);
  });
});

describe('stats-polling.json: a 512 MiB guest polled every second, every 2 s from 6 s on', () => {
  const sim = newSim(bundledScenario('stats-polling.json'), { recordCalls: false });
  sim.runUntilUs(8_500_000);
  const before = sim.summary().stats;
  sim.runToEnd();
  const end = sim.summary().stats;

  it('last heard from the guest at 12 s (every 2 s from 6 s; every second it would be 13 s)', () => {
    expect(end['last-update']).toBe(12);
    expect(before['last-update']).toBe(8);
  });

  it('reports what the guest has at the end: 128 MiB of cache, "app" gone', () => {
    // total 492,847,104 = 481,296 kB, the calibrated 512 MiB guest's MemTotal (the real guest's is
    // 481,300 kB); the disk caches are the 128 MiB workload "cache" exactly; free is the boot's
    // 453,276 kB (real: 453,896) less the cache once "app" (160 MiB) is freed, and available adds the
    // cache and reclaimable slab less what si_mem_available keeps.
    expect(end.stats['stat-total-memory']).toBe(492_847_104);
    expect(end.stats['stat-disk-caches']).toBe(128 * MiB);
    expect(end.stats['stat-free-memory']).toBe(329_936_896);
    expect(end.stats['stat-free-memory']).toBe(453_276 * 1024 - 128 * MiB);
    expect(end.stats['stat-available-memory']).toBe(462_163_968);
    expect(end.stats['stat-minor-faults']).toBe(73_728);
  });

  it('showed 160 MiB less free memory while "app" lived (the stats of 8 s)', () => {
    // The boot's 453,276 kB free less both workloads (288 MiB).
    expect(before.stats['stat-free-memory']).toBe(162_164_736);
    expect(before.stats['stat-free-memory']).toBe(453_276 * 1024 - 288 * MiB);
    expect(end.stats['stat-free-memory'] - before.stats['stat-free-memory']).toBe(160 * MiB);
  });
});

describe('deflate-on-oom.json: the stats the host holds at 10 s', () => {
  const sim = newSim(bundledScenario('deflate-on-oom.json'), { recordCalls: false });
  sim.runUntilUs(10_000_000);
  const { stats } = sim.summary().stats;

  it('total memory is MemTotal as the guest reports it: 228,999,168 bytes (223,632 kB)', () => {
    // 256 MiB less what the calibrated kernel reserves (the real guest: 223,636 kB); with
    // DEFLATE_ON_OOM the balloon stays counted.
    expect(stats['stat-total-memory']).toBe(228_999_168);
    expect(stats['stat-total-memory']).toBe(sim.summary().guest.MemTotal);
  });

  it('minor faults: 35,840, one per page "app" touched (140 MiB by then), none swapped', () => {
    expect(stats['stat-minor-faults']).toBe(35_840);
    expect(stats['stat-minor-faults']).toBe((140 * MiB) / 4096);
    expect(stats['stat-swap-out']).toBe(0);
  });
});

describe('oom-reinflate.json: 248 MiB asked of a 256 MiB guest, a 96 MiB hog with DEFLATE_ON_OOM', () => {
  const sim = newSim(bundledScenario('oom-reinflate.json'), { recordCalls: false });
  const deflates: number[] = [];
  sim.events.on('oom-notify', (e) => {
    if (e.deflates) deflates.push(sim.sched.now);
  });
  let puffsAfterHog = 0;
  sim.events.on('out-of-puff', () => {
    if (sim.sched.now > 8_000_000) puffsAfterHog++;
  });
  sim.runUntilUs(3_900_000);
  const plateau = sim.summary();
  sim.runUntilUs(7_900_000);
  const squeezed = sim.summary();
  sim.runUntilUs(9_000_000);
  const back = sim.summary();
  sim.runToEnd();
  const end = sim.summary();

  it("plateaus at 48,441 pages (189.2 MiB), within 0.1 % of the real guest's 48,419, short of 63,488", () => {
    // A real Linux 6.1 guest of 256 MiB under QEMU 7.2 asked for 8 MiB (balloon 248 MiB) kept
    // writing actual 48,419 (docs/calibration.md): all it had free at boot less the min watermark.
    // The simulation: 48,903 pages free at boot less min 462.
    expect(plateau.num_pages).toBe(63_488);
    expect(plateau.actual).toBe(48_441);
    expect(Math.abs(plateau.actual - 48_419) / 48_419).toBeLessThan(0.001);
    expect(end.num_pages).toBe(63_488);
    expect(end.actual).toBeLessThan(end.num_pages);
  });

  it('deflates during the OOM instead of killing: 96 deflates of 256 pages, the hog keeps its 96 MiB', () => {
    expect(deflates).toHaveLength(96);
    expect(deflates[0]).toBeGreaterThanOrEqual(4_000_000);
    expect(squeezed.actual).toBe(48_441 - 96 * 256);
    expect(squeezed.counters.oom_kills).toBe(0);
  });

  it('re-inflates once the hog exits, back to the plateau, and keeps retrying every 200 ms', () => {
    expect(back.actual).toBe(48_441);
    expect(end.actual).toBe(48_441);
    expect(puffsAfterHog).toBeGreaterThan(20);
  });
});

describe('host-64k-pages.json: a 128 MiB balloon in a 256 MiB guest whose host pages are 64 KiB', () => {
  const sim = newSim(bundledScenario('host-64k-pages.json'), { recordCalls: false });
  sim.runToEnd();

  it('discards 30,688 frames: only host pages whose 16 frames arrive in a row', () => {
    // QEMU 7.2 keeps one partially ballooned host page per buffer: it discards a 64 KiB page once all
    // 16 of its frames have come in a row, and forgets the partial page when a PFN from another one
    // comes or the buffer ends. The
    // balloon's 32,768 pages fill the free blocks around the kernel image (seed 1 puts it at 124 MiB)
    // and the boot block smallest first, so 2,080 of them come in pieces, and their host pages stay.
    const counts = sim.core.hostCounts();
    expect(counts[HOST_DISCARDED]).toBe(30_688);
    expect(sim.summary().actual).toBe(32_768);
    expect(sim.summary().host.rss_bytes).toBe((65_536 - 30_688) * 4096);
  });
});
