// What the timeline draws for the run's markers, kept light however many there are: a repeated event
// is one mark with a count, marks that crowd one spot become one group, and the Jump to list holds a
// bounded window of marks around the current time. Pure functions; the panel only renders them.

/** A marker as the runner gives it. */
export interface MarkerIn<K extends string = string> {
  us: number;
  kind: K;
  label: string;
}

/** One mark: a marker, or a run of the same marker repeated with nothing else between. */
export interface Mark<K extends string = string> extends MarkerIn<K> {
  /** How many markers it stands for (1 unless repeated). */
  count: number;
  /** The last repeat's time (`us` when count is 1). */
  lastUs: number;
}

/** What the timeline draws at one spot: a mark in its row, or a group of crowded marks. */
export type Spot<K extends string = string> =
  | { type: 'mark'; mark: Mark<K>; row: number }
  | { type: 'group'; marks: Mark<K>[]; us: number; lastUs: number; count: number };

/**
 * Merges each run of markers with the same kind and label, one after the other, into one mark that
 * keeps the first's time and counts the run (a warning the device prints every 24 µs is one mark).
 */
export function mergeRepeats<K extends string>(markers: readonly MarkerIn<K>[]): Mark<K>[] {
  const out: Mark<K>[] = [];
  for (const m of markers) {
    const last = out.at(-1);
    if (last && last.kind === m.kind && last.label === m.label) {
      last.count++;
      last.lastUs = m.us;
    } else {
      out.push({ us: m.us, kind: m.kind, label: m.label, count: 1, lastUs: m.us });
    }
  }
  return out;
}

/**
 * Lays marks (in time order) out on a timeline of length `endUs`. Marks closer than `gap` (a
 * fraction of the timeline) to the first of their cluster form that cluster; a cluster of up to
 * `maxRows` marks stands one above the other, a larger one becomes one group. So there are at most
 * about maxRows / gap spots, whatever the run produced.
 */
export function layOut<K extends string>(
  marks: readonly Mark<K>[],
  endUs: number,
  gap = 0.02,
  maxRows = 3,
): Spot<K>[] {
  const end = endUs > 0 ? endUs : 1;
  const out: Spot<K>[] = [];
  let k = 0;
  while (k < marks.length) {
    const start = marks[k].us / end;
    let j = k + 1;
    while (j < marks.length && marks[j].us / end - start < gap) j++;
    const cluster = marks.slice(k, j);
    if (cluster.length <= maxRows) {
      cluster.forEach((mark, row) => {
        out.push({ type: 'mark', mark, row });
      });
    } else {
      out.push({
        type: 'group',
        marks: cluster,
        us: cluster[0].us,
        lastUs: Math.max(...cluster.map((m) => m.lastUs)),
        count: cluster.reduce((n, m) => n + m.count, 0),
      });
    }
    k = j;
  }
  return out;
}

/**
 * The marks the Jump to list offers: at most `limit`, those nearest the current time (the window
 * slides with it), with how many lie before and after the window.
 */
export function jumpWindow<K extends string>(
  marks: readonly Mark<K>[],
  nowUs: number,
  limit = 100,
): { marks: Mark<K>[]; before: number; after: number } {
  if (marks.length <= limit) return { marks: [...marks], before: 0, after: 0 };
  // The first mark after now, then the window centred there, kept inside the list.
  let next = marks.findIndex((m) => m.us > nowUs);
  if (next < 0) next = marks.length;
  const from = Math.min(Math.max(0, next - Math.floor(limit / 2)), marks.length - limit);
  return { marks: marks.slice(from, from + limit), before: from, after: marks.length - from - limit };
}
