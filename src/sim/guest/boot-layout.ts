// Where a freshly booted guest's memory goes: what the kernel reserves before the page allocator
// starts (never part of MemTotal) and what it has allocated by the time the guest is up (part of
// MemTotal, not of MemFree), calibrated against a real Linux 6.1 guest (Debian's cloud kernel 6.1,
// busybox initramfs, QEMU 7.2 `pc` machine; docs/calibration.md has each figure beside the real one).
//
// Reserved, in kB, for any guest of 256 MiB or more:
//   34,028 fixed: the first 1 MiB (BIOS data, the real-mode trampoline and the e820 hole at
//                 640 KiB–1 MiB, which x86 Linux reserves whole), the kernel image that stays after
//                 boot (code, rodata, data and bss less the init sections and gaps it frees), the
//                 BIOS's 128 KiB at the top of RAM, and the other early allocations (per-cpu areas,
//                 the direct map's page tables, ...)
//   + the struct page array: 64 bytes per page (1/64 of RAM at 4 KiB pages)
//   + the dentry and inode hash tables: 8 bytes per 8 KiB and per 16 KiB of memory, rounded up to
//     a power of two (alloc_large_system_hash)
// That sum is RAM − MemTotal of the real table at 256 MiB, 512 MiB, 1 GiB and 2 GiB to the kB.
// In use after boot: slab, vmalloc'd module memory, the initramfs' files, kernel stacks, page
// tables, per-cpu chunks, the DMA atomic pools: 28,020 kB at 256 MiB (the real 256 MiB guest's
// MemTotal − MemFree). The real figure grows by ~10 MB at 1 and 2 GiB (more hash tables and per-cpu
// page lists); the simulation keeps it fixed, well within 1 % of MemFree there.
//
// Below 256 MiB (which Debian's kernel would not boot in) every fixed figure shrinks in proportion
// to RAM, so a small test guest still has most of its memory free.
//
// Where it lies: the first 1 MiB at the bottom; memblock's allocations (the struct page array, the hash
// tables, the rest) top-down under the top of RAM, as memblock allocates; the kernel image wherever
// KASLR put it (below); and what the kernel allocated while booting from 16 MiB up, skipping the
// image (the page allocator hands out low memory first, and ZONE_DMA below 16 MiB last).
//
// KASLR. Debian's kernel is built with CONFIG_RANDOMIZE_BASE, so the boot stub decompresses the
// kernel to a random physical address: a multiple of CONFIG_PHYSICAL_ALIGN (2 MiB, the x86-64
// default; both real addresses below are multiples of it) at or above
// CONFIG_PHYSICAL_START (16 MiB) where the whole image fits in RAM. Two boots of the same real
// 256 MiB guest put "Kernel code" (/proc/iomem) at 0x06000000 and at 0x0a400000. The simulation
// draws the slot from the scenario's seed, so the seed decides where the image lies, and with it
// where the free memory around it is and where a workload's pages land.
//
// Once up, the kernel frees its init sections and the gaps inside the image (free_initmem,
// free_kernel_image_pages). In a real guest they pass through the per-cpu page list, and the first
// pages allocated after boot come from there: a real guest's first balloon pages are single pages
// between 128.9 and 130 MiB (shared/fixtures/qemu-inflate.trace), where an image at 96 MiB, as one
// boot put it, has its init sections (124–130 MiB in that boot's /proc/iomem). The
// simulation has no per-cpu lists: it frees them as whole blocks at the head of the free lists, so a
// block of theirs goes before any other free block of its size. It keeps them as one range between
// the image's data and its bss; in the real // image the gaps lie between text, rodata and data.

/** Fixed reservations at 256 MiB and above (kB). */
export const FIRMWARE_LOW_KB = 1024;
export const KERNEL_IMAGE_KB = 24_486;
export const FIRMWARE_TOP_KB = 128;
/** The other early reservations: 34,028 less the three above (the virtio window comes out of it). */
export const EARLY_OTHER_KB = 8_390;
export const FIXED_RESERVED_KB = FIRMWARE_LOW_KB + KERNEL_IMAGE_KB + FIRMWARE_TOP_KB + EARLY_OTHER_KB;
/** The lowest address KASLR puts the kernel image at (CONFIG_PHYSICAL_START), in kB. */
export const KERNEL_IMAGE_AT_KB = 16 * 1024;
/** KASLR's slots are multiples of CONFIG_PHYSICAL_ALIGN (kB). */
export const KASLR_ALIGN_KB = 2 * 1024;
/** The image's bss, at its end (0x0c6b1000–0x0cbfffff in the real guest's /proc/iomem). */
export const KERNEL_BSS_KB = 5_436;
/**
 * What the kernel frees inside its image once it is up: the init sections (2,612 kB), the gaps
 * around text, rodata and data (3,932), the unused decrypted bss (2,036) and the SMP alternatives (36).
 * The rest of FREED_AFTER_WMARK_KB is the initrd, which lies outside the image.
 */
export const IMAGE_FREED_KB = 2_612 + 3_932 + 2_036 + 36;

