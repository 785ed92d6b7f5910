// What the plots show, as plain data: which series, in which unit, on which axis, in which colour and
// dash. Every line has a dash pattern of its own within its chart and the legend draws it, so no two
// lines are told apart by colour alone (Okabe–Ito hues, lighter ones in the dark theme). The columns
// for uPlot are converted incrementally: the series only grow (a point at the same time replaces the
// last), so a frame converts only the new points.
import type { Series } from '../../sim/view.ts';

export type Theme = 'light' | 'dark';
type SeriesKey = Exclude<keyof Series, 'us'>;

export interface PlotLine {
  /** Plain words, with the unit when the chart mixes units. */
  label: string;
  /** The spec's or the kernel's name for it (VIRTIO_BALLOON_S_MEMFREE, tag 4), shown beside the label. */
  specName?: string;
  key: SeriesKey;
  /** The series' value is divided by this: 256 turns 4 KiB pages into MiB, 1048576 bytes into MiB. */
  per: number;
  /** A stats tag as the host received it: −1 means the guest never sent it, drawn as no line at all. */
  reported?: boolean;
  /** Which y axis: the left ('y', the default) or the right ('y2'). */
  scale?: 'y' | 'y2';
  color: Record<Theme, string>;
  /** Canvas line dash in CSS pixels; [] is solid. */
  dash: number[];
  /** How the legend writes a value of this line (after `per`). */
  format(v: number): string;
}

export interface PlotSpec {
  id: string;
  title: string;
  /** Axis titles: the left axis, and the right one when a line uses it. */
  yLabel: string;
  y2Label?: string;
  lines: PlotLine[];
}

export const MiB = 1048576;
const PAGES_PER_MiB = 256;

const mibText = (v: number) => `${v.toFixed(1)} MiB`;
const countText = (v: number) => Math.round(v).toLocaleString('en-US');

// Okabe–Ito; blue and black do not read on the dark panel, so they lighten there.
const C = {
  orange: { light: '#E69F00', dark: '#E69F00' },
  blue: { light: '#0072B2', dark: '#56B4E9' },
  green: { light: '#009E73', dark: '#009E73' },
  vermillion: { light: '#D55E00', dark: '#E8793A' },
  purple: { light: '#CC79A7', dark: '#CC79A7' },
  ink: { light: '#000000', dark: '#F0F0F0' },
} as const;

// Four dash patterns a chart can tell apart in grayscale: solid, long dashes, dash-dot, dots.
const SOLID: number[] = [];
const LONG = [12, 6];
const DASH_DOT = [10, 4, 2, 4];
const DOTS = [2, 4];

const stat = (tag: number, name: string) => `VIRTIO_BALLOON_S_${name}, tag ${tag}`;

export const PLOTS: PlotSpec[] = [
  {
    id: 'balloon',
    title: 'The balloon: the host’s target and the guest’s actual',
    yLabel: 'MiB in the balloon',
    lines: [
      {
        label: 'target',
        specName: 'num_pages',
        key: 'numPages',
        per: PAGES_PER_MiB,
        color: C.orange,
        dash: LONG,
        format: mibText,
      },
      {
        label: 'actual',
        specName: 'actual',
        key: 'actual',
        per: PAGES_PER_MiB,
        color: C.blue,
        dash: SOLID,
        format: mibText,
      },
    ],
  },
  {
    id: 'memory',
    title: 'Memory: the host’s RSS and what the guest has free',
    yLabel: 'MiB',
    lines: [
      { label: 'host RSS', key: 'hostRss', per: MiB, color: C.vermillion, dash: SOLID, format: mibText },
      { label: 'MemFree', key: 'memFree', per: MiB, color: C.green, dash: DOTS, format: mibText },
      { label: 'MemAvailable', key: 'memAvailable', per: MiB, color: C.blue, dash: LONG, format: mibText },
      { label: 'Cached', key: 'cached', per: MiB, color: C.purple, dash: DASH_DOT, format: mibText },
    ],
  },
  {
    id: 'stats-memory',
    title: 'Guest stats as the host received them: memory (tags 4–7)',
    yLabel: 'MiB',
    lines: [
      {
        label: 'total memory',
        specName: stat(5, 'MEMTOT'),
        key: 'statTotalMemory',
        per: MiB,
        reported: true,
        color: C.ink,
        dash: LONG,
        format: mibText,
      },
      {
        label: 'free memory',
        specName: stat(4, 'MEMFREE'),
        key: 'statFreeMemory',
        per: MiB,
        reported: true,
        color: C.green,
        dash: SOLID,
        format: mibText,
      },
      {
        label: 'available memory',
        specName: stat(6, 'AVAIL'),
        key: 'statAvailableMemory',
        per: MiB,
        reported: true,
        color: C.blue,
        dash: DASH_DOT,
        format: mibText,
      },
      {
        label: 'disk caches',
        specName: stat(7, 'CACHES'),
        key: 'statDiskCaches',
        per: MiB,
        reported: true,
        color: C.purple,
        dash: DOTS,
        format: mibText,
      },
    ],
  },
  {
    id: 'stats-counters',
    title: 'Guest stats as the host received them: faults and swap since boot (tags 0–3)',
    yLabel: 'page faults (count)',
    y2Label: 'swapped (MiB)',
    lines: [
      {
        label: 'minor faults (count, left axis)',
        specName: stat(3, 'MINFLT'),
        key: 'statMinorFaults',
        per: 1,
        reported: true,
        color: C.vermillion,
        dash: SOLID,
        format: countText,
      },
      {
        label: 'major faults (count, left axis)',
        specName: stat(2, 'MAJFLT'),
        key: 'statMajorFaults',
        per: 1,
        reported: true,
        color: C.blue,
        dash: LONG,
        format: countText,
      },
      {
        label: 'swapped in (MiB, right axis)',
        specName: stat(0, 'SWAP_IN'),
        key: 'statSwapIn',
        per: MiB,
        reported: true,
        scale: 'y2',
        color: C.green,
        dash: DASH_DOT,
        format: mibText,
      },
      {
        label: 'swapped out (MiB, right axis)',
        specName: stat(1, 'SWAP_OUT'),
        key: 'statSwapOut',
        per: MiB,
        reported: true,
        scale: 'y2',
        color: C.purple,
        dash: DOTS,
        format: mibText,
      },
    ],
  },
];

