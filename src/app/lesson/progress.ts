// Progress kept between visits, and nothing else: where the student was (a lesson's stop, or the
// lab) and which lessons they finished. One localStorage key; a value that is not ours is ignored.

export interface Progress {
  /** Where to land on the next visit. */
  at: { lesson: string; stop: number } | 'lab' | null;
  /** Lessons taken to their last stop. */
  done: string[];
}

export const PROGRESS_KEY = 'balloon-lab.progress.v1';
const EMPTY: Progress = { at: null, done: [] };

/** Storage may be missing or refuse (private windows, a full disk, a sandboxed frame). */
function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Reads a stored value; anything malformed reads as no progress. */
export function parseProgress(text: string | null): Progress {
  if (!text) return EMPTY;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return EMPTY;
  }
  if (typeof v !== 'object' || v === null) return EMPTY;
  const o = v as Record<string, unknown>;
  const done = Array.isArray(o.done)
    ? o.done.filter((d): d is string => typeof d === 'string').slice(0, 100)
    : [];
  let at: Progress['at'] = null;
  if (o.at === 'lab') at = 'lab';
  else if (typeof o.at === 'object' && o.at !== null) {
    const a = o.at as Record<string, unknown>;
    if (typeof a.lesson === 'string' && Number.isInteger(a.stop) && (a.stop as number) >= 0)
      at = { lesson: a.lesson, stop: a.stop as number };
  }
  return { at, done: [...new Set(done)] };
}

export function loadProgress(): Progress {
  try {
    return parseProgress(storage()?.getItem(PROGRESS_KEY) ?? null);
  } catch {
    return EMPTY;
  }
}

export function saveProgress(p: Progress): void {
  try {
    storage()?.setItem(PROGRESS_KEY, JSON.stringify(p));
  } catch {
    // Progress is a convenience: a storage that refuses loses nothing the page needs.
  }
}

/** Records where the student is; `finished` marks the lesson done. */
export function recordAt(at: Progress['at'], finished?: string): Progress {
  const p = loadProgress();
  const done = finished && !p.done.includes(finished) ? [...p.done, finished] : p.done;
  const next = { at, done };
  saveProgress(next);
  return next;
}
