// What the map says about one frame: for the hover tooltip, the inspector line and the aria-live
// description of the keyboard cursor. Units are always named: a PFN is a 4 KiB frame number, a GPA a
// byte address.
import { asPfn, type Pfn } from '../../core/units.ts';
import { FRAME_BYTES, GiB_FRAMES, MiB_FRAMES } from './layout.ts';
import { stateInfo } from './palette.ts';

/** The owner of a frame when the caller knows it (a workload's name, "virtqueue 0 descriptors"…). */
export type Describe = (pfn: Pfn) => string | undefined;

export interface FrameFacts {
  pfn: Pfn;
  /** Hex with a 0x prefix and _ every four digits: 0x3_ffff_f000. */
  gpa: string;
  state: string;
  stateKey: string;
  host: string;
  hostKey: string;
  owner: string | undefined;
}

const grouped = (hex: string) => hex.replace(/\B(?=(?:[0-9a-f]{4})+$)/g, '_');

export function hexGpa(pfn: number): string {
  return `0x${grouped((pfn * FRAME_BYTES).toString(16))}`;
}

export function hexPfn(pfn: number): string {
  return `0x${pfn.toString(16)}`;
}

export function frameFacts(
  pfn: number,
  frames: Uint8Array,
  host: Uint8Array,
  ownerOf: Describe | undefined,
): FrameFacts {
  const g = stateInfo('guest', frames[pfn]);
  const h = stateInfo('host', host[pfn]);
  return {
    pfn: asPfn(pfn),
    gpa: hexGpa(pfn),
    state: g.label,
    stateKey: g.key,
    host: h.label,
    hostKey: h.key,
    owner: ownerOf?.(asPfn(pfn)),
  };
}

const number = new Intl.NumberFormat('en');

/** One sentence for a screen reader: every fact, units spelled out. */
export function sentence(f: FrameFacts): string {
  const owner = f.owner ? `, owner ${f.owner}` : '';
  return (
    `PFN ${number.format(f.pfn)} (${hexPfn(f.pfn)}), guest-physical address ${f.gpa}: ` +
    `${f.state}${owner}; host backing: ${f.host}.`
  );
}

/**
 * A byte offset in binary units as short as it can be said exactly: "0", "3 GiB", "4352 MiB",
 * "12 KiB". For the map's address labels.
 */
export function shortOffset(frames: number): string {
  if (frames === 0) return '0';
  if (frames % GiB_FRAMES === 0) return `${frames / GiB_FRAMES} GiB`;
  if (frames % MiB_FRAMES === 0) return `${frames / MiB_FRAMES} MiB`;
  return `${frames * 4} KiB`;
}

/** A count of frames, with its size: "1,024 frames · 4 MiB". */
export function framesAndSize(n: number): string {
  const bytes = n * FRAME_BYTES;
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const size = Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1);
  return `${number.format(n)} ${n === 1 ? 'frame' : 'frames'} · ${size} ${units[u]}`;
}