/** One point of a line in the chart's unit; null where a reported tag was never sent (−1). */
export function pointOf(line: PlotLine, series: Series, i: number): number | null {
  const v = series[line.key][i];
  if (v === undefined || (line.reported && v < 0)) return null;
  return v / line.per;
}

/** The line's latest value as the legend writes it, or 'never sent'. */
export function latestText(line: PlotLine, series: Series): string {
  const n = series.us.length;
  const v = n > 0 ? pointOf(line, series, n - 1) : null;
  return v === null ? (line.reported ? 'never sent' : '—') : line.format(v);
}

/** The accessible name of a chart: its title, its lines, and what each shows now. */
export function describePlot(spec: PlotSpec, series: Series): string {
  const lines = spec.lines.map((l) => l.label).join(', ');
  const now = spec.lines.map((l) => `${l.label} ${latestText(l, series)}`).join('; ');
  return `${spec.title}: ${lines} over time. Latest: ${now}.`;
}

/**
 * uPlot's columns for a spec (x in virtual seconds, then one per line), kept between frames: only
 * points added since the last call (and the last one, which a sample at the same time replaces) are
 * converted. A new Series (a new run, a step back) starts over.
 */
export class PlotColumns {
  private source: Series | null = null;
  readonly columns: (number | null)[][];

  constructor(private readonly spec: PlotSpec) {
    this.columns = [[], ...spec.lines.map(() => [])];
  }

  update(series: Series): (number | null)[][] {
    const cols = this.columns;
    if (series !== this.source) {
      this.source = series;
      for (const c of cols) c.length = 0;
    }
    const n = series.us.length;
    const from = Math.max(0, Math.min(cols[0].length, n) - 1);
    for (const c of cols) c.length = n;
    const x = cols[0];
    for (let i = from; i < n; i++) x[i] = series.us[i] / 1e6;
    this.spec.lines.forEach((line, k) => {
      const col = cols[k + 1];
      for (let i = from; i < n; i++) col[i] = pointOf(line, series, i);
    });
    return cols;
  }
}

/**
 * The columns thinned to what `buckets` pixel columns can show, for drawing: a 16 GiB run samples
 * some 30,000 points, and redrawing every one of them ten times a second kept the page busy. The
 * x range is cut into `buckets` equal index ranges; from each, the first and last point stay, and
 * for every line the points where it is lowest and highest, and where it starts or stops being a
 * gap. So every step, peak and gap the full data would draw at that width is still drawn. Columns
 * no longer than 4 × buckets are returned as they are.
 */
export function thinColumns(cols: (number | null)[][], buckets: number): (number | null)[][] {
  const n = cols[0].length;
  if (buckets < 1 || n <= 4 * buckets) return cols;
  const keep = new Uint8Array(n);
  const size = Math.ceil(n / buckets);
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    keep[start] = 1;
    keep[end - 1] = 1;
    for (let k = 1; k < cols.length; k++) {
      const col = cols[k];
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = col[i];
        if (v === null) {
          if (i > 0 && col[i - 1] !== null) keep[i] = 1; // a gap begins
          continue;
        }
        if (i > 0 && col[i - 1] === null) keep[i] = 1; // a gap ends
        if (lo < 0 || v < (col[lo] as number)) lo = i;
        if (hi < 0 || v > (col[hi] as number)) hi = i;
      }
      if (lo >= 0) keep[lo] = 1;
      if (hi >= 0) keep[hi] = 1;
    }
  }
  const out: (number | null)[][] = cols.map(() => []);
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    for (let k = 0; k < cols.length; k++) out[k].push(cols[k][i]);
  }
  return out;
}
