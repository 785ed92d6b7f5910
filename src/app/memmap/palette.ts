// Colours and patterns of the memory map: one entry per guest frame state (FRAME_*) and per host backing
// state (HOST_*). The hues are Okabe and Ito's colour-blind-safe set; every state also has a pattern, so
// the map still reads on a grayscale projector or to a reader who cannot tell two hues apart. The WebGL
// shader, the Canvas2D fallback and the legend's swatches all draw from these tables, and the pattern
// geometry below (patternInk) is the shader's, pixel for pixel.
import {
  FRAME_ANON,
  FRAME_BALLOON,
  FRAME_DEFLATING,
  FRAME_FILE,
  FRAME_FREE,
  FRAME_INFLATING,
  FRAME_ISOLATED,
  FRAME_KERNEL,
  FRAME_SHMEM,
  FRAME_STATE_COUNT,
  FRAME_VIRTIO,
  HOST_DISCARDED,
  HOST_RESIDENT,
  HOST_STATE_COUNT,
  HOST_UNTOUCHED,
  HOST_WANTED,
} from '../../core/abi.ts';

export type Theme = 'light' | 'dark';
/** Which table a map pane shows: the guest's frame states or the host's backing of the same frames. */
export type MapView = 'guest' | 'host';

/** Okabe, M. and Ito, K. (2008), "Color Universal Design": eight hues most colour-blind readers tell apart. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** Patterns, drawn in the state's ink colour over its fill (see patternInk for the geometry). */
export const Pattern = {
  none: 0,
  diagonalUp: 1,
  diagonalDown: 2,
  horizontal: 3,
  vertical: 4,
  dots: 5,
  cross: 6,
  grid: 7,
  checker: 8,
  brick: 9,
} as const;
export type Pattern = (typeof Pattern)[keyof typeof Pattern];

/** Every pattern repeats after this many CSS pixels in both directions. */
export const PATTERN_PERIOD = 12;

/**
 * Whether CSS pixel (i, j) of a pattern is ink (true) or fill. i grows to the right, j downwards, both
 * ≥ 0. The only definition of the patterns: the shader looks them up in patternAtlas(), the Canvas2D
 * fallback and the legend build their tiles from it.
 */
export function patternInk(pattern: number, i: number, j: number): boolean {
  switch (pattern) {
    case Pattern.diagonalUp:
      return (i + j) % 6 < 2;
    case Pattern.diagonalDown:
      return (((i - j) % 6) + 6) % 6 < 2;
    case Pattern.horizontal:
      return j % 6 < 2;
    case Pattern.vertical:
      return i % 6 < 2;
    case Pattern.dots:
      return i % 6 < 2 && j % 6 < 2;
    case Pattern.cross:
      return (i + j) % 6 === 0 || (i - j) % 6 === 0;
    case Pattern.grid:
      return i % 6 === 0 || j % 6 === 0;
    case Pattern.checker:
      return (Math.floor(i / 3) + Math.floor(j / 3)) % 2 === 0;
    case Pattern.brick:
      return j % 6 === 0 || (i + (Math.floor(j / 6) % 2) * 6) % 12 === 0;
    default:
      return false;
  }
}

export interface StateInfo {
  /** The state's byte value in core.frames (FRAME_*) or core.host (HOST_*). */
  value: number;
  /** A stable id for tests and CSS: 'balloon', 'discarded'. */
  key: string;
  /** The name a student reads in the legend and the inspector. */
  label: string;
  /** One plain sentence: what a frame in this state is. */
  description: string;
  pattern: Pattern;
  /** When one screen pixel covers many frames it shows the one of highest priority (see mip.ts). */
  priority: number;
  fill: Record<Theme, string>;
}

const neutral = { light: '#E3E6EA', dark: '#272D35' };
const both = (c: string) => ({ light: c, dark: c });

