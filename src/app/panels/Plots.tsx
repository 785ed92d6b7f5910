// Target vs actual, the host's RSS and the guest's own numbers, over virtual time (uPlot: a small,
// well-kept chart library; it draws on a canvas and takes columns of numbers as they are).
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { Series } from '../../sim/sim.ts';

interface PlotSpec {
  title: string;
  yLabel: string;
  lines: { label: string; color: string; dash?: number[]; pick(s: Series): number[] }[];
}

const MiB = 1048576;
const stepped = uPlot.paths.stepped?.({ align: 1 });
const toMiB = (xs: number[]) => xs.map((x) => x / MiB);
const pagesToMiB = (xs: number[]) => xs.map((x) => (x * 4096) / MiB);

// Okabe–Ito colours; a dashed line where two could be told apart by colour only.
export const PLOTS: PlotSpec[] = [
  {
    title: 'The balloon: the host’s target and the guest’s actual',
    yLabel: 'MiB in the balloon',
    lines: [
      { label: 'target (num_pages)', color: '#E69F00', dash: [6, 4], pick: (s) => pagesToMiB(s.numPages) },
      { label: 'actual', color: '#0072B2', pick: (s) => pagesToMiB(s.actual) },
    ],
  },
  {
    title: 'Memory: the host’s RSS and what the guest has free',
    yLabel: 'MiB',
    lines: [
      { label: 'host RSS', color: '#D55E00', pick: (s) => toMiB(s.hostRss) },
      { label: 'MemFree', color: '#009E73', dash: [2, 3], pick: (s) => toMiB(s.memFree) },
      { label: 'MemAvailable', color: '#56B4E9', dash: [8, 3], pick: (s) => toMiB(s.memAvailable) },
      { label: 'Cached', color: '#CC79A7', pick: (s) => toMiB(s.cached) },
    ],
  },
];

function data(series: Series, spec: PlotSpec): uPlot.AlignedData {
  return [series.us.map((u) => u / 1e6), ...spec.lines.map((l) => l.pick(series))];
}

export function Plot({
  series,
  spec,
  version,
  theme,
}: {
  series: Series;
  spec: PlotSpec;
  version: number;
  theme: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(series);
  latest.current = series;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new theme redraws with its colours (read from CSS)
  useEffect(() => {
    const el = host.current!;
    const ink = getComputedStyle(document.documentElement).getPropertyValue('--fg').trim() || '#1b1f24';
    const grid = getComputedStyle(document.documentElement).getPropertyValue('--border').trim() || '#d0d7de';
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    plot.current = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 200,
        scales: { x: { time: false } },
        axes: [
          { ...axis, label: 'virtual time (s)' },
          { ...axis, label: spec.yLabel },
        ],
        // Stepped: a value holds until the next sample (a target changes at once, it does not ramp).
        series: [
          { label: 't (s)' },
          ...spec.lines.map((l) => ({
            label: l.label,
            stroke: l.color,
            width: 2,
            dash: l.dash,
            paths: stepped,
          })),
        ],
        legend: { live: false },
      },
      data(latest.current, spec),
      el,
    );
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(280, el.clientWidth), height: 200 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [spec, theme]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version says the series grew (same arrays)
  useEffect(() => {
    plot.current?.setData(data(series, spec));
  }, [series, spec, version]);
  return (
    <figure className="plot">
      <figcaption>{spec.title}</figcaption>
      <div
        ref={host}
        role="img"
        aria-label={`${spec.title}: ${spec.lines.map((l) => l.label).join(', ')} over time`}
      />
    </figure>
  );
}
