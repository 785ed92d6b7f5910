import { describe, expect, it } from 'vitest';
import { FRAME_ANON, HOST_DISCARDED } from '../../core/abi.ts';
import { frameFacts, framesAndSize, hexGpa, hexPfn, sentence, shortOffset } from './inspect.ts';

describe('inspection', () => {
  it('writes guest-physical addresses in hex, grouped by four digits', () => {
    expect(hexGpa(0)).toBe('0x0');
    expect(hexGpa(1)).toBe('0x1000');
    expect(hexGpa(0x3ffff)).toBe('0x3fff_f000');
    expect(hexGpa(4194303)).toBe('0x3_ffff_f000');
    expect(hexPfn(4096)).toBe('0x1000');
  });

  it('tells everything about a frame: PFN, GPA, both states, the owner', () => {
    const frames = new Uint8Array(8);
    const host = new Uint8Array(8);
    frames[5] = FRAME_ANON;
    host[5] = HOST_DISCARDED;
    const f = frameFacts(5, frames, host, (pfn) => (pfn === 5 ? 'workload "db"' : undefined));
    expect(f).toEqual({
      pfn: 5,
      gpa: '0x5000',
      state: 'Anonymous',
      stateKey: 'anon',
      host: 'Discarded',
      hostKey: 'discarded',
      owner: 'workload "db"',
    });
    expect(sentence(f)).toBe(
      'PFN 5 (0x5), guest-physical address 0x5000: Anonymous, owner workload "db"; host backing: Discarded.',
    );
    expect(sentence(frameFacts(4, frames, host, undefined))).toBe(
      'PFN 4 (0x4), guest-physical address 0x4000: Free; host backing: Untouched.',
    );
  });

  it('says offsets in the largest binary unit that is exact', () => {
    expect(shortOffset(0)).toBe('0');
    expect(shortOffset(262144 * 3)).toBe('3 GiB');
    expect(shortOffset(262144 * 4 + 256 * 128)).toBe('4224 MiB');
    expect(shortOffset(3)).toBe('12 KiB');
  });

  it('gives counts of frames with their size', () => {
    expect(framesAndSize(1)).toBe('1 frame · 4 KiB');
    expect(framesAndSize(1024)).toBe('1,024 frames · 4 MiB');
    expect(framesAndSize(1572864)).toBe('1,572,864 frames · 6 GiB');
    expect(framesAndSize(1571824)).toBe('1,571,824 frames · 6.00 GiB');
    expect(framesAndSize(16368)).toBe('16,368 frames · 63.9 MiB');
    expect(framesAndSize(0)).toBe('0 frames · 0 B');
  });
});
