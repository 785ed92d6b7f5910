// Two runs side by side on one virtual clock: each with its label and its memory map (the host's view
// first: what the host backs is the point of most comparisons), the key numbers of both aligned row by
// row with their difference, and a transport of its own that drives both runs together.
import {
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useId,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import { createPortal } from 'react-dom';
import { formatNumber } from '../../lessons/engine.ts';
import { SPEEDS } from '../commands.ts';
import { useApp } from '../context.tsx';
import { seconds } from '../format.ts';
import { MemoryMap, MemoryMapLegend, type ViewMode, ViewToggle } from '../memmap/index.ts';
import type { Speed } from '../store.ts';
import { useComparePlayback } from './compare-playback.ts';
import { type CompareLabels, type CompareRunner, type CompareSide, SIDES } from './compare-runner.ts';
import { difference, KEY_NUMBERS, readKeyNumbers } from './key-numbers.ts';
import './compare.css';

export interface CompareViewProps {
  runner: CompareRunner;
  labels: CompareLabels;
  /**
   * Where the key numbers go instead of between the maps (a lesson puts them under its pane, so the
   * maps get the width and the numbers stay on screen).
   */
  numbersIn?: HTMLElement | null;
  /** PFNs to outline on each run's map (a lesson's stop). */
  highlights?: { left?: readonly number[]; right?: readonly number[] } | null;
}

/** Step sizes of Step and Step back, µs of virtual time. */
const STEP_SIZES: readonly { us: number; label: string }[] = [
  { us: 1_000, label: '1 ms' },
  { us: 10_000, label: '10 ms' },
  { us: 100_000, label: '100 ms' },
  { us: 1_000_000, label: '1 s' },
];

/** Re-renders on every change the comparison reports; returns its version. */
function useCompareVersion(runner: CompareRunner): number {
  const subscribe = useCallback((cb: () => void) => runner.subscribe(cb), [runner]);
  return useSyncExternalStore(subscribe, () => runner.version);
}

/** Where a key belongs to the element under it: typing, choosing, or pressing a button. */
function elementOwnsKey(el: EventTarget, key: string): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.closest('input, select, textarea, [contenteditable]')) return true;
  return (key === ' ' || key === 'Enter') && el.closest('button, a[href], summary') !== null;
}

export function CompareView({ runner, labels, numbersIn = null, highlights = null }: CompareViewProps) {
  useCompareVersion(runner);
  const [view, setView] = useState<ViewMode>('host');
  const playing = runner.playing;
  const [speed, setSpeed] = useState<Speed>(1);
  const [stepUs, setStepUs] = useState(10_000);
  const stop = useCallback(() => runner.setPlaying(false), [runner]);
  useComparePlayback(runner, playing, speed, stop);

  const play = () => {
    if (!playing && runner.atEnd) runner.seek(0);
    runner.setPlaying(!playing);
  };
  const step = (dUs: number) => runner.stepBy(dUs);
  // The comparison's keys are its own: the lab behind it does not hear them.
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    e.stopPropagation();
    if (e.defaultPrevented || elementOwnsKey(e.target, e.key)) return;
    if (e.key === ' ') play();
    else if (e.key === 'ArrowRight') step(stepUs);
    else if (e.key === 'ArrowLeft') step(-stepUs);
    else return;
    e.preventDefault();
  };

  return (
    <section
      className="compare"
      aria-label={`Comparison: ${labels.left} and ${labels.right}`}
      data-testid="compare"
      onKeyDown={onKeyDown}
    >
      <CompareTransport
        runner={runner}
        playing={playing}
        onPlay={play}
        onStep={step}
        onSeek={(us) => runner.seek(us)}
        speed={speed}
        onSpeed={setSpeed}
        stepUs={stepUs}
        onStepUs={setStepUs}
      >
        <ViewToggle name={`compare-view-${runner.serial}`} view={view} onChange={setView} />
      </CompareTransport>
      {/* Wide: left map, the numbers between, right map; narrower, the numbers below both. */}
      <div className="compare-body" data-numbers={numbersIn ? 'aside' : undefined}>
        {SIDES.map((s) => (
          <CompareColumn
            key={`${s}-${runner.serial}`}
            runner={runner}
            side={s}
            label={labels[s]}
            view={view}
            highlight={highlights?.[s]}
          />
        ))}
        {numbersIn ? (
          createPortal(<KeyNumbersTable runner={runner} labels={labels} />, numbersIn)
        ) : (
          <KeyNumbersTable runner={runner} labels={labels} />
        )}
      </div>
    </section>
  );
}

