// Zone watermarks and the MemAvailable estimate, as Linux 6.1 computes them, for the one zone the
// simulation has (a real x86-64 guest below 4 GiB has two, DMA and DMA32, which share these pages
// in proportion to their size: the sums are the same).

/** int_sqrt(): the integer square root, floor(√x), exact for every x below 2^53. */
export function intSqrt(x: number): number {
  if (x < 0) throw new RangeError(`intSqrt: ${x} is negative`);
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/** vm.watermark_scale_factor's default: the low/high gaps are at least 0.1 % of the zone. */
export const WATERMARK_SCALE_FACTOR = 10;

export interface Watermarks {
  /** min_free_kbytes (vm.min_free_kbytes). */
  minFreeKbytes: number;
  /** In kernel pages. */
  min: number;
  low: number;
  high: number;
  /** totalreserve_pages: the high watermark (one zone, so no lowmem_reserve on top), at most all of it. */
  totalReserve: number;
}

/**
 * init_per_zone_wmark_min and setup_per_zone_wmarks (6.1): min_free_kbytes = int_sqrt(lowmem_kbytes ·
 * 16) clamped to [128, 65536], with lowmem_kbytes the memory managed when it runs (`lowmemPages`,
 * before the kernel frees its init sections); min = min_free_kbytes in pages; the gap
 * max(min / 4, managed · watermark_scale_factor / 10000); low = min + gap, high = min + 2 · gap.
 */
export function computeWatermarks(lowmemPages: number, pageKiB: number): Watermarks {
  const lowmemKbytes = lowmemPages * pageKiB;
  const minFreeKbytes = Math.min(65536, Math.max(128, intSqrt(lowmemKbytes * 16)));
  const min = Math.floor(minFreeKbytes / pageKiB);
  const gap = Math.max(min >> 2, Math.floor((lowmemPages * WATERMARK_SCALE_FACTOR) / 10000));
  const low = min + gap;
  const high = min + 2 * gap;
  return { minFreeKbytes, min, low, high, totalReserve: Math.min(high, lowmemPages) };
}

/**
 * si_mem_available() of 6.1: free pages less the reserve, plus the file LRU less what must stay (half
 * of it, or the low watermark if that is less), plus reclaimable slab less the same share. Shmem is
 * not on the file LRU, so it does not count. Never negative.
 */
export function memAvailable(
  freePages: number,
  fileLruPages: number,
  wm: Watermarks,
  reclaimableSlabPages = 0,
): number {
  let available = freePages - wm.totalReserve;
  available += fileLruPages - Math.min(Math.floor(fileLruPages / 2), wm.low);
  available += reclaimableSlabPages - Math.min(Math.floor(reclaimableSlabPages / 2), wm.low);
  return Math.max(0, available);
}
