// Share links: the URL's hash holds what reopens the exact moment — the scenario (a bundled one by
// name, or the whole scenario when it was loaded from a file or changed by the operator), the seed,
// and the step cursor. Versioned, so a link from an older app can be told apart; nothing transient
// (speed, panel layout) goes in. A bad or tampered link gives a message, never a blank page.
import { parseScenario, type Scenario, scenarioToJson } from '../sim/scenario.ts';

export const SHARE_VERSION = '1';
const MAX_EVENT_INDEX = 100_000_000;

/** `event`: events run (the step cursor); `us`: the virtual clock, which may stand between events. */
export type ShareState =
  | { kind: 'bundled'; file: string; seed?: number; event: number; us?: number }
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
  if (v !== SHARE_VERSION) {
    return {
      ok: false,
      error:
        v === null
          ? 'the link has no version (v=)'
          : `link version ${v} is not one this app reads (${SHARE_VERSION})`,
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
  const us = tText === null ? undefined : Number(tText);
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
    return {
      ok: true,
      state: { kind: 'custom', scenario: parsed.scenario, event, ...(us === undefined ? {} : { us }) },
    };
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
  return { ok: true, state: { kind: 'bundled', file, seed, event, ...(us === undefined ? {} : { us }) } };
}
