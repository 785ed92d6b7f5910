import { describe, expect, it } from 'vitest';
import { formatBytes, formatPages, hex, pfnGpaHex } from './format.ts';

describe('formats', () => {
  it('writes hex grouped by four digits', () => {
    expect(hex(0)).toBe('0x0');
    expect(hex(0x10c000)).toBe('0x10_c000');
    expect(hex(1n << 40n)).toBe('0x100_0000_0000');
  });

  it('turns a PFN into its address without wrapping above 2 GiB', () => {
    expect(pfnGpaHex(0x100)).toBe('0x10_0000');
    expect(pfnGpaHex(0x80000)).toBe('0x8000_0000');
    expect(pfnGpaHex(0x3fffff)).toBe('0x3_ffff_f000');
  });

  it('names units', () => {
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1000)).toBe('1000 B');
    expect(formatBytes(1.5 * 2 ** 20)).toBe('1.5 MiB');
    expect(formatPages(1)).toBe('1 page (4 KiB)');
    expect(formatPages(256)).toBe('256 pages (1 MiB)');
    expect(formatPages(32768)).toBe('32768 pages (128 MiB)');
  });
});
