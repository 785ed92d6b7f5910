// Small pieces the inspector's tables share: a tooltip, a pager for long tables, the flag chips, the
// wrap explanation, and a table header cell that gives the spec's name and a plain-words label.
import {
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { DESC_FLAGS, PAGE_ROWS } from './rings.ts';

/**
 * A tooltip on a small button: shown on hover and on keyboard focus, dismissed with Escape (WCAG
 * 1.4.13), and always the button's accessible description.
 */
export function Tip({ label, children }: { label: ReactNode; children: ReactNode }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  // Closing waits a moment so that the pointer can travel from the button onto the text.
  const closing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const show = () => {
    clearTimeout(closing.current);
    setOpen(true);
  };
  const hide = () => {
    clearTimeout(closing.current);
    closing.current = setTimeout(() => setOpen(false), 150);
  };
  useEffect(() => () => clearTimeout(closing.current), []);
  return (
    <span className="vqi-tip">
      <button
        type="button"
        className="vqi-tip-button"
        aria-describedby={id}
        aria-expanded={open}
        onMouseEnter={show}
        onMouseLeave={hide}
        onFocus={show}
        onBlur={() => setOpen(false)}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setOpen(false);
        }}
      >
        {label}
      </button>
      <span
        role="tooltip"
        id={id}
        className="vqi-tip-text"
        data-open={open}
        onMouseEnter={show}
        onMouseLeave={hide}
      >
        {children}
      </span>
    </span>
  );
}

/** Why `avail.idx − last_avail_idx` still counts right after the indices pass 65535. */
export function WrapTip({ size }: { size: number }) {
  return (
    <Tip label="wrap?">
      The indices (avail.idx, used.idx, last_avail_idx, last_used_idx) are free-running 16-bit counters: they
      only count up, and after 65535 comes 0. The ring slot is idx mod Queue Size (here idx mod {size}, that
      is idx &amp; {size - 1}). Differences are taken mod 65536 as well, so avail.idx − last_avail_idx still
      counts the waiting buffers across a wrap: (3 − 65534) mod 65536 = 5.
    </Tip>
  );
}

/** A column header: the spec's name in mono, a plain-words label under it. */
export function Th({ spec, plain, className }: { spec: string; plain?: string; className?: string }) {
  return (
    <th scope="col" className={className}>
      <span className="vqi-spec">{spec}</span>
      {plain ? <span className="vqi-plain">{plain}</span> : null}
    </th>
  );
}

export function FlagChips({ flags }: { flags: number }) {
  const known = DESC_FLAGS.reduce((m, f) => m | f.bit, 0);
  const unknown = flags & ~known;
  if (flags === 0) {
    return (
      <span className="vqi-none" title="no flags: the device reads this buffer, and it ends its chain">
        —<span className="sr-only"> none</span>
      </span>
    );
  }
  return (
    <span className="vqi-chips">
      {DESC_FLAGS.filter((f) => flags & f.bit).map((f) => (
        <abbr key={f.name} className="vqi-chip" data-flag={f.name} title={f.meaning}>
          {f.name}
        </abbr>
      ))}
      {unknown ? (
        <span className="vqi-chip" data-flag="unknown" title="bits the spec does not define">
          0x{unknown.toString(16)}
        </span>
      ) : null}
    </span>
  );
}

/** Paging for tables longer than PAGE_ROWS; `onPage(null)` returns to following the activity. */
export function Pager({
  label,
  size,
  start,
  end,
  following,
  onPage,
}: {
  label: string;
  size: number;
  start: number;
  end: number;
  following: boolean;
  onPage: (start: number | null) => void;
}) {
  const [goTo, setGoTo] = useState('');
  if (size <= PAGE_ROWS) return null;
  const jump = () => {
    const n = Number.parseInt(goTo, 10);
    if (Number.isInteger(n) && n >= 0 && n < size) onPage(n);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      jump();
    }
  };
  return (
    <fieldset className="vqi-pager">
      <legend className="sr-only">Rows of the {label}</legend>
      <button type="button" disabled={start === 0} onClick={() => onPage(Math.max(0, start - PAGE_ROWS))}>
        ◀ Earlier
      </button>
      <span className="vqi-pager-range">
        rows <span className="vqi-num">{start}</span>–<span className="vqi-num">{end - 1}</span> of{' '}
        <span className="vqi-num">{size}</span>
      </span>
      <button type="button" disabled={end >= size} onClick={() => onPage(start + PAGE_ROWS)}>
        Later ▶
      </button>
      <label className="vqi-goto">
        go to row{' '}
        <input
          type="number"
          min={0}
          max={size - 1}
          value={goTo}
          onChange={(e) => setGoTo(e.target.value)}
          onKeyDown={onKey}
          onBlur={jump}
        />
      </label>
      {following ? (
        <span className="vqi-pager-follow">following the activity</span>
      ) : (
        <button type="button" onClick={() => onPage(null)}>
          Back to the activity
        </button>
      )}
    </fieldset>
  );
}

/**
 * A table's scroll box. While the table follows the activity, the row `focus` (its `data-row-index`)
 * is scrolled to near the top of the box; only the box scrolls, never the page.
 */
export function Scroller({
  focus,
  following,
  children,
}: {
  focus: number;
  following: boolean;
  children: ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = box.current;
    if (!following || !el) return;
    const row = el.querySelector<HTMLElement>(`tr[data-row-index="${focus}"]`);
    if (!row) return;
    const head = el.querySelector('thead')?.getBoundingClientRect().height ?? 0;
    const top = row.offsetTop - head - 2 * row.offsetHeight;
    const visible =
      row.offsetTop - head >= el.scrollTop &&
      row.offsetTop + row.offsetHeight <= el.scrollTop + el.clientHeight;
    if (!visible) el.scrollTop = Math.max(0, top);
  }, [focus, following]);
  return (
    <div
      className="vqi-scroll"
      ref={box}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable box must be reachable by keyboard
      tabIndex={0}
    >
      {children}
    </div>
  );
}