function CompareTransport({
  runner,
  playing,
  onPlay,
  onStep,
  onSeek,
  speed,
  onSpeed,
  stepUs,
  onStepUs,
  children,
}: {
  runner: CompareRunner;
  playing: boolean;
  onPlay(): void;
  onStep(dUs: number): void;
  onSeek(us: number): void;
  speed: Speed;
  onSpeed(s: Speed): void;
  stepUs: number;
  onStepUs(us: number): void;
  /** More controls for the same row (the map's view). */
  children?: ReactNode;
}) {
  const id = useId();
  const now = runner.nowUs;
  const end = runner.endUs;
  return (
    <section className="compare-transport" aria-label="Comparison playback">
      <div className="row wrap">
        <button type="button" data-testid="compare.play" aria-keyshortcuts="Space" onClick={onPlay}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <button
          type="button"
          aria-keyshortcuts="ArrowLeft"
          onClick={() => onStep(-stepUs)}
          disabled={now <= 0}
        >
          Step back
        </button>
        <button
          type="button"
          aria-keyshortcuts="ArrowRight"
          onClick={() => onStep(stepUs)}
          disabled={runner.atEnd}
        >
          Step
        </button>
        <span className="row">
          <label htmlFor={`${id}-by`}>Step size</label>
          <select id={`${id}-by`} value={stepUs} onChange={(e) => onStepUs(Number(e.target.value))}>
            {STEP_SIZES.map((s) => (
              <option key={s.us} value={s.us}>
                {s.label}
              </option>
            ))}
          </select>
        </span>
        <span className="row">
          <label htmlFor={`${id}-speed`}>Speed</label>
          <select
            id={`${id}-speed`}
            value={String(speed)}
            onChange={(e) => onSpeed(e.target.value === 'max' ? 'max' : (Number(e.target.value) as Speed))}
          >
            {SPEEDS.map((s) => (
              <option key={s.label} value={String(s.value)}>
                {s.label}
              </option>
            ))}
          </select>
        </span>
        {children}
        <output
          className="clock"
          data-testid="compare.time"
          data-us={now}
          data-end-us={end}
          aria-label="Virtual time of both runs"
        >
          {seconds(now)} <small>/ {seconds(end)}</small>
        </output>
      </div>
      <input
        className="compare-timeline"
        type="range"
        aria-label="Time of both runs"
        aria-valuetext={seconds(now)}
        min={0}
        max={end}
        step={1000}
        value={now}
        onChange={(e) => onSeek(Number(e.target.value))}
      />
    </section>
  );
}

function CompareColumn({
  runner,
  side,
  label,
  view,
  highlight,
}: {
  runner: CompareRunner;
  side: CompareSide;
  label: string;
  view: ViewMode;
  highlight?: readonly number[];
}) {
  const theme = useApp((s) => s.theme);
  const core = runner.cores[side];
  const r = runner.side(side);
  const id = useId();
  return (
    <section
      className="compare-column"
      aria-labelledby={id}
      data-side={side}
      data-testid={`compare.${side}`}
      data-highlight-count={highlight ? highlight.length : undefined}
    >
      <h3 id={id} className="compare-label">
        {label}
      </h3>
      {/* Each map follows its own core's dirty bytes; it starts over only with a new run. */}
      <MemoryMap core={core} version={r.generation} theme={theme} view={view} highlight={highlight} />
      <div className="map-legends">
        {view !== 'host' && <MemoryMapLegend view="guest" theme={theme} counts={core.stateCounts()} />}
        {view !== 'guest' && <MemoryMapLegend view="host" theme={theme} counts={core.hostCounts()} />}
      </div>
    </section>
  );
}

/** A difference as the table shows it: "same", or signed (+1.5, −256). */
function signed(d: number | undefined): string {
  if (d === undefined) return '';
  if (d === 0) return 'same';
  return d > 0 ? `+${formatNumber(d)}` : formatNumber(d);
}

function KeyNumbersTable({ runner, labels }: { runner: CompareRunner; labels: CompareLabels }) {
  const version = runner.version;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the runs change in place; version says when
  const values = useMemo(
    () => ({ left: readKeyNumbers(runner.left), right: readKeyNumbers(runner.right) }),
    [runner, version],
  );
  return (
    <table className="compare-numbers" data-testid="compare.numbers">
      <caption>Key numbers of both runs at {seconds(runner.nowUs)}</caption>
      <thead>
        <tr>
          <th scope="col">{labels.left}</th>
          <th scope="col">Measure</th>
          <th scope="col">{labels.right}</th>
          <th scope="col">
            Difference <small>(right − left)</small>
          </th>
        </tr>
      </thead>
      <tbody>
        {KEY_NUMBERS.map((k) => {
          const d = difference(values.left[k.measure], values.right[k.measure]);
          const cell = (side: CompareSide) => {
            const v = values[side][k.measure];
            return (
              <td className="num" data-testid={`compare.${side}.${k.measure}`} data-measure={k.measure}>
                {v === undefined ? '—' : formatNumber(v)}
              </td>
            );
          };
          return (
            <tr
              key={k.measure}
              data-measure={k.measure}
              data-differs={d !== undefined && d !== 0 ? true : undefined}
            >
              {cell('left')}
              <th scope="row">
                {k.label}
                {k.unit ? <small> ({k.unit})</small> : null}
              </th>
              {cell('right')}
              <td className="num compare-diff" data-testid={`compare.diff.${k.measure}`}>
                {signed(d)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
