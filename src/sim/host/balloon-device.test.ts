// The device details of QEMU 7.2's virtio-balloon (hw/virtio/virtio-balloon.c, softmmu/balloon.c),
// each held against the simulation: the stats timer, a reset, unplug, virtio_error on a legacy device.
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario.ts';
import { bundledScenario, newSim, scenario } from '../testing.ts';

const base = (steps: unknown[], device: Record<string, unknown> = {}): Scenario =>
  scenario({
    version: 1,
    name: 'device test',
    seed: 5,
    guest: { memoryMiB: 64, pageKiB: 4, swapMiB: 0 },
    device: { features: ['STATS_VQ'], statsPollingIntervalS: 0, hostPageKiB: 4, ...device },
    steps,
  });

/** When the device handed the stats buffer back (virtqueue_flush on the stats queue), in µs. */
function statsFlushes(trace: string): number[] {
  return trace
    .split('\n')
    .filter((l) => l.includes('virtqueue_flush vq 0x3000'))
    .map((l) => {
      const [s, us] = l.slice(l.indexOf('@') + 1, l.indexOf(':')).split('.');
      return Number(s) * 1e6 + Number(us);
    });
}

describe('the stats timer (balloon_stats_*)', () => {
  it('a first interval fires at once; a change while waiting re-arms at now + the new interval', () => {
    // Polling every 10 s from 1 s: the first poll at once, the next due at ~11 s. At 4 s the interval
    // becomes 2 s: QEMU's timer_mod moves it to 4 s + 2 s, not 1 s + 2 s nor 11 s.
    const sim = newSim(
      base([
        { at: 1, do: 'stats-interval', s: 10 },
        { at: 4, do: 'stats-interval', s: 2 },
        { at: 9, do: 'end' },
      ]),
    );
    sim.runToEnd();
    const flushes = statsFlushes(sim.trace.toText());
    expect(flushes[0]).toBeGreaterThanOrEqual(1_000_000);
    expect(flushes[0]).toBeLessThan(1_001_000);
    const after4 = flushes.filter((us) => us > 4_000_000);
    expect(after4[0]).toBeGreaterThan(5_999_000);
    expect(after4[0]).toBeLessThan(6_000_500);
    expect(flushes.filter((us) => us > 1_001_000 && us < 4_000_000)).toEqual([]);
  });

  it('timer ticks are not a metronome: each is due at a whole ms and runs within 0.5 ms of it', () => {
    const sim = newSim(bundledScenario('stats-polling.json'), { recordCalls: false });
    sim.runToEnd();
    const flushes = statsFlushes(sim.trace.toText());
    const gaps = flushes.slice(2).map((us, k) => us - flushes[k + 1]);
    expect(new Set(gaps).size).toBeGreaterThan(1);
    for (const gap of gaps) {
      // The guest answers within a few hundred µs; the timer is re-armed then, a whole number of
      // seconds on (the scenario changes its interval), less the sub-millisecond part of the clock,
      // plus the main loop's delay.
      const off = gap % 1_000_000;
      expect(Math.min(off, 1_000_000 - off)).toBeLessThan(2_000);
    }
  });

  it('stops at unplug, and QMP then answers as QEMU does without a balloon device', () => {
    const sim = newSim(bundledScenario('unplug.json'), { recordCalls: false });
    sim.runUntilUs(4_000_000);
    expect(sim.device.queryBalloon()).toEqual({ actual: 128 * 1048576 });
    sim.runToEnd();
    const flushes = statsFlushes(sim.trace.toText());
    // The driver's remove resets the device well before 5 s; after that no poll, ever.
    expect(flushes.filter((us) => us > 5_000_000)).toEqual([]);
    expect(sim.device.statsPollingInterval).toBe(0);
    expect(sim.device.queryBalloon()).toEqual({ error: 'No balloon device has been activated' });
    expect(sim.device.balloon(64 * 1048576)).toBe('No balloon device has been activated');
    expect(sim.summary().query_balloon_actual_bytes).toBeNull();
  });
});

