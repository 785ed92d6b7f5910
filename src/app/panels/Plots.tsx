// Values over virtual time (uPlot: a small, well-kept chart library; it draws on a canvas and takes
// columns of numbers as they are). What each chart shows is in plot-specs.ts; here the drawing, and
// a legend in HTML that draws each line's colour and dash and says its latest value.
import 'uplot/dist/uPlot.min.css';
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import type { Series } from '../../sim/view.ts';
import {
  describePlot,
  latestText,
  PlotColumns,
  type PlotSpec,
  type Theme,
  thinColumns,
} from './plot-specs.ts';

export { PLOTS } from './plot-specs.ts';

const HEIGHT = 230;
const FONT = '14px Inter, system-ui, sans-serif';
const LABEL_FONT = '600 14px Inter, system-ui, sans-serif';
const stepped = uPlot.paths.stepped?.({ align: 1 });

/** Every value from 0: a balloon or a memory size read against zero, not against its own minimum. */
const fromZero: uPlot.Scale.Range = (_u, _min, max) =>
  max === null || !(max > 0) ? [0, 1] : uPlot.rangeNum(0, max, 0.1, true);

/** A y axis wide enough for its longest value, so that 100,000 does not run into the label. */
function axisSize(u: uPlot, values: string[] | null): number {
  if (!values?.length) return 40;
  u.ctx.font = FONT;
  const widest = Math.max(...values.map((v) => u.ctx.measureText(v ?? '').width));
  return Math.ceil(widest / uPlot.pxRatio) + 18;
}

/** A lesson's point on a plot: a line at the stop's time and a dot where its series is then. */
export interface PlotMark {
  series: string;
  us: number;
}

/** Draws `mark` on `u` if one of its lines is the marked series (a uPlot draw hook). */
function drawMark(u: uPlot, spec: PlotSpec, mark: PlotMark | null, ink: string): void {
  if (!mark) return;
  const line = spec.lines.findIndex((l) => l.key === mark.series);
  if (line < 0) return;
  const xs = u.data[0];
  const t = mark.us / 1e6;
  let i = xs.length - 1;
  while (i > 0 && xs[i] > t) i--;
  const x = u.valToPos(t, 'x', true);
  const { ctx, bbox } = u;
  ctx.save();
  ctx.strokeStyle = ink;
  ctx.lineWidth = 1.5 * uPlot.pxRatio;
  ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
  ctx.beginPath();
  ctx.moveTo(x, bbox.top);
  ctx.lineTo(x, bbox.top + bbox.height);
  ctx.stroke();
  const v = u.data[line + 1]?.[i];
  if (typeof v === 'number') {
    const y = u.valToPos(v, u.series[line + 1].scale ?? 'y', true);
    ctx.setLineDash([]);
    ctx.fillStyle = '#e69f00';
    ctx.beginPath();
    ctx.arc(x, y, 6 * uPlot.pxRatio, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();
}

function options(
  spec: PlotSpec,
  theme: Theme,
  width: number,
  mark: { current: PlotMark | null } = { current: null },
): uPlot.Options {
  const css = getComputedStyle(document.documentElement);
  const ink = css.getPropertyValue('--fg').trim() || '#1b1f24';
  const grid = css.getPropertyValue('--border').trim() || '#d0d7de';
  const axis = {
    stroke: ink,
    font: FONT,
    labelFont: LABEL_FONT,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid },
  };
  const right = spec.lines.some((l) => l.scale === 'y2');
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: false }, y: { range: fromZero }, ...(right ? { y2: { range: fromZero } } : {}) },
    axes: [
      { ...axis, label: 'virtual time (s)' },
      { ...axis, label: spec.yLabel, size: axisSize },
      ...(right
        ? [
            {
              ...axis,
              scale: 'y2',
              side: 1 as const,
              label: spec.y2Label,
              size: axisSize,
              grid: { show: false },
            },
          ]
        : []),
    ],
    // Stepped: a value holds until the next sample (a target changes at once, it does not ramp).
    series: [
      { label: 'virtual time (s)' },
      ...spec.lines.map((l) => ({
        label: l.label,
        scale: l.scale ?? 'y',
        stroke: l.color[theme],
        width: 2.5,
        dash: l.dash,
        paths: stepped,
        // A tag the guest never sent is a gap, never a line at zero.
        spanGaps: false,
        points: { size: 5 },
      })),
    ],
    legend: { show: false },
    cursor: { show: false },
    hooks: { draw: [(u) => drawMark(u, spec, mark.current, ink)] },
  };
}

export function Plot({
  series,
  spec,
  version,
  theme,
  mark = null,
}: {
  series: Series;
  spec: PlotSpec;
  version: number;
  theme: Theme;
  /** A lesson's point on this plot (drawn when one of its lines is the series). */
  mark?: PlotMark | null;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const columns = useMemo(() => new PlotColumns(spec), [spec]);
  const latest = useRef(series);
  latest.current = series;
  const markRef = useRef(mark);
  markRef.current = mark;
  // A new theme draws anew, with its colours (read from CSS).
  useEffect(() => {
    const el = host.current!;
    const width = () => Math.max(240, el.clientWidth);
    plot.current = new uPlot(
      options(spec, theme, width(), markRef),
      thinColumns(columns.update(latest.current), width()) as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [spec, theme, columns]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version says the series grew (same arrays)
  useEffect(() => {
    const p = plot.current;
    if (p) p.setData(thinColumns(columns.update(series), p.width) as uPlot.AlignedData);
  }, [series, columns, version]);
  const marked = mark !== null && spec.lines.some((l) => l.key === mark.series);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the mark is read through its ref in the draw hook
  useEffect(() => {
    plot.current?.redraw(false, false);
  }, [mark?.series, mark?.us]);
  return (
    <figure className="plot" data-plot={spec.id} data-lesson-mark={marked ? mark.series : undefined}>
      <figcaption>{spec.title}</figcaption>
      <div ref={host} role="img" aria-label={describePlot(spec, series)} />
      <ul className="plot-legend" aria-label={`Lines of “${spec.title}”`}>
        {spec.lines.map((l) => {
          const value = latestText(l, series);
          return (
            <li key={l.key} data-absent={value === 'never sent' || undefined}>
              <svg width="36" height="12" aria-hidden="true" className="plot-swatch">
                <line
                  x1="0"
                  y1="6"
                  x2="36"
                  y2="6"
                  stroke={l.color[theme]}
                  strokeWidth="3"
                  strokeDasharray={l.dash.join(' ') || undefined}
                />
              </svg>
              <span className="plot-label">
                {l.label}
                {l.specName ? <code className="plot-spec">{l.specName}</code> : null}
              </span>
              <span className="plot-value" data-testid={`plot.${spec.id}.${l.key}`}>
                {value}
              </span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
