// What the address bar's hash asks for: the first screen (nothing), the free lab (`#lab`), a lesson's
// stop (`#lesson=<id>&stop=<n>`, n counted from 1, as the pane shows it; `v=2&` may lead, as in every
// share link), or a share link of the lab (anything else with `v=`, read by share.ts).

export type Route =
  | { kind: 'home' }
  | { kind: 'lab' }
  | { kind: 'lesson'; id: string; stop: number }
  | { kind: 'share'; hash: string }
  | { kind: 'bad'; error: string };

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const MAX_STOP = 999;

export function parseRoute(hash: string): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (raw === '') return { kind: 'home' };
  if (raw === 'lab') return { kind: 'lab' };
  const p = new URLSearchParams(raw);
  if (!p.has('lesson')) return { kind: 'share', hash };
  const v = p.get('v');
  if (v !== null && v !== '2') return { kind: 'bad', error: `link version ${v} has no lessons (2 has)` };
  const id = p.get('lesson') ?? '';
  if (!ID.test(id) || id.length > 64) {
    return {
      kind: 'bad',
      error: `lesson "${id.slice(0, 64)}" is not a lesson name (lower-case words joined by -)`,
    };
  }
  const stopText = p.get('stop') ?? '1';
  if (!/^\d{1,3}$/.test(stopText) || Number(stopText) < 1) {
    return {
      kind: 'bad',
      error: `stop must be a stop's number, 1 to ${MAX_STOP}, got "${stopText.slice(0, 20)}"`,
    };
  }
  return { kind: 'lesson', id, stop: Number(stopText) - 1 };
}

/** The link to a lesson's stop (`stop` counted from 0). */
export function lessonHash(id: string, stop: number): string {
  return `#lesson=${id}&stop=${stop + 1}`;
}
