// The comparison link: `#compare=<left.json>,<right.json>`, two bundled scenario files of
// public/scenarios/ side by side on one clock.

export type CompareLink = { ok: true; left: string; right: string } | { ok: false; error: string };

const PREFIX = 'compare=';

/** Whether a location hash is a comparison link (good or bad): `#compare=…`. */
export function isCompareHash(hash: string): boolean {
  return (hash.startsWith('#') ? hash.slice(1) : hash).startsWith(PREFIX);
}

/**
 * Reads a comparison link. With `bundled` (the scenario files the page has), each file must be one
 * of them. Every problem is answered with a sentence naming it.
 */
export function parseCompareHash(hash: string, bundled?: readonly string[]): CompareLink {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!raw.startsWith(PREFIX)) {
    return { ok: false, error: 'a comparison link starts with #compare=' };
  }
  const value = raw.slice(PREFIX.length);
  const amp = value.indexOf('&');
  if (amp >= 0) {
    return {
      ok: false,
      error: `compare= takes two scenario files and nothing after them, got "&${value.slice(amp + 1)}"`,
    };
  }
  if (value === '') {
    return { ok: false, error: 'compare= names no scenarios: give two, as compare=left.json,right.json' };
  }
  const parts = value.split(',');
  if (parts.length !== 2) {
    return {
      ok: false,
      error: `compare= needs two scenario files separated by a comma, got ${parts.length}`,
    };
  }
  const files: string[] = [];
  for (const [i, part] of parts.entries()) {
    const side = i === 0 ? 'left' : 'right';
    let file: string;
    try {
      file = decodeURIComponent(part).trim();
    } catch {
      return { ok: false, error: `compare=: the ${side} scenario's name is damaged (bad %-encoding)` };
    }
    if (file === '') return { ok: false, error: `compare=: the ${side} scenario is missing` };
    if (!/^[\w.-]+\.json$/.test(file)) {
      return {
        ok: false,
        error: `compare=: the ${side} scenario "${file}" is not a scenario file name (like inflate-deflate.json)`,
      };
    }
    if (bundled && !bundled.includes(file)) {
      return {
        ok: false,
        error: `compare=: the ${side} scenario "${file}" is not one of the bundled scenarios`,
      };
    }
    files.push(file);
  }
  return { ok: true, left: files[0], right: files[1] };
}

/** The link that opens a comparison of two bundled scenario files. */
export function compareHash(left: string, right: string): string {
  return `#${PREFIX}${encodeURIComponent(left)},${encodeURIComponent(right)}`;
}
