// Whole runs, held against what a real Linux guest under QEMU does and what the seed's code says.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { STAT_SERIES } from './sim.ts';
import { bundledScenario, newSim, randomScenario, runChecked, scenario } from './testing.ts';
import { parseTrace } from './trace-parse.ts';
import { summarizeTrace } from './trace-summary.ts';

function traceSummary(text: string) {
  const parsed = parseTrace(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return { summary: summarizeTrace(parsed.events), events: parsed.events };
}

describe('inflate then deflate (256 MiB → 128 MiB → 256 MiB)', () => {
  const sim = newSim(bundledScenario('inflate-deflate.json'));
  const check = runChecked(sim, 50);
  const { summary } = traceSummary(sim.trace.toText());

  it('keeps every invariant', () => expect(check.problems).toEqual([]));

  it('sends 128 inflate buffers of 256 PFNs, actual rising by 256 after each', () => {
    const inflate = summary.batches.filter((b) => b.role === 'inflate');
    expect(inflate).toHaveLength(128);
    expect(inflate.every((b) => b.pfns.length === 256)).toBe(true);
    const rising = summary.actual.filter((a) => a.actual > a.oldActual);
    expect(rising).toHaveLength(128);
    expect(rising.every((a) => a.actual - a.oldActual === 256)).toBe(true);
    expect(rising.at(-1)?.actual).toBe(32768);
  });

  it('then 128 deflate buffers giving back exactly the pages it took', () => {
    const inflate = summary.batches.filter((b) => b.role === 'inflate');
    const deflate = summary.batches.filter((b) => b.role === 'deflate');
    expect(deflate).toHaveLength(128);
    const took = new Set(inflate.flatMap((b) => [...b.pfns]));
    const gave = deflate.flatMap((b) => [...b.pfns]);
    expect(gave.length).toBe(took.size);
    expect(gave.every((p) => took.has(p))).toBe(true);
    expect(summary.actual.at(-1)?.actual).toBe(0);
  });

  it('pops the stats queue once per polling period', () => {
    const stats = summary.batches.filter((b) => b.role === 'stats');
    const gaps = stats.slice(2).map((b, i) => b.popUs - stats[i + 1].popUs);
    expect(stats.length).toBeGreaterThanOrEqual(13);
    expect(gaps.every((g) => g > 990_000 && g < 1_010_000)).toBe(true);
  });

  it('leaves the guest and the host where they started', () => {
    const s = sim.summary();
    expect(s.actual).toBe(0);
    expect(s.query_balloon_actual_bytes).toBe(256 * 1048576);
    expect(s.errors).toEqual([]);
  });
});

describe('against the real trace (Linux 6.1 under QEMU 7.2)', () => {
  const fixture = readFileSync(
    new URL('../../../shared/fixtures/qemu-inflate.trace', import.meta.url),
    'utf8',
  );
  it('a run of the same steps has the same batches and the same actual, in the same order', () => {
    const real = traceSummary(fixture).summary;
    const sim = newSim(
      scenario({
        version: 1,
        name: 'as recorded',
        seed: 1,
        guest: { memoryMiB: 256, pageKiB: 4, swapMiB: 0 },
        device: { features: ['STATS_VQ'], statsPollingIntervalS: 1 },
        steps: [
          { at: 2, do: 'balloon', MiB: 240 },
          { at: 8, do: 'balloon', MiB: 256 },
          { at: 13, do: 'end' },
        ],
      }),
    );
    sim.runToEnd();
    const ours = traceSummary(sim.trace.toText()).summary;
    const shape = (s: typeof real) =>
      s.batches.filter((b) => b.role !== 'stats').map((b) => `${b.role}:${b.pfns.length}`);
    expect(shape(ours)).toEqual(shape(real));
    expect(ours.actual.map((a) => a.actual)).toEqual(real.actual.map((a) => a.actual));
    expect(ours.targets.map((t) => t.numPages)).toEqual(real.targets.map((t) => t.numPages));
  });
});

describe('out of puff', () => {
  const sim = newSim(bundledScenario('out-of-puff.json'));
  const check = runChecked(sim, 25);
  const { summary } = traceSummary(sim.trace.toText());

  it('keeps every invariant', () => expect(check.problems).toEqual([]));

  it('logs "Out of puff!" and retries every 200 ms, writing the same actual each time', () => {
    const puffs = sim.log.lines.filter((l) => l.text.includes('Out of puff!'));
    expect(puffs.length).toBeGreaterThan(5);
    const gaps = puffs.slice(1).map((l, i) => l.us - puffs[i].us);
    expect(gaps.every((g) => g >= 200_000)).toBe(true);
    const same = summary.actual.filter((a) => a.actual === a.oldActual);
    expect(same.length).toBeGreaterThan(5);
  });

  it('ends batches early when the pages run out, and finishes once memory is freed', () => {
    const inflate = summary.batches.filter((b) => b.role === 'inflate');
    expect(inflate.some((b) => b.pfns.length < 256)).toBe(true);
    expect(sim.summary().actual).toBe((256 - 72) * 256);
  });
});

describe('deflate on OOM', () => {
  it('with DEFLATE_ON_OOM the notifier deflates 256 pages at a time and nothing is killed', () => {
    const sim = newSim(bundledScenario('deflate-on-oom.json'));
    const memTotalBefore = sim.summary().guest.MemTotal;
    const check = runChecked(sim, 25);
    expect(check.problems).toEqual([]);
    const calls = sim.calls.filter((c) => c.fn === 'virtballoon_oom_notify');
    expect(calls.length).toBeGreaterThan(0);
    const leaks = sim.calls.filter((c) => c.fn === 'leak_balloon');
    expect(leaks.every((c) => c.detail === 'num=256')).toBe(true);
    expect(sim.kernel.vm.oomKill).toBe(0);
    expect(sim.kernel.workloads.get('app')?.state).toBe('resident');
    // MemTotal never shrank, although the balloon held 160 MiB: with DEFLATE_ON_OOM the balloon's pages
    // stay counted as managed (the seed's fill_balloon skips adjust_managed_page_count then)
    expect(sim.summary().actual).toBeGreaterThan(0);
    expect(sim.summary().guest.MemTotal).toBe(memTotalBefore);
    // the OOM path does not re-queue the size work: the host's target is left unmet
    expect(sim.summary().actual).toBeLessThan((256 - 96) * 256);
  });

  it('without it the balloon keeps its pages, MemTotal has shrunk, and the OOM killer kills', () => {
    const sim = newSim(bundledScenario('oom-kill.json'));
    const memTotalBefore = sim.summary().guest.MemTotal;
    expect(runChecked(sim, 25).problems).toEqual([]);
    // Without DEFLATE_ON_OOM each balloon page leaves the managed count: MemTotal drops by all 160 MiB.
    expect(sim.summary().guest.MemTotal).toBe(memTotalBefore - 160 * 1048576);
    expect(sim.kernel.vm.oomKill).toBe(1);
    expect(sim.log.lines.some((l) => l.text.startsWith('Killed process'))).toBe(true);
    expect(sim.summary().actual).toBe((256 - 96) * 256);
  });
});

describe('every bundled scenario', () => {
  const files = JSON.parse(
    readFileSync(new URL('../../public/scenarios/index.json', import.meta.url), 'utf8'),
  ).scenarios as { file: string }[];
  it.each(files.filter((f) => f.file !== 'big-guest.json').map((f) => f.file))(
    '%s runs, keeping every invariant',
    (file) => {
      const sim = newSim(bundledScenario(file), { recordCalls: false });
      const { problems } = runChecked(sim, 499);
      expect(problems).toEqual([]);
    },
  );

  it.each([
    ['fault-loop.json', 'loop'],
    ['fault-next-oob.json', 'next-oob'],
    ['fault-head-oob.json', 'head-oob'],
    ['fault-avail-jump.json', 'avail-jump'],
    ['fault-zero-len.json', 'zero-len'],
    ['fault-bad-gpa.json', 'bad-gpa'],
    ['fault-indirect-bad-size.json', 'indirect-bad-size'],
  ])('%s stops the device with %s and DEVICE_NEEDS_RESET', (file, kind) => {
    const sim = newSim(bundledScenario(file), { recordCalls: false });
    sim.runToEnd();
    const s = sim.summary();
    expect(s.errors.map((e) => e.kind)).toEqual([kind]);
    expect(s.device.needs_reset).toBe(true);
    expect(s.device.status_names).toContain('DEVICE_NEEDS_RESET');
  });

  it('a PFN past the end of RAM is skipped and traced, not an error', () => {
    const sim = newSim(bundledScenario('fault-bad-pfn.json'), { recordCalls: false });
    sim.runToEnd();
    expect(sim.summary().errors).toEqual([]);
    expect(sim.trace.toText()).toMatch(/virtio_balloon_bad_addr 0x[0-9a-f]+$/m);
  });

  it('a device-writable inflate buffer is ignored as QEMU ignores it: no error, no discard, no reset', () => {
    const sim = newSim(bundledScenario('fault-write-flag.json'), { recordCalls: false });
    const rss: number[] = [];
    sim.events.on('used-push', ({ queue }) => {
      if (queue === 'inflate') rss.push(sim.device.hostRss());
    });
    sim.runUntilUs(3_000_000);
    const rssBefore = sim.device.hostRss();
    sim.runToEnd();
    const popped =
      sim.trace
        .toText()
        .split('\n')
        .find((l) => l.includes('in_num 1 out_num 0')) ?? '';
    const s = sim.summary();
    expect(s.errors).toEqual([]);
    expect(s.device.needs_reset).toBe(false);
    // QEMU pops it (in_num 1, out_num 0: no PFN to read) and hands it back.
    expect(popped).toMatch(/virtqueue_pop vq 0x1000 elem 0x[0-9a-f]+ in_num 1 out_num 0$/);
    // The guest counts the pages as ballooned and says so in actual; the host discarded none of the
    // first batch: RSS after it is what it was before.
    expect(s.actual).toBe(s.num_pages);
    expect(rss[rss.length - 16]).toBe(rssBefore);
  });

  it('a second stats buffer waits in the ring; EVENT_IDX then keeps the driver from kicking: stats stop', () => {
    const sim = newSim(bundledScenario('fault-second-stats-buffer.json'), { recordCalls: false });
    sim.runToEnd();
    const statsLines = sim.trace
      .toText()
      .split('\n')
      .filter((l) => l.includes('vq 0x3000'));
    const pops = statsLines.filter((l) => l.includes('virtqueue_pop'));
    const lastPop = pops.at(-1)!;
    // The fault lands with the stats request at ~2 s: the device pops one of the two buffers, hands it
    // back at ~3 s, and never pops again: QEMU's avail event is one behind what the driver added.
    expect(lastPop).toMatch(/^1@2\.\d{6}:/);
    expect(statsLines.at(-1)).toMatch(/^1@3\.\d{6}:virtqueue_flush vq 0x3000 count 1$/);
    // No warning (QEMU prints none), no reset; the host keeps the stats of 2 s.
    expect(sim.hostLog.lines).toEqual([]);
    expect(sim.summary().device.needs_reset).toBe(false);
    expect(sim.device.guestStats()['last-update']).toBe(2);
  });
});

describe('determinism', () => {
  // The simulation's PRNG times its sleeps and timers (timing.ts; seed.test.ts shows two seeds give
  // two runs). The checks here: a run never reads the wall clock or Math.random, two runs of the same
  // scenario agree byte for byte, and random scenarios (built from a seed) differ when their seeds do,
  // so equal traces are not equal by accident.
  it('a run never reads the wall clock or Math.random', () => {
    const sim = newSim(bundledScenario('compaction.json'), { recordCalls: false });
    const forbidden = () => {
      throw new Error('the simulation read the wall clock or Math.random');
    };
    const spies = [
      vi.spyOn(Math, 'random').mockImplementation(forbidden),
      vi.spyOn(Date, 'now').mockImplementation(forbidden),
      vi.spyOn(performance, 'now').mockImplementation(forbidden),
    ];
    try {
      sim.runToEnd();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(sim.summary().time_s).toBe(10);
  });

  it('the same scenario and seed give the same trace, byte for byte', () => {
    const a = newSim(bundledScenario('compaction.json'), { recordCalls: false });
    const b = newSim(bundledScenario('compaction.json'), { recordCalls: false });
    a.runToEnd();
    b.runToEnd();
    expect(a.trace.toText()).toBe(b.trace.toText());
    expect(a.trace.length).toBeGreaterThan(1000);
  });

  it('random scenarios: the same seed gives the same trace, another seed another', () => {
    const run = (seed: number) => {
      const sim = newSim(randomScenario(seed), { recordCalls: false });
      sim.runToEnd();
      return sim.trace.toText();
    };
    const first = run(7);
    expect(run(7)).toBe(first);
    // Past the first line, which names the seed: the runs themselves differ.
    const body = (t: string) => t.slice(t.indexOf('\n') + 1);
    expect(body(run(8))).not.toBe(body(first));
  });
});

describe('series for the plots', () => {
  it('sample target, actual and host RSS whenever they change, in time order', () => {
    const sim = newSim(bundledScenario('inflate-deflate.json'));
    sim.runToEnd();
    const { us, actual, numPages, hostRss } = sim.series;
    expect(us.length).toBeGreaterThan(256);
    expect(us.every((t, i) => i === 0 || t > us[i - 1])).toBe(true);
    expect(Math.max(...actual)).toBe(32768);
    expect(Math.max(...numPages)).toBe(32768);
    expect(actual.at(-1)).toBe(0);
    // the host's RSS fell while the balloon was full: it is at its lowest when actual is at its highest
    const peak = actual.indexOf(32768);
    expect(hostRss[peak]).toBeLessThanOrEqual(Math.min(...hostRss.slice(0, peak)));
  });

  it('sample all eight stats tags as the host received them, when it received them', () => {
    const sim = newSim(bundledScenario('stats-polling.json'));
    const { series } = sim;
    // Each change of what qom-get guest-stats says, and when.
    const changes: { us: number; stats: number[] }[] = [];
    // What the host holds at boot (every stat unset) is the boot sample's; changes come after.
    let last = Object.values(sim.device.guestStats().stats).slice(0, 8).join();
    while (sim.step()) {
      const stats = Object.values(sim.device.guestStats().stats).slice(0, 8);
      if (stats.join() !== last) changes.push({ us: sim.nowUs, stats });
      last = stats.join();
    }
    expect(changes.length).toBeGreaterThan(3);
    for (const key of STAT_SERIES) expect(series[key]).toHaveLength(series.us.length);
    // a sample at the very moment the device took each new buffer, holding its values
    for (const { us, stats } of changes) {
      const i = series.us.indexOf(us);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(STAT_SERIES.map((key) => series[key][i])).toEqual(stats);
    }
    const minor = series.statMinorFaults;
    expect(minor.every((v, i) => i === 0 || v >= minor[i - 1])).toBe(true);
    expect(Math.max(...minor)).toBeGreaterThan(0);
    expect(new Set(series.statDiskCaches).size).toBeGreaterThan(1);
    expect(series.statTotalMemory.at(-1)).toBe(sim.summary().stats.stats['stat-total-memory']);
  });
});

describe('sim-only trace events', () => {
  it('carry the balloonlab_ prefix once: a fault and the guest log', () => {
    const sim = newSim(bundledScenario('fault-loop.json'));
    sim.runToEnd();
    const text = sim.trace.toText();
    expect(text).toMatch(/:balloonlab_fault kind=loop/);
    expect(text).toMatch(/:balloonlab_guest_log level=/);
    expect(text).not.toContain('balloonlab_balloonlab_');
  });
});

describe('QEMU stderr', () => {
  it('keeps the host device warnings apart from the guest dmesg', () => {
    const sim = newSim(bundledScenario('host-2m-pages.json'));
    sim.runToEnd();
    const warning =
      'qemu-system-x86_64: warning: Balloon used with backing page size > 4kiB, this may not be reliable';
    expect(sim.hostLog.lines.map((l) => l.text)).toEqual([warning]);
    expect(sim.log.lines.some((l) => l.text.includes('qemu-system'))).toBe(false);
    expect(sim.trace.toText()).toContain('balloonlab_host_log level=warn');
  });
});
