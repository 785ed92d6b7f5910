// Number formats of the inspector. Addresses are hex with a 0x prefix and an underscore every four
// digits (the memory map writes them the same way), so 0x3_ffff_f000 reads at a glance on a projector.

const grouped = (hex: string) => hex.replace(/\B(?=(?:[0-9a-f]{4})+$)/g, '_');

/** 0x-prefixed, grouped hex of a number or a u64. */
export function hex(n: number | bigint): string {
  return `0x${grouped(n.toString(16))}`;
}

/** A PFN names a 4 KiB frame: its guest-physical address is pfn * 4096 (never pfn << 12: it wraps at 2^31). */
export function pfnGpaHex(pfn: number): string {
  return hex(pfn * 4096);
}

/** Bytes with the unit a student expects: 1024 B, 4 KiB, 1.5 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const text = Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return `${text} ${units[u]}`;
}

/** 4 KiB balloon pages as pages and MiB: "256 pages (1 MiB)". */
export function formatPages(pages: number): string {
  return `${pages} ${pages === 1 ? 'page' : 'pages'} (${formatBytes(pages * 4096)})`;
}