export const GUEST_STATES: readonly StateInfo[] = [
  {
    value: FRAME_FREE,
    key: 'free',
    label: 'Free',
    description: "on the buddy allocator's free lists",
    pattern: Pattern.none,
    priority: 1,
    fill: neutral,
  },
  {
    value: FRAME_KERNEL,
    key: 'kernel',
    label: 'Kernel',
    description: 'reserved at boot: kernel text, data, page tables',
    pattern: Pattern.checker,
    priority: 2,
    fill: { light: '#6E7781', dark: '#8C959F' },
  },
  {
    value: FRAME_ANON,
    key: 'anon',
    label: 'Anonymous',
    description: "a workload's anonymous memory",
    pattern: Pattern.vertical,
    priority: 4,
    fill: both(OKABE_ITO.orange),
  },
  {
    value: FRAME_FILE,
    key: 'file',
    label: 'File cache',
    description: 'page cache: clean, reclaimable',
    pattern: Pattern.horizontal,
    priority: 3,
    fill: both(OKABE_ITO.skyBlue),
  },
  {
    value: FRAME_SHMEM,
    key: 'shmem',
    label: 'Shared memory',
    description: 'shmem or tmpfs: reclaimable only to swap',
    pattern: Pattern.dots,
    priority: 5,
    fill: both(OKABE_ITO.reddishPurple),
  },
  {
    value: FRAME_BALLOON,
    key: 'balloon',
    label: 'Balloon',
    description: 'in the balloon: the host acknowledged it and may reuse its memory',
    pattern: Pattern.diagonalUp,
    priority: 6,
    fill: { light: OKABE_ITO.blue, dark: '#3C95D6' },
  },
  {
    value: FRAME_INFLATING,
    key: 'inflating',
    label: 'Inflating',
    description: 'sent to the host on the inflate queue, not yet acknowledged',
    pattern: Pattern.diagonalDown,
    priority: 8,
    fill: both(OKABE_ITO.yellow),
  },
  {
    value: FRAME_DEFLATING,
    key: 'deflating',
    label: 'Deflating',
    description: 'on the deflate queue, on its way back to the guest',
    pattern: Pattern.cross,
    priority: 7,
    fill: both(OKABE_ITO.bluishGreen),
  },
  {
    value: FRAME_ISOLATED,
    key: 'isolated',
    label: 'Isolated',
    description: 'a balloon page isolated by compaction, being migrated',
    pattern: Pattern.grid,
    priority: 10,
    fill: both(OKABE_ITO.vermillion),
  },
  {
    value: FRAME_VIRTIO,
    key: 'virtio',
    label: 'Virtio data',
    description: 'kernel data the device reads: the rings, pfns[], the stats buffer',
    pattern: Pattern.brick,
    priority: 9,
    fill: { light: OKABE_ITO.black, dark: '#FFFFFF' },
  },
];

export const HOST_STATES: readonly StateInfo[] = [
  {
    value: HOST_UNTOUCHED,
    key: 'untouched',
    label: 'Untouched',
    description: "never faulted in: not part of the VM's resident memory",
    pattern: Pattern.none,
    priority: 1,
    fill: neutral,
  },
  {
    value: HOST_RESIDENT,
    key: 'resident',
    label: 'Resident',
    description: 'backed by host memory: counts in the VM process RSS',
    pattern: Pattern.dots,
    priority: 2,
    fill: both(OKABE_ITO.bluishGreen),
  },
  {
    value: HOST_DISCARDED,
    key: 'discarded',
    label: 'Discarded',
    description: 'given back by the balloon (MADV_DONTNEED): the host reuses it',
    pattern: Pattern.diagonalUp,
    priority: 3,
    fill: both(OKABE_ITO.vermillion),
  },
  {
    value: HOST_WANTED,
    key: 'wanted',
    label: 'Wanted',
    description: "deflated (MADV_WILLNEED): backed again at the guest's next touch",
    pattern: Pattern.cross,
    priority: 4,
    fill: both(OKABE_ITO.yellow),
  },
];

/** Byte values with no named state (the core reserves 16 guest states) draw as this. */
const UNKNOWN: Omit<StateInfo, 'value' | 'key' | 'label'> = {
  description: 'a state this version of the map does not know',
  pattern: Pattern.none,
  priority: 1,
  fill: { light: '#A0A0A0', dark: '#6E6E6E' },
};

/** The byte a texel holds where there is no frame (past the end of RAM); it draws as the background. */
export const OUTSIDE = 255;

export const STATE_SLOTS = 16;

export function statesOf(view: MapView): readonly StateInfo[] {
  return view === 'guest' ? GUEST_STATES : HOST_STATES;
}

/** The state for a byte value, named or not. */
export function stateInfo(view: MapView, value: number): StateInfo {
  const named = statesOf(view)[value];
  if (named) return named;
  return { ...UNKNOWN, value, key: `state-${value}`, label: `State ${value}` };
}

/** How many byte values each view can hold. */
export const SLOTS: Record<MapView, number> = { guest: FRAME_STATE_COUNT, host: HOST_STATE_COUNT };

// ── Colour arithmetic ────────────────────────────────────────────────────────────────────────────────

export type Rgb = [r: number, g: number, b: number];