/** What the real 256 MiB guest had in use once up (kB, /proc/meminfo); 28,020 in all. */
export const BOOT_IN_USE_KB = {
  /** Slab: 14,980 (SReclaimable 9,024 of it). */
  slab: 14_980,
  /** VmallocUsed: module text and data, ... */
  vmalloc: 7_232,
  /** The initramfs' files on the rootfs (Shmem). */
  initramfs: 2_216,
  kernelStacks: 736,
  pageTables: 56,
  percpu: 256,
  /** The DMA, DMA32 and GFP_KERNEL atomic pools (3 × 128 KiB). */
  dmaPools: 384,
  /** init's shell (AnonPages). */
  anon: 112,
  /** What /proc/meminfo does not name (per-cpu page lists, drivers' own pages). */
  other: 2_048,
} as const;
export const BOOT_IN_USE_TOTAL_KB = Object.values(BOOT_IN_USE_KB).reduce((a, b) => a + b, 0);
/** SReclaimable of the slab above: MemAvailable counts half of it (or all but the low watermark). */
export const BOOT_SRECLAIMABLE_KB = 9_024;
/**
 * Memory the kernel frees after init_per_zone_wmark_min ran (init sections 2,612, the gaps around
 * text/rodata/data 3,932, unused decrypted bss 2,036, the initrd 1,080, SMP alternatives 36): the
 * watermarks are computed from MemTotal less this.
 */
export const FREED_AFTER_WMARK_KB = 9_696;

/** The guest size the fixed figures were measured at; smaller guests get them in proportion. */
const CALIBRATED_KB = 256 * 1024;
/** sizeof(struct page). */
export const STRUCT_PAGE_BYTES = 64;

/** reserved: never the allocator's; in-use: allocated while booting; freed: reserved at boot, freed once up. */
export type BootRegionKind = 'reserved' | 'in-use' | 'freed';

export interface BootRegion {
  name: string;
  kind: BootRegionKind;
  /** Size in kernel pages. */
  pages: number;
  /** Placed bottom-up from page `up` (skipping pages already placed), or top-down from the top of RAM. */
  place: { up: number } | 'top-down';
}

/** roundup_pow_of_two(). */
function roundupPow2(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/**
 * The regions a guest of `nPages` pages of `pageKiB` boots with, in the order they are placed. The
 * virtio window (`windowPages`, reserved by the simulation where the device reads kernel data, under
 * the top of RAM) is counted in the early reservations, so the reserved total does not depend on the
 * queue size. `kaslr(slots)` picks the image's slot, 0 … slots − 1 (0: the image at 16 MiB).
 */
export function bootRegions(
  nPages: number,
  pageKiB: number,
  windowPages: number,
  kaslr: (slots: number) => number = () => 0,
): BootRegion[] {
  const ramKb = nPages * pageKiB;
  const scale = Math.min(1, ramKb / CALIBRATED_KB);
  const pagesOf = (kb: number) => Math.ceil((kb * scale) / pageKiB);
  const memmapPages = Math.ceil((nPages * STRUCT_PAGE_BYTES) / 1024 / pageKiB);
  // alloc_large_system_hash sizes by the pages not reserved yet: RAM less the memmap and the rest.
  const lowmemBytes = Math.max(0, (ramKb - FIXED_RESERVED_KB * scale) * 1024 - memmapPages * pageKiB * 1024);
  const dentryBytes = roundupPow2(Math.max(1, Math.floor(lowmemBytes / 8192))) * 8;
  const hashPages = Math.ceil((dentryBytes + dentryBytes / 2) / 1024 / pageKiB);
  const early = Math.max(0, pagesOf(EARLY_OTHER_KB) - windowPages);
  const top: BootRegion[] = [
    { name: 'firmware (top of RAM)', kind: 'reserved', pages: pagesOf(FIRMWARE_TOP_KB), place: 'top-down' },
    { name: 'struct page array', kind: 'reserved', pages: memmapPages, place: 'top-down' },
    { name: 'dentry and inode hash tables', kind: 'reserved', pages: hashPages, place: 'top-down' },
    { name: 'other early allocations', kind: 'reserved', pages: early, place: 'top-down' },
  ];
  // The image: what stays (text, rodata, data), what the kernel frees once up, then the bss.
  const bss = pagesOf(KERNEL_BSS_KB);
  const text = pagesOf(KERNEL_IMAGE_KB) - bss;
  const freed = pagesOf(IMAGE_FREED_KB);
  const span = text + freed + bss;
  const lowest = Math.floor((KERNEL_IMAGE_AT_KB * scale) / pageKiB);
  const align = Math.max(1, Math.floor((KASLR_ALIGN_KB * scale) / pageKiB));
  const highest = nPages - windowPages - top.reduce((n, r) => n + r.pages, 0) - span;
  const slots = highest >= lowest ? Math.floor((highest - lowest) / align) + 1 : 1;
  const slot = kaslr(slots);
  if (!(Number.isInteger(slot) && slot >= 0 && slot < slots)) {
    throw new RangeError(`kaslr: slot ${slot} is not one of 0 … ${slots - 1}`);
  }
  const at = lowest + slot * align;
  return [
    { name: 'firmware (first 1 MiB)', kind: 'reserved', pages: pagesOf(FIRMWARE_LOW_KB), place: { up: 0 } },
    ...top,
    { name: 'kernel image', kind: 'reserved', pages: text, place: { up: at } },
    { name: 'init sections and gaps (freed once up)', kind: 'freed', pages: freed, place: { up: at + text } },
    { name: 'kernel bss', kind: 'reserved', pages: bss, place: { up: at + text + freed } },
    {
      name: 'allocated while booting',
      kind: 'in-use',
      pages: pagesOf(BOOT_IN_USE_TOTAL_KB),
      place: { up: lowest },
    },
  ];
}
/** The share of RAM the fixed figures were scaled to (1 at 256 MiB and above). */
export function bootScale(nPages: number, pageKiB: number): number {
  return Math.min(1, (nPages * pageKiB) / CALIBRATED_KB);
}
