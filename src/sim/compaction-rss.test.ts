// What compaction does to host RSS, with the device in the loop: a balloon page's move inflates its
// new page (QEMU discards it, backed or not) and deflates the old one (backed again only when touched),
// so RSS falls by each target the guest had touched before and stays for untouched ones. The real run 2
// of docs/calibration.md: 1,319 balloon pages moved into a removed file's pages, RSS 291 → 285 MiB.
import { describe, expect, it } from 'vitest';
import { HOST_RESIDENT } from '../core/abi.ts';
import { newSim, scenario } from './testing.ts';

function run(steps: object[]) {
  const sim = newSim(
    scenario({
      version: 1,
      name: 'compaction and RSS',
      seed: 1,
      guest: { memoryMiB: 256, pageKiB: 4, swapMiB: 0 },
      device: { features: ['STATS_VQ'], statsPollingIntervalS: 0, hostPageKiB: 4 },
      steps: [...steps, { at: 6, do: 'compact' }, { at: 10, do: 'end' }],
    }),
    { recordCalls: false },
  );
  sim.runUntilUs(5_999_000);
  const backed = Uint8Array.from(sim.core.host);
  const rssBefore = sim.summary().host.rss_bytes;
  const targets: number[] = [];
  sim.events.on('migration', (m) => targets.push(m.to));
  sim.runToEnd();
  const touched = targets.filter((p) => backed[p] === HOST_RESIDENT).length;
  return { sim, targets, touched, drop: (rssBefore - sim.summary().host.rss_bytes) / 4096 };
}

describe('host RSS across compaction', () => {
  it('stays when the balloon pages move into pages the guest never touched', () => {
    const { sim, targets, touched, drop } = run([
      { at: 1, do: 'workload', kind: 'file', MiB: 60, name: 'a' },
      { at: 2, do: 'balloon', MiB: 200 },
      { at: 3, do: 'workload', kind: 'anon', MiB: 40, name: 'b' },
      { at: 5, do: 'free', name: 'a' },
    ]);
    expect(targets.length).toBe(sim.summary().counters.balloon_migrate);
    expect(targets.length).toBeGreaterThan(100);
    expect(touched).toBe(0);
    expect(drop).toBe(0);
  });

  it('falls by one page for each balloon page moved into a page the guest had touched', () => {
    // "c" fills the rest of b's last pageblock and is freed: those pages are backed, and free.
    const { targets, touched, drop } = run([
      { at: 1, do: 'workload', kind: 'file', MiB: 60, name: 'a' },
      { at: 2, do: 'balloon', MiB: 200 },
      { at: 3, do: 'workload', kind: 'anon', MiB: 40, name: 'b' },
      { at: 3.5, do: 'workload', kind: 'file', MiB: 1, name: 'c' },
      { at: 4, do: 'free', name: 'c' },
      { at: 5, do: 'free', name: 'a' },
    ]);
    expect(targets.length).toBeGreaterThan(100);
    expect(touched).toBeGreaterThan(0);
    expect(drop).toBe(touched);
  });
});
