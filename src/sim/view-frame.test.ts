// The map's words for a frame (view-frame.ts): a workload's pages by name, everything else by the
// part of memory boot laid out there, with where KASLR put the kernel image for this seed.
import { describe, expect, it } from 'vitest';
import { K_KERNEL } from './guest/kinds.ts';
import { bundledScenario, newSim } from './testing.ts';
import { describeFrame } from './view-frame.ts';

describe('describeFrame', () => {
  const sim = newSim(bundledScenario('lesson-why-balloon.json'), { recordCalls: false });
  const k = sim.kernel;
  const run = (name: string) => k.bootRuns.find((r) => r.name === name)!;
  const image = run('kernel image');
  const mib = (image.first * 4) / 1024;

  it('names the kernel image, its bss and its freed init sections, with where KASLR put it', () => {
    expect(k.kind[image.first]).toBe(K_KERNEL);
    expect(Number.isInteger(mib)).toBe(true);
    expect(describeFrame(sim, image.first)).toBe(
      `the kernel image: text, rodata, data (KASLR put the image at ${mib} MiB with this seed)`,
    );
    expect(describeFrame(sim, run('kernel bss').first)).toMatch(/^the kernel image's bss \(KASLR/);
    const freed = run('init sections and gaps (freed once up)');
    expect(freed.first).toBe(image.end);
    expect(describeFrame(sim, freed.first)).toMatch(/^in the kernel image, freed once the kernel was up/);
  });

  it('names memblock allocations, the firmware and what boot allocated', () => {
    expect(describeFrame(sim, 0)).toBe('firmware (first 1 MiB)');
    expect(describeFrame(sim, run('firmware (top of RAM)').first)).toBe('firmware (top of RAM)');
    expect(describeFrame(sim, run('struct page array').first)).toBe('struct page array');
    expect(describeFrame(sim, 4096)).toBe('allocated while booting');
  });

  it("names a workload's page by the workload, and says nothing of free memory outside boot's parts", () => {
    sim.runUntilUs(2_000_000); // "app" faulted in at 1 s
    const page = k.owner.findIndex((o) => o !== 0);
    expect(page).toBeGreaterThan(0);
    expect(describeFrame(sim, page)).toMatch(/^workload "[^"]+" \(anon, pid 1000\)$/);
    let free = k.nPages - 2;
    while (k.kind[free] !== 0 || k.bootRuns.some((r) => free >= r.first && free < r.end)) free--;
    expect(describeFrame(sim, free)).toBeUndefined();
  });
});
