// The driver view: the TypeScript port of the seed driver with the running function highlighted, its
// place in the seed beside it, one plain sentence about the step, and the last calls with their
// virtual time. Only the code pane scrolls, never the page, so stepping with the keyboard stays put.
import './driver-view.css';
import { type KeyboardEvent, memo, type ReactNode, useId, useLayoutEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { formatTraceTime, SEED_FUNCTIONS } from '../../sim/view.ts';
import { lessonStore } from '../lesson/state.ts';
import { narrate } from './narration.ts';
import { DRIVER_SOURCE_PATH, driverSource, seedLabel } from './source.ts';
import { mergeRanges, type RowRange, rowsInView } from './virtual-rows.ts';

export interface DriverCall {
  /** Virtual time of the call, in µs. */
  us: number;
  fn: string;
  detail?: string;
}

export interface DriverViewProps {
  calls: readonly DriverCall[];
  /** Index of the current call in `calls`; -1 before the first. */
  cursor: number;
  /** Enter on a call in the list asks to go there (the timeline seeks); without it the list only previews. */
  onSeek?: (index: number) => void;
}

/** Calls the list shows, ending at the current one. */
export const RECENT_CALLS = 20;

/** The calls the list shows: up to RECENT_CALLS ending at the cursor (none before the first call). */
export function recentCalls(
  length: number,
  cursor: number,
  shown = RECENT_CALLS,
): { start: number; end: number } {
  const last = Math.min(cursor, length - 1);
  if (last < 0) return { start: 0, end: 0 };
  return { start: Math.max(0, last - shown + 1), end: last + 1 };
}

const SOURCE_LABEL = `Driver source, ${DRIVER_SOURCE_PATH}`;

/** Lines drawn before the pane has been measured (about a pane's height and a margin). */
const INITIAL_LINES = 60;

export function formatVirtualTime(us: number): string {
  return Number.isSafeInteger(us) && us >= 0 ? `${formatTraceTime(us)} s` : `${us} µs`;
}

export function DriverView({ calls, cursor, onSeek }: DriverViewProps) {
  const { lines, spans, declAt } = driverSource();
  const current = cursor >= 0 && cursor < calls.length ? calls[cursor] : null;
  // The call the reader moved to in the list; it lapses when the simulation moves on.
  const [view, setView] = useState<{ cursor: number; index: number } | null>(null);
  const viewed = view && view.cursor === cursor ? view.index : cursor;
  const shown = viewed >= 0 && viewed < calls.length ? calls[viewed] : null;
  const span = shown ? spans.get(shown.fn) : undefined;
  const running = current ? spans.get(current.fn) : undefined;
  const previewing = shown !== null && viewed !== cursor;
  // A lesson's stop may point at a function of the seed: its port is outlined and scrolled to.
  const lessonMark = useStore(lessonStore, (s) => s.marks.driver);
  const pointed = lessonMark ? spans.get(lessonMark.fn) : undefined;
  const scrollTo = pointed ?? span;

  // Only the lines in view are in the DOM (and the running and viewed functions, always): the pane
  // keeps its full height with stand-ins, so it scrolls, pages and finds its place as before.
  const code = useRef<HTMLElement>(null);
  const [rowHeight, setRowHeight] = useState(0);
  const [inView, setInView] = useState<RowRange>({ start: 0, end: INITIAL_LINES });
  const measure = () => {
    const pane = code.current;
    if (!pane || !rowHeight) return;
    const r = rowsInView(pane.scrollTop, pane.clientHeight, rowHeight, lines.length);
    setInView((old) => (old.start === r.start && old.end === r.end ? old : r));
  };
  // The pane may mount hidden (a closed tab) and be shown or resized later: its row height and its
  // height are measured again whenever its box changes, and it scrolls to the function then.
  const [paneHeight, setPaneHeight] = useState(0);
  useLayoutEffect(() => {
    const pane = code.current;
    if (!pane) return;
    const update = () => {
      const line = pane.querySelector<HTMLElement>('.dv-line');
      const h = line?.getBoundingClientRect().height ?? 0;
      if (h) setRowHeight(h);
      setPaneHeight(pane.clientHeight);
    };
    update();
    if (typeof ResizeObserver === 'undefined') return;
    const watch = new ResizeObserver(update);
    watch.observe(pane);
    return () => watch.disconnect();
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: measure reads the pane; it runs when the row height or the pane's height changes
  useLayoutEffect(measure, [rowHeight, paneHeight]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a pane that became visible scrolls to the function
  useLayoutEffect(() => {
    const pane = code.current;
    if (!pane || !scrollTo || !rowHeight || !pane.clientHeight) return;
    const top = scrollTo.start * rowHeight;
    const bottom = (scrollTo.end + 1) * rowHeight;
    const fits = top >= pane.scrollTop && bottom <= pane.scrollTop + pane.clientHeight;
    if (!fits) pane.scrollTop = Math.max(0, top - 2 * rowHeight);
  }, [scrollTo, rowHeight, paneHeight > 0]);
  const segments = mergeRanges(
    [inView, ...[span, running, pointed].flatMap((s) => (s ? [{ start: s.start, end: s.end + 1 }] : []))],
    lines.length,
  );
  const lineRows: ReactNode[] = [];
  let at = 0;
  const gap = (rows: number) => {
    if (rows > 0)
      lineRows.push(
        <div
          key={`gap-${at}`}
          className="dv-gap"
          aria-hidden="true"
          style={{ height: rowHeight ? rows * rowHeight : `${rows * 1.5}em` }}
        />,
      );
  };
  for (const seg of segments) {
    gap(seg.start - at);
    for (let n = seg.start; n < seg.end; n++) {
      const inShown = span !== undefined && n >= span.start && n <= span.end;
      const inRunning = running !== undefined && n >= running.start && n <= running.end;
      const decl = declAt.get(n);
      const inPointed = pointed !== undefined && n >= pointed.start && n <= pointed.end;
      lineRows.push(
        <SourceLine
          key={n}
          n={n}
          text={lines[n]}
          mark={inRunning ? 'run' : inShown ? 'view' : null}
          pointed={inPointed}
          seed={decl ? seedLabel(decl) : null}
        />,
      );
    }
    at = seg.end;
  }
  gap(lines.length - at);

  const label = current ? seedLabel(current.fn) : null;
  const markIsRunning =
    lessonMark !== undefined && lessonMark !== null && !lessonMark.lines && lessonMark.fn === current?.fn;
  return (
    <section className="dv" aria-label="Driver view" data-testid="driver">
      <header className="dv-header">
        <h3>
          Driver{' '}
          {current ? (
            <>
              running <code data-testid="driver.fn">{current.fn}</code>
              {label ? <span className="dv-seed-label"> ({label})</span> : null}
              {markIsRunning ? (
                // The function the lesson points at is the one running: one line says both.
                <span className="dv-lesson dv-lesson-inline" data-testid="driver.lesson">
                  the lesson points here
                </span>
              ) : null}
            </>
          ) : (
            <span className="dv-muted">not started</span>
          )}
        </h3>
        {current ? <span className="dv-time dv-num">t = {formatVirtualTime(current.us)}</span> : null}
      </header>
      {/* Announced by the lab's one live region (Narration.tsx), not here: said once, not twice. */}
      <p className="dv-narration" data-testid="driver.narration">
        {current ? narrate(current.fn, current.detail) : 'Nothing has run yet.'}
      </p>
      {lessonMark && !markIsRunning ? (
        <p className="dv-lesson" data-testid="driver.lesson">
          The lesson points at <code>{lessonMark.fn}</code>
          {lessonMark.lines
            ? `, lines ${lessonMark.lines[0]}–${lessonMark.lines[1]} of the seed`
            : `, seed lines ${SEED_FUNCTIONS[lessonMark.fn][0]}–${SEED_FUNCTIONS[lessonMark.fn][1]}`}
          , outlined below.
        </p>
      ) : null}
      {previewing && shown ? (
        <p className="dv-preview" data-testid="driver.preview">
          Looking back at call {viewed + 1}, <code>{shown.fn}</code>: {narrate(shown.fn, shown.detail)}
        </p>
      ) : null}
      <div className="dv-body">
        <section
          className="dv-code"
          ref={code}
          aria-label={SOURCE_LABEL}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable pane must be reachable by keyboard
          tabIndex={0}
          data-testid="driver.source"
          onScroll={measure}
        >
          {lineRows}
        </section>
        <CallList
          calls={calls}
          cursor={cursor}
          viewed={viewed}
          onView={(index) => setView(index === cursor ? null : { cursor, index })}
          onSeek={onSeek}
        />
      </div>
    </section>
  );
}

const isComment = (text: string) => /^\s*(\/\/|\/\*|\*\/|\*\s|\*$)/.test(text);

const SourceLine = memo(function SourceLine({
  n,
  text,
  mark,
  seed,
  pointed = false,
}: {
  n: number;
  text: string;
  mark: 'run' | 'view' | null;
  seed: string | null;
  pointed?: boolean;
}) {
  return (
    <div
      className="dv-line"
      data-line={n}
      data-mark={mark ?? undefined}
      data-lesson-mark={pointed || undefined}
      data-comment={isComment(text) || undefined}
    >
      <span className="dv-ln" aria-hidden="true">
        {n + 1}
      </span>
      <code>{text || ' '}</code>
      {seed ? <span className="dv-seed">{seed}</span> : null}
    </div>
  );
});

function CallList({
  calls,
  cursor,
  viewed,
  onView,
  onSeek,
}: {
  calls: readonly DriverCall[];
  cursor: number;
  viewed: number;
  onView: (index: number) => void;
  onSeek?: (index: number) => void;
}) {
  const id = useId();
  const list = useRef<HTMLOListElement>(null);
  const { start, end } = recentCalls(calls.length, cursor);
  const active = Math.min(Math.max(viewed, start), end - 1);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the list scrolls when the active call changes
  useLayoutEffect(() => {
    const ol = list.current;
    const li = ol?.querySelector<HTMLElement>('[data-active]');
    if (!ol || !li) return;
    if (li.offsetTop < ol.scrollTop) ol.scrollTop = li.offsetTop;
    else if (li.offsetTop + li.offsetHeight > ol.scrollTop + ol.clientHeight) {
      ol.scrollTop = li.offsetTop + li.offsetHeight - ol.clientHeight;
    }
  }, [active, end]);
  if (end === 0) {
    return (
      <div className="dv-calls" data-testid="driver.calls">
        <h4>Recent calls</h4>
        <p className="dv-muted">No driver function has run yet.</p>
      </div>
    );
  }
  // Arrow keys look back through the calls (the source follows); Enter or a click goes there.
  const onKey = (e: KeyboardEvent<HTMLOListElement>) => {
    let to: number;
    if (e.key === 'ArrowUp') to = Math.max(start, active - 1);
    else if (e.key === 'ArrowDown') to = Math.min(end - 1, active + 1);
    else if (e.key === 'Home') to = start;
    else if (e.key === 'End') to = end - 1;
    else if (e.key === 'Escape') to = Math.min(cursor, end - 1);
    else return;
    e.preventDefault();
    onView(to);
    list.current?.querySelector<HTMLButtonElement>(`[data-call="${to}"]`)?.focus();
  };
  const items: ReactNode[] = [];
  for (let k = start; k < end; k++) {
    const c = calls[k];
    items.push(
      <li key={k} data-active={k === active || undefined} data-current={k === cursor || undefined}>
        <button
          type="button"
          data-call={k}
          tabIndex={k === active ? 0 : -1}
          aria-current={k === cursor ? 'step' : undefined}
          aria-pressed={k === active && k !== cursor ? true : undefined}
          onClick={() => (onSeek ? onSeek(k) : onView(k))}
        >
          <span className="dv-num dv-call-time">{formatVirtualTime(c.us)}</span>{' '}
          <code className="dv-call-fn">{c.fn}</code>
          {c.detail ? <span className="dv-muted"> {c.detail}</span> : null}
          {k === cursor ? <span className="dv-now"> ← now</span> : null}
        </button>
      </li>,
    );
  }
  return (
    <div className="dv-calls" data-testid="driver.calls">
      <h4 id={`${id}-h`}>
        Recent calls{' '}
        <span className="dv-muted">
          ({start + 1}–{end} of {calls.length}; ↑↓ to look back{onSeek ? ', Enter to go there' : ''})
        </span>
      </h4>
      <ol aria-labelledby={`${id}-h`} ref={list} onKeyDown={onKey} className="dv-call-list">
        {items}
      </ol>
    </div>
  );
}
