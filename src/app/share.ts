// Share links: the URL's hash holds what reopens the exact moment the user saw — the scenario (a
// bundled one by name, or the whole scenario when it was loaded from a file), the seed, what the user
// did on top of it (their actions, as scenario steps at the virtual time they were taken), and the
// moment (events run and the virtual clock). Versioned, so a link from an older app can be told apart:
// version 1 links (no actions) still open. Nothing transient (speed, panel layout) goes in. A bad or
// tampered link gives a message naming the problem, never a blank page.
//
// Version 2:   #v=2&scenario=<file>[&seed=<n>][&actions=<base64url JSON array of steps>]&e=<events>&t=<µs>
//              #v=2&custom=<base64url scenario JSON, the user's actions among its steps>&e=<events>&t=<µs>
// Version 1:   the same without `actions` (and `t` optional).
import { parseScenario, type Scenario, scenarioToJson } from '../sim/scenario.ts';
import type { Step } from '../sim/scenario-steps.ts';

export const SHARE_VERSION = '2';
const READS = ['1', '2'];
const MAX_EVENT_INDEX = 100_000_000;
/** More actions than anyone clicks in a session; a bound so a crafted link cannot make a huge scenario. */
export const MAX_ACTIONS = 1000;

/** `event`: events run (the step cursor); `us`: the virtual clock, which may stand between events. */
export type ShareState =
  | { kind: 'bundled'; file: string; seed?: number; actions?: readonly Step[]; event: number; us?: number }
  | { kind: 'custom'; scenario: Scenario; event: number; us?: number };

export type ShareDecode =
  | { ok: true; state: ShareState }
  | { ok: false; error: string }
  | { ok: true; state: null };

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

export function encodeShare(state: ShareState): string {
  const p = new URLSearchParams({ v: SHARE_VERSION });
  if (state.kind === 'bundled') {
    p.set('scenario', state.file);
    if (state.seed !== undefined) p.set('seed', String(state.seed));
    if (state.actions?.length) p.set('actions', toBase64Url(JSON.stringify(state.actions)));
  } else {
    p.set('custom', toBase64Url(scenarioToJson(state.scenario)));
  }
  p.set('e', String(state.event));
  if (state.us !== undefined) p.set('t', String(state.us));
  return `#${p.toString()}`;
}

/** Reads a location hash. An empty hash is not an error: there is simply nothing to restore. */
export function decodeShare(hash: string, bundled: readonly string[]): ShareDecode {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (raw === '') return { ok: true, state: null };
  const p = new URLSearchParams(raw);
  const v = p.get('v');
  if (v === null || !READS.includes(v)) {
    return {
      ok: false,
      error:
        v === null
          ? 'the link has no version (v=)'
          : `link version ${v} is not one this app reads (${READS.join(' or ')})`,
    };
  }
  const eText = p.get('e') ?? '0';
  if (!/^\d{1,9}$/.test(eText) || Number(eText) > MAX_EVENT_INDEX) {
    return {
      ok: false,
      error: `e (the step cursor) must be a whole number up to ${MAX_EVENT_INDEX}, got "${eText}"`,
    };
  }
  const event = Number(eText);
  const tText = p.get('t');
  if (tText !== null && (!/^\d{1,13}$/.test(tText) || Number(tText) > 1e12)) {
    return { ok: false, error: `t (virtual µs) must be a whole number up to 10^12, got "${tText}"` };
  }
  const at = tText === null ? {} : { us: Number(tText) };
  const custom = p.get('custom');
  if (custom !== null) {
    let text: string;
    try {
      text = fromBase64Url(custom);
    } catch {
      return {
        ok: false,
        error: 'custom: the scenario in the link is damaged (not base64url-encoded UTF-8)',
      };
    }
    const parsed = parseScenario(text);
    if (!parsed.ok) return { ok: false, error: `custom: ${parsed.errors[0]}` };
    return { ok: true, state: { kind: 'custom', scenario: parsed.scenario, event, ...at } };
  }
  const file = p.get('scenario');
  if (file === null) return { ok: false, error: 'the link names no scenario (scenario= or custom=)' };
  if (!bundled.includes(file))
    return { ok: false, error: `scenario "${file}" is not one of the bundled scenarios` };
  const seedText = p.get('seed');
  let seed: number | undefined;
  if (seedText !== null) {
    if (!/^\d{1,10}$/.test(seedText) || Number(seedText) > 0xffffffff) {
      return { ok: false, error: `seed must be a whole number from 0 to 4294967295, got "${seedText}"` };
    }
    seed = Number(seedText);
  }
  const actionsText = p.get('actions');
  if (actionsText === null || v === '1') {
    return { ok: true, state: { kind: 'bundled', file, seed, event, ...at } };
  }
  let actions: unknown;
  try {
    actions = JSON.parse(fromBase64Url(actionsText));
  } catch {
    return { ok: false, error: 'actions: damaged (not base64url-encoded JSON)' };
  }
  if (!Array.isArray(actions)) return { ok: false, error: 'actions: must be a list of scenario steps' };
  if (actions.length > MAX_ACTIONS)
    return { ok: false, error: `actions: at most ${MAX_ACTIONS} steps, got ${actions.length}` };
  // The steps themselves are checked with the scenario they join (withActions), by parseScenario.
  return { ok: true, state: { kind: 'bundled', file, seed, actions: actions as Step[], event, ...at } };
}

/**
 * The user's own actions: the steps of `now` that `base` (the scenario as opened) does not have, in
 * the order they stand. Steps are compared by their JSON, so a copy of a step counts as the step.
 */
export function userActions(base: Scenario, now: Scenario): Step[] {
  const left = new Map<string, number>();
  for (const s of base.steps) {
    const k = JSON.stringify(s);
    left.set(k, (left.get(k) ?? 0) + 1);
  }
  const out: Step[] = [];
  for (const s of now.steps) {
    const k = JSON.stringify(s);
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else out.push(s);
  }
  return out;
}

/**
 * `base` with the user's actions placed as the runner places an action: after every step at the same
 * time or earlier, before an `end`. The result goes through parseScenario, so an action a link made
 * up is refused with the field and the reason, as a scenario file's step would be.
 */
export function withActions(
  base: Scenario,
  actions: readonly unknown[],
  seed?: number,
): { ok: true; scenario: Scenario } | { ok: false; error: string } {
  const steps: unknown[] = [...base.steps];
  for (const a of actions) {
    const at = (a as { at?: unknown })?.at;
    let i = steps.length;
    const before = (s: unknown) => {
      const st = s as Step;
      return st.do === 'end' || (typeof at === 'number' && st.at > at);
    };
    while (i > 0 && before(steps[i - 1])) i--;
    steps.splice(i, 0, a);
  }
  const json = { ...JSON.parse(scenarioToJson(base)), steps, ...(seed === undefined ? {} : { seed }) };
  const parsed = parseScenario(json);
  if (!parsed.ok) return { ok: false, error: `actions: ${parsed.errors[0]}` };
  return { ok: true, scenario: parsed.scenario };
}