export function parseHex(hex: string): Rgb {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`colour: expected #rrggbb, got ${hex}`);
  const n = Number.parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function toHex([r, g, b]: Rgb): string {
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1).toUpperCase()}`;
}

/** WCAG 2 relative luminance, 0 (black) to 1 (white). */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio of two colours, 1 to 21. */
export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t)) as Rgb;
}

/**
 * The pattern's colour over a fill: the fill pulled towards black on light fills and towards white on
 * dark ones, so the pattern keeps its contrast in grayscale, whatever the hue.
 */
export function inkFor(fill: Rgb): Rgb {
  return luminance(fill) > 0.2 ? mix(fill, [0, 0, 0], 0.5) : mix(fill, [255, 255, 255], 0.55);
}

/** Colours of the map around the cells. */
export interface Chrome {
  background: string;
  /** Lines between cells when zoomed in. */
  gap: string;
  /** GiB lines; minor lines (MiB) use the same colour, fainter. */
  grid: string;
  /** The keyboard cursor's ring: an outer and an inner line, so it shows on every fill. */
  cursorOuter: string;
  cursorInner: string;
  hover: string;
  label: string;
}

export const CHROME: Record<Theme, Chrome> = {
  light: {
    background: '#FFFFFF',
    gap: '#FFFFFF',
    grid: '#1B1F24',
    cursorOuter: '#1B1F24',
    cursorInner: '#FFFFFF',
    hover: '#1B1F24',
    label: '#1B1F24',
  },
  dark: {
    background: '#0D1117',
    gap: '#0D1117',
    grid: '#E6EDF3',
    cursorOuter: '#FFFFFF',
    cursorInner: '#0D1117',
    hover: '#E6EDF3',
    label: '#E6EDF3',
  },
};

/** The fill and ink of every byte value of a view, as the renderers use them. */
export interface ResolvedPalette {
  fill: Rgb[];
  ink: Rgb[];
  pattern: number[];
  priority: number[];
}

export function resolvePalette(view: MapView, theme: Theme): ResolvedPalette {
  const out: ResolvedPalette = { fill: [], ink: [], pattern: [], priority: [] };
  for (let v = 0; v < STATE_SLOTS; v++) {
    const s = stateInfo(view, v);
    const fill = parseHex(s.fill[theme]);
    out.fill.push(fill);
    out.ink.push(inkFor(fill));
    out.pattern.push(s.pattern);
    out.priority.push(s.priority);
  }
  return out;
}

/**
 * The palette as the shader's lookup texture: STATE_SLOTS texels wide, three rows (fill, ink, and
 * [pattern, priority, 0, 255]), RGBA8.
 */
export function paletteTexels(view: MapView, theme: Theme): Uint8Array {
  const p = resolvePalette(view, theme);
  const out = new Uint8Array(STATE_SLOTS * 3 * 4);
  for (let v = 0; v < STATE_SLOTS; v++) {
    out.set([...p.fill[v], 255], v * 4);
    out.set([...p.ink[v], 255], (STATE_SLOTS + v) * 4);
    out.set([p.pattern[v], p.priority[v], 0, 255], (2 * STATE_SLOTS + v) * 4);
  }
  return out;
}

/** Rank of each byte value (256 entries) for the zoomed-out reduction; OUTSIDE ranks below everything. */
export function priorityTable(view: MapView): Uint8Array {
  const out = new Uint8Array(256).fill(1);
  out[OUTSIDE] = 0;
  for (const s of statesOf(view)) out[s.value] = s.priority;
  return out;
}

/** A 32-bit pixel as a little-endian Uint32Array over ImageData sees it (bytes R, G, B, A). */
export function packRgba([r, g, b]: Rgb, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** For the Canvas2D fallback: byte value → packed fill (256 entries; OUTSIDE is the background). */
export function fillLut(view: MapView, theme: Theme): Uint32Array {
  const p = resolvePalette(view, theme);
  const lut = new Uint32Array(256).fill(packRgba(parseHex(UNKNOWN.fill[theme])));
  for (let v = 0; v < STATE_SLOTS; v++) lut[v] = packRgba(p.fill[v]);
  lut[OUTSIDE] = packRgba(parseHex(CHROME[theme].background));
  return lut;
}

/**
 * The ink pixels of one PATTERN_PERIOD tile as an SVG path (runs of pixels along each row), so the
 * legend's swatches are the map's patterns pixel for pixel.
 */
export function patternPath(pattern: number): string {
  let d = '';
  for (let j = 0; j < PATTERN_PERIOD; j++) {
    let i = 0;
    while (i < PATTERN_PERIOD) {
      if (!patternInk(pattern, i, j)) {
        i++;
        continue;
      }
      let end = i + 1;
      while (end < PATTERN_PERIOD && patternInk(pattern, end, j)) end++;
      d += `M${i} ${j}h${end - i}v1h${i - end}z`;
      i = end;
    }
  }
  return d;
}

/** How many patterns there are (Pattern's values are 0 … PATTERN_COUNT − 1). */
export const PATTERN_COUNT = Object.keys(Pattern).length;

/**
 * Every pattern's tile side by side, one byte a pixel (255: ink): the WebGL renderer's pattern lookup,
 * PATTERN_PERIOD · PATTERN_COUNT wide and PATTERN_PERIOD high. Pattern p's tile starts at column
 * p · PATTERN_PERIOD.
 */
export function patternAtlas(): Uint8Array {
  const w = PATTERN_PERIOD * PATTERN_COUNT;
  const out = new Uint8Array(w * PATTERN_PERIOD);
  for (let p = 0; p < PATTERN_COUNT; p++) {
    for (let j = 0; j < PATTERN_PERIOD; j++) {
      for (let i = 0; i < PATTERN_PERIOD; i++) {
        if (patternInk(p, i, j)) out[j * w + p * PATTERN_PERIOD + i] = 255;
      }
    }
  }
  return out;
}