describe('a device reset (virtio_balloon_device_reset)', () => {
  it('keeps num_pages, actual and the last stats', () => {
    const sim = newSim(
      base([
        { at: 0.5, do: 'stats-interval', s: 1 },
        { at: 1, do: 'balloon', MiB: 48 },
        { at: 3, do: 'end' },
      ]),
    );
    sim.runToEnd();
    const before = { num: sim.device.numPages, actual: sim.device.actual, stats: sim.device.guestStats() };
    expect(before.actual).toBe(4096);
    expect(before.stats.stats['stat-total-memory']).toBeGreaterThan(0);
    sim.transport.reset();
    expect(sim.device.numPages).toBe(before.num);
    expect(sim.device.actual).toBe(before.actual);
    expect(sim.device.guestStats().stats).toEqual(before.stats.stats);
    expect(sim.device.holdingStats).toBe(false); // the held buffer is given up
  });
});

describe('virtio_error', () => {
  it('on a legacy device: no DEVICE_NEEDS_RESET and no config interrupt', () => {
    const legacy = base(
      [
        { at: 1, do: 'balloon', MiB: 48 },
        { at: 1, do: 'fault', kind: 'loop' },
        { at: 3, do: 'end' },
      ],
      {
        legacy: true,
      },
    );
    const modern = { ...legacy, device: { ...legacy.device, legacy: false } };
    const configChanges = (s: Scenario) => {
      const sim = newSim(s, { recordCalls: false });
      let n = 0;
      sim.events.on('device-error', () => {
        const was = sim.transport.driver!.configChanged;
        sim.transport.driver!.configChanged = () => {
          n++;
          was();
        };
      });
      sim.runToEnd();
      return { n, summary: sim.summary() };
    };
    const l = configChanges(legacy);
    expect(l.summary.errors.map((e) => e.kind)).toEqual(['loop']);
    expect(l.summary.device.needs_reset).toBe(false);
    expect(l.n).toBe(0);
    const m = configChanges(modern);
    expect(m.summary.device.needs_reset).toBe(true);
    expect(m.n).toBe(1);
  });
});

describe('config space access (virtio_config_readb/writeb on a legacy device)', () => {
  const configLines = (file: string) => {
    const sim = newSim(bundledScenario(file), { recordCalls: false });
    sim.runUntilUs(3_000_000);
    return sim.trace
      .toText()
      .split('\n')
      .filter((l) => /virtio_balloon_[gs]et_config/.test(l))
      .map((l) => l.slice(l.indexOf(':') + 1));
  };

  it('a legacy device is read and written byte by byte: four get_config and four set_config lines', () => {
    const lines = configLines('legacy.json');
    // The first inflate batch's actual: 0 → 256 written as bytes 0x00, 0x01, 0x00, 0x00; QEMU traces
    // the whole field after each byte.
    const i = lines.indexOf('virtio_balloon_set_config actual: 256 oldactual: 0');
    expect(i).toBeGreaterThan(0);
    expect(lines.slice(i - 1, i + 3)).toEqual([
      'virtio_balloon_set_config actual: 0 oldactual: 0',
      'virtio_balloon_set_config actual: 256 oldactual: 0',
      'virtio_balloon_set_config actual: 256 oldactual: 256',
      'virtio_balloon_set_config actual: 256 oldactual: 256',
    ]);
    // Every read of num_pages is four reads of the config.
    const gets = lines.filter((l) => l.startsWith('virtio_balloon_get_config'));
    expect(gets.length % 4).toBe(0);
    const sets = lines.filter((l) => l.startsWith('virtio_balloon_set_config'));
    expect(sets.length % 4).toBe(0);
  });

  it('a modern device: one line per access', () => {
    const lines = configLines('inflate-deflate.json');
    const i = lines.indexOf('virtio_balloon_set_config actual: 256 oldactual: 0');
    expect(lines[i + 1]).toBe('virtio_balloon_get_config num_pages: 32768 actual: 256');
  });
});
