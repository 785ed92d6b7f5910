// The timeline: the range to scrub virtual time, its markers, and the "Jump to" list of the same
// markers. A run can make thousands of markers (a stats storm): repeats merge into one mark with a
// count, crowded marks group into one button, and Jump to lists only the marks around now
// (timeline-markers.ts), so the page stays light whatever the run produces.
import { useMemo } from 'react';
import { useRunnerVersion, useServices } from '../context.tsx';
import { seconds } from '../format.ts';
import type { Marker } from '../sim-runner.ts';
import { jumpWindow, layOut, type Mark, mergeRepeats } from '../timeline-markers.ts';

const MARKER: Partial<Record<Marker['kind'], string>> = {
  target: '◆',
  'stats-interval': '⏱',
  warning: '!',
  oom: '✖',
  'oom-deflate': '↓',
  'oom-kill': '✖',
  error: '⚠',
  'out-of-puff': '●',
  freeze: '❄',
  restore: '☀',
  unplug: '⏏',
  fault: '⚡',
  compact: '⇄',
  workload: '▲',
  free: '▽',
  inflate: '↑',
  deflate: '↓',
};

/** The marks the timeline shows, with a way to go to one; the "Jump to" list and the track share them. */
function useMarks() {
  useRunnerVersion();
  const { runner, store } = useServices();
  const end = runner.endUs || 1;
  const now = runner.nowUs;
  const all = runner.markers();
  // The runner's list only grows (or is replaced), so its length says when to merge it again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: all.length is the change to watch
  const marks = useMemo(() => mergeRepeats(all.filter((m) => MARKER[m.kind])), [all, all.length]);
  const goTo = (us: number) => {
    store.getState().setPlaying(false);
    runner.seek(us);
  };
  return { runner, store, end, now, marks, goTo };
}

/** "Jump to": the marks around the current moment as options. */
export function JumpTo() {
  const { now, marks, goTo } = useMarks();
  const jump = jumpWindow(marks, now);
  return (
    <span className="row">
      <label htmlFor="jump">Jump to</label>
      <select
        id="jump"
        className="jump"
        value=""
        disabled={marks.length === 0}
        onChange={(e) => {
          const m = jump.marks[Number(e.target.value)];
          if (m) goTo(m.us);
        }}
      >
        <option value="">{marks.length ? 'an event on the timeline…' : 'no events yet'}</option>
        {jump.before > 0 && <option disabled>{`… ${jump.before} earlier`}</option>}
        {jump.marks.map((m, k) => (
          <option key={`${m.us} ${m.kind} ${m.label}`} value={k}>
            {seconds(m.us)} {MARKER[m.kind]} {markLabel(m)}
          </option>
        ))}
        {jump.after > 0 && <option disabled>{`… ${jump.after} later`}</option>}
      </select>
    </span>
  );
}

export function Timeline() {
  const { runner, store, end, now, marks, goTo } = useMarks();
  const spots = useMemo(() => layOut(marks, end), [marks, end]);
  const rows = spots.map((s) => (s.type === 'mark' ? s.row : 0));
  return (
    <div className="timeline" style={{ paddingBottom: `${1.5 + Math.max(0, ...rows) * 1.2}rem` }}>
      <input
        type="range"
        aria-label="Timeline"
        min={0}
        max={end}
        step={1000}
        value={now}
        onChange={(e) => {
          store.getState().setPlaying(false);
          runner.seek(Number(e.target.value));
        }}
      />
      <ol className="markers" aria-label="Timeline events">
        {spots.map((spot) => {
          const m = spot.type === 'mark' ? spot.mark : spot;
          const name =
            spot.type === 'mark'
              ? `${seconds(m.us)}: ${markLabel(spot.mark)}`
              : `${spot.count} events from ${seconds(spot.us)} to ${seconds(spot.lastUs)}`;
          return (
            <li
              key={`${m.us} ${spot.type === 'mark' ? `${spot.mark.kind} ${spot.mark.label}` : 'group'}`}
              style={{
                left: `${(m.us / end) * 100}%`,
                top: `${(spot.type === 'mark' ? spot.row : 0) * 1.2}rem`,
              }}
              data-kind={spot.type === 'mark' ? spot.mark.kind : 'group'}
            >
              <button type="button" title={name} aria-label={name} onClick={() => goTo(m.us)}>
                {spot.type === 'mark' ? MARKER[spot.mark.kind] : `${spot.count}`}
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** A mark's words: a repeated one says how often, and until when. */
function markLabel(m: Mark): string {
  return m.count === 1
    ? m.label
    : `${m.label} (${m.count.toLocaleString('en')} times, to ${seconds(m.lastUs)})`;
}
