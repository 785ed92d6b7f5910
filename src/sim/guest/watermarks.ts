// Zone watermarks and the MemAvailable estimate, as Linux 4.16 computes them for one zone.

/** int_sqrt(): the integer square root, floor(√x), exact for every x below 2^53. */
export function intSqrt(x: number): number {
  if (x < 0) throw new RangeError(`intSqrt: ${x} is negative`);
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

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
 * init_per_zone_wmark_min: min_free_kbytes = int_sqrt(lowmem_kbytes · 16) clamped to [128, 65536], with
 * lowmem_kbytes the managed memory at boot; min = min_free_kbytes in pages, low = min + min/4,
 * high = min + min/2. (4.16 widens the low/high gaps to watermark_scale_factor · managed / 10000 when
 * that is larger; this simulation keeps the classic quarter and half so the numbers are easy to follow.)
 */
export function computeWatermarks(managedPages: number, pageKiB: number): Watermarks {
  const lowmemKbytes = managedPages * pageKiB;
  const minFreeKbytes = Math.min(65536, Math.max(128, intSqrt(lowmemKbytes * 16)));
  const min = Math.floor(minFreeKbytes / pageKiB);
  const low = min + Math.floor(min / 4);
  const high = min + Math.floor(min / 2);
  return { minFreeKbytes, min, low, high, totalReserve: Math.min(high, managedPages) };
}

/**
 * si_mem_available() of 4.16: free pages less the reserve, plus the file LRU less what must stay (half
 * of it, or the low watermark if that is less). Shmem is not on the file LRU, so it does not count;
 * there is no reclaimable slab here. Never negative.
 */
export function memAvailable(freePages: number, fileLruPages: number, wm: Watermarks): number {
  let available = freePages - wm.totalReserve;
  let pagecache = fileLruPages;
  pagecache -= Math.min(Math.floor(pagecache / 2), wm.low);
  available += pagecache;
  return Math.max(0, available);
}
