// The guest's memory as its driver reports it (the stats queue), and the balloon's size, over the
// host's clock: a uPlot chart, redrawn when a new point arrives.
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { StatsPoint } from './guest-store.ts';

const MiB = 1048576;
const mibOf = (v: number | null) => (v === null ? null : v / MiB);

export function StatsPlot({ series, dark }: { series: StatsPoint[]; dark: boolean }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const host = el.current;
    if (!host) return;
    const ink = dark ? '#e6edf3' : '#1b1f24';
    const grid = dark ? '#30363d' : '#d0d7de';
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const u = new uPlot(
      {
        width: Math.max(240, host.clientWidth),
        height: 170,
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] } },
        axes: [
          { ...axis, label: 'seconds' },
          { ...axis, label: 'MiB', size: 48 },
        ],
        legend: { live: false },
        series: [
          {},
          { label: 'MemTotal', stroke: '#0072b2', width: 2 },
          { label: 'MemFree', stroke: '#009e73', width: 2 },
          { label: 'Available', stroke: '#e69f00', width: 2, dash: [6, 3] },
          { label: 'Balloon', stroke: '#cc79a7', width: 2 },
        ],
      },
      [[], [], [], [], []],
      host,
    );
    plot.current = u;
    const fit = new ResizeObserver(() => u.setSize({ width: Math.max(240, host.clientWidth), height: 170 }));
    fit.observe(host);
    return () => {
      fit.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [dark]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new theme makes a new, empty plot to fill
  useEffect(() => {
    plot.current?.setData([
      series.map((p) => p.s),
      series.map((p) => mibOf(p.memTotal)),
      series.map((p) => mibOf(p.memFree)),
      series.map((p) => mibOf(p.avail)),
      series.map((p) => p.balloon / MiB),
    ]);
  }, [series, dark]);
  return (
    <figure
      className="guest-plot"
      aria-label="The guest's memory from its stats, and the balloon, in MiB over seconds"
    >
      <div ref={el} />
    </figure>
  );
}
