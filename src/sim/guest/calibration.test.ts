// The guest at boot against a real Linux 6.1 guest under QEMU 7.2: the table "A real guest at boot"
// of ../shared/docs/virtio-balloon.md (Debian's 6.1 cloud kernel, busybox initramfs, `pc` machine,
// /proc/meminfo once the guest is up), and /proc/zoneinfo and vm.min_free_kbytes of the same 256 MiB
// guest (docs/calibration.md: the command that read them).

import { describe, expect, it } from 'vitest';
import { HOST_RESIDENT } from '../../core/abi.ts';
import { BOOT_IN_USE_TOTAL_KB, bootRegions, FIXED_RESERVED_KB } from './boot-layout.ts';
import { K_FREE, K_KERNEL, K_SLAB } from './kinds.ts';
import { forEachFreeBlock } from './list-checks.ts';
import { makeGuest } from './testing.ts';

/** A guest laid out as the simulation lays one out: the virtio window's 16 frames at the top. */
function guest(mib: number) {
  return makeGuest({ ramMiB: mib, windowFrame: mib * 256 - 16, windowFrames: 16 });
}

const real = [
  { mib: 256, memTotal: 223_636, memFree: 195_616 },
  { mib: 512, memTotal: 481_300, memFree: 453_896 },
  { mib: 1024, memTotal: 996_628, memFree: 959_088 },
  { mib: 2048, memTotal: 2_027_284, memFree: 1_988_732 },
];

describe('a calibrated guest at boot', () => {
  for (const r of real) {
    it(`${r.mib} MiB: MemTotal within 3 % of ${r.memTotal} kB, MemFree within 5 % of ${r.memFree} kB`, () => {
      const m = guest(r.mib).kernel.meminfo();
      const total = m.MemTotal / 1024;
      const free = m.MemFree / 1024;
      expect(Math.abs(total - r.memTotal) / r.memTotal).toBeLessThan(0.03);
      expect(Math.abs(free - r.memFree) / r.memFree).toBeLessThan(0.05);
    });
  }

  it('reserves what the real guest reserves at every size of the table, to 16 kB', () => {
    // RAM − MemTotal: 34,028 kB fixed + the struct page array + the dentry and inode hash tables.
    for (const r of real) {
      const m = guest(r.mib).kernel.meminfo();
      expect(Math.abs(r.mib * 1024 - m.MemTotal / 1024 - (r.mib * 1024 - r.memTotal))).toBeLessThanOrEqual(
        16,
      );
    }
    expect(FIXED_RESERVED_KB).toBe(34_028);
  });

  it('has 28,020 kB in use after boot at 256 MiB (MemTotal − MemFree of the real guest)', () => {
    const { kernel } = guest(256);
    expect(BOOT_IN_USE_TOTAL_KB).toBe(28_020);
    expect(kernel.bootInUsePages * 4).toBe(28_020);
  });

  it('computes the real 256 MiB guest watermarks: min_free_kbytes 1850, min/low/high 461/576/691 ±1', () => {
    // /proc/zoneinfo: DMA 33/41/49 + DMA32 428/535/642 pages; one zone here holds both.
    const w = guest(256).kernel.wmark;
    expect(w.minFreeKbytes).toBe(1850);
    expect(Math.abs(w.min - 461)).toBeLessThanOrEqual(1);
    expect(Math.abs(w.low - 576)).toBeLessThanOrEqual(1);
    expect(Math.abs(w.high - 691)).toBeLessThanOrEqual(1);
  });

  it('MemAvailable counts half the reclaimable slab: within 1 % of the real 198,792 kB', () => {
    const m = guest(256).kernel.meminfo();
    expect(Math.abs(m.MemAvailable / 1024 - 198_792) / 198_792).toBeLessThan(0.01);
  });

  it('lays memory out as Linux does: firmware low, memblock allocations at the top, the image where KASLR puts it', () => {
    const slots: number[] = [];
    const { kernel } = makeGuest({
      ramMiB: 256,
      windowFrame: 65536 - 16,
      kaslr: (n) => {
        slots.push(n);
        return 40; // 16 MiB + 40 × 2 MiB = 96 MiB, where one real boot put "Kernel code" (0x06000000)
      },
    });
    const k = kernel.kind;
    // One draw, over the 2 MiB slots from 16 MiB up where the whole image fits under memblock's
    // allocations at the top (a real boot put it at 0x0a400000, slot 74: inside the range).
    expect(slots).toHaveLength(1);
    expect(slots[0]).toBeGreaterThan(74);
    expect(slots[0]).toBeLessThan(110);
    const [image, freed, bss] = bootRegions(65536, 4, 16, () => 40).filter((r) =>
      /^(kernel image|init sections|kernel bss)/.test(r.name),
    );
    const at = 96 * 256;
    expect(image.place).toEqual({ up: at });
    // The first 1 MiB; the image from 96 MiB: text to data, the freed init sections and gaps, the bss.
    expect(k[0]).toBe(K_KERNEL);
    expect(k[255]).toBe(K_KERNEL);
    expect(k[at - 1]).not.toBe(K_KERNEL);
    expect(k[at]).toBe(K_KERNEL);
    expect(k[at + image.pages - 1]).toBe(K_KERNEL);
    expect(kernel.imageFreedRuns).toEqual([[at + image.pages, at + image.pages + freed.pages]]);
    expect(k[at + image.pages]).toBe(K_FREE);
    expect(k[at + image.pages + freed.pages]).toBe(K_KERNEL);
    expect(k[at + image.pages + freed.pages + bss.pages - 1]).toBe(K_KERNEL);
    expect(k[at + image.pages + freed.pages + bss.pages]).toBe(K_FREE);
    // Below 16 MiB, free (ZONE_DMA, used last); from 16 MiB up, what the kernel allocated booting.
    expect(k[1024]).toBe(K_FREE);
    expect(k[4096]).toBe(K_SLAB);
    // The struct page array (4 MiB at 256 MiB) sits under the top of RAM.
    for (const p of [65536 - 100, 65536 - 1024, 65536 - 1100]) expect(k[p]).toBe(K_KERNEL);
  });

  it("puts the image's freed parts at the head of the free lists, backed: a block of theirs goes before any other of its size", () => {
    const { core, kernel } = makeGuest({ ramMiB: 256, windowFrame: 65536 - 16, kaslr: () => 40 });
    const [[first, end]] = kernel.imageFreedRuns;
    for (let order = 0; order <= 10; order++) {
      const head = kernel.lists.first(order);
      const inFreed = head >= first && head < end;
      // Each order's list starts with the freed range's block of that order when it has one.
      let has = false;
      forEachFreeBlock(kernel.buddy, (h, o) => {
        if (o === order && h >= first && h < end) has = true;
      });
      expect(inFreed).toBe(has);
    }
    // The kernel was decompressed there: the host backs the freed pages though they are free.
    const host = core.hostCounts()[HOST_RESIDENT];
    expect(host).toBe(65536 - kernel.freePages + kernel.imageFreedPages);
  });

  it('scales the struct page array with RAM: 64 bytes per page', () => {
    const regions = bootRegions(16 * 262144, 4, 16);
    expect(regions.find((r) => r.name === 'struct page array')!.pages * 4096).toBe(16 * 262144 * 64);
  });

  it('shrinks the fixed figures in proportion below 256 MiB, so a small guest keeps most memory', () => {
    const m = guest(64).kernel.meminfo();
    expect(m.MemFree / (64 * 1048576)).toBeGreaterThan(0.7);
    expect(m.MemTotal).toBeLessThan(64 * 1048576);
  });
});
