import { describe, expect, it } from 'vitest';
import { emptySeries, type Series, STAT_SERIES } from '../../sim/view.ts';
import {
  describePlot,
  latestText,
  MiB,
  PLOTS,
  PlotColumns,
  type PlotSpec,
  pointOf,
  thinColumns,
} from './plot-specs.ts';

function series(points: Partial<Record<keyof Series, number>>[]): Series {
  const s = emptySeries();
  for (const p of points) for (const k of Object.keys(s) as (keyof Series)[]) s[k].push(p[k] ?? 0);
  return s;
}

const byId = (id: string) => PLOTS.find((p) => p.id === id) as PlotSpec;
const lineOf = (key: keyof Series) => PLOTS.flatMap((p) => p.lines).find((l) => l.key === key)!;

describe('the plots', () => {
  it('plot each of the eight stats tags exactly once, as reported', () => {
    const plotted = PLOTS.flatMap((p) => p.lines).filter((l) => l.reported);
    expect(plotted.map((l) => l.key).sort()).toEqual([...STAT_SERIES].sort());
    for (const [tag, key] of STAT_SERIES.entries()) expect(lineOf(key).specName).toContain(`tag ${tag}`);
  });

  it('keep the memory tags in MiB on one chart and the counters on another', () => {
    expect(byId('stats-memory').lines.map((l) => l.key)).toEqual([
      'statTotalMemory',
      'statFreeMemory',
      'statAvailableMemory',
      'statDiskCaches',
    ]);
    const counters = byId('stats-counters');
    expect(counters.lines.filter((l) => l.scale === 'y2').map((l) => l.key)).toEqual([
      'statSwapIn',
      'statSwapOut',
    ]);
    expect(counters.yLabel).toMatch(/count/);
    expect(counters.y2Label).toMatch(/MiB/);
  });

  it('never tell two lines of a chart apart by colour alone: each has its own dash', () => {
    for (const p of PLOTS) {
      const dashes = new Set(p.lines.map((l) => l.dash.join(',')));
      expect(dashes.size, p.id).toBe(p.lines.length);
      for (const theme of ['light', 'dark'] as const) {
        expect(new Set(p.lines.map((l) => l.color[theme])).size, `${p.id} ${theme}`).toBe(p.lines.length);
      }
    }
  });

  it('convert to the chart’s unit, and draw a tag never sent (−1) as nothing, not as 0', () => {
    const s = series([
      { us: 0, numPages: 512, hostRss: 3 * MiB, statFreeMemory: -1, statMinorFaults: -1 },
      { us: 1e6, numPages: 512, hostRss: 3 * MiB, statFreeMemory: 64 * MiB, statMinorFaults: 0 },
    ]);
    expect(pointOf(lineOf('numPages'), s, 0)).toBe(2); // 512 pages of 4 KiB
    expect(pointOf(lineOf('hostRss'), s, 0)).toBe(3);
    expect(pointOf(lineOf('statFreeMemory'), s, 0)).toBeNull();
    expect(pointOf(lineOf('statFreeMemory'), s, 1)).toBe(64);
    expect(pointOf(lineOf('statMinorFaults'), s, 0)).toBeNull();
    expect(pointOf(lineOf('statMinorFaults'), s, 1)).toBe(0);
    expect(latestText(lineOf('statMinorFaults'), s)).toBe('0');
    expect(latestText(lineOf('statFreeMemory'), s)).toBe('64.0 MiB');
    expect(latestText(lineOf('statSwapIn'), series([{ statSwapIn: -1 }]))).toBe('never sent');
    expect(latestText(lineOf('statSwapIn'), series([]))).toBe('never sent');
  });

  it('name every line in the chart’s accessible description, with its latest value', () => {
    const s = series([{ us: 0, statTotalMemory: 256 * MiB, statDiskCaches: -1 }]);
    const text = describePlot(byId('stats-memory'), s);
    expect(text).toMatch(/^Guest stats as the host received them: memory \(tags 4–7\): total memory, /);
    expect(text).toContain('total memory 256.0 MiB');
    expect(text).toContain('disk caches never sent');
  });
});

describe('PlotColumns', () => {
  const spec = byId('stats-counters');
  const full = (s: Series) => [
    s.us.map((u) => u / 1e6),
    ...spec.lines.map((l) => s.us.map((_, i) => pointOf(l, s, i))),
  ];

  it('converts only what is new, and the last point again (a sample at the same time replaces it)', () => {
    const s = series([{ us: 0, statMinorFaults: -1 }]);
    const cols = new PlotColumns(spec);
    expect(cols.update(s)).toEqual(full(s));
    s.us.push(1e6);
    s.statMinorFaults.push(10);
    for (const k of STAT_SERIES.filter((k) => k !== 'statMinorFaults')) s[k].push(0);
    expect(cols.update(s)).toEqual(full(s));
    s.statMinorFaults[1] = 20; // replaced in place
    expect(cols.update(s)[1]).toEqual([null, 20]);
  });

  it('starts over on a new run', () => {
    const cols = new PlotColumns(spec);
    cols.update(series([{ us: 0 }, { us: 1e6 }, { us: 2e6 }]));
    const fresh = series([{ us: 5e5, statSwapOut: 2 * MiB }]);
    expect(cols.update(fresh)).toEqual(full(fresh));
  });
});

describe('thinColumns', () => {
  // A stepped walk with a gap, 30,000 points: what a 16 GiB run samples.
  const n = 30_000;
  const x = Array.from({ length: n }, (_, i) => i / 100);
  const a = x.map((_, i) => Math.round(1000 * Math.sin(i / 700)) + (i === 12_345 ? 5000 : 0));
  const b = x.map((_, i) => (i >= 10_000 && i < 10_050 ? null : i % 977));
  const cols = [x, a, b];

  it('leaves short columns alone', () => {
    expect(thinColumns(cols, 10_000)).toBe(cols);
  });

  it('keeps, per pixel column, the ends, every line’s extremes and where its gaps start and stop', () => {
    const thin = thinColumns(cols, 600);
    expect(thin[0].length).toBeLessThan(600 * 8);
    expect(thin.every((c) => c.length === thin[0].length)).toBe(true);
    // x still ascends, the first and last points are there, and no value is made up.
    for (let i = 1; i < thin[0].length; i++) expect(thin[0][i]! > thin[0][i - 1]!).toBe(true);
    expect([thin[0][0], thin[0].at(-1)]).toEqual([x[0], x[n - 1]]);
    thin[0].forEach((xv, j) => {
      const i = Math.round((xv as number) * 100);
      expect([thin[1][j], thin[2][j]]).toEqual([a[i], b[i]]);
    });
    // The spike and the whole range of each line survive; so does the gap, at both ends.
    expect(Math.max(...(thin[1] as number[]))).toBe(Math.max(...a));
    expect(Math.min(...(thin[1] as number[]))).toBe(Math.min(...a));
    expect(Math.max(...(thin[2].filter((v) => v !== null) as number[]))).toBe(976);
    expect(thin[0][thin[2].indexOf(null)]).toBe(x[10_000]);
    const after = thin[2].lastIndexOf(null) + 1;
    expect(thin[0][after]).toBe(x[10_050]);
  });
});
