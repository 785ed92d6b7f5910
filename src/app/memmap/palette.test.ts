import { describe, expect, it } from 'vitest';
import { FRAME_STATE_COUNT, HOST_STATE_COUNT } from '../../core/abi.ts';
import {
  CHROME,
  contrast,
  fillLut,
  GUEST_STATES,
  HOST_STATES,
  inkFor,
  luminance,
  OKABE_ITO,
  OUTSIDE,
  PATTERN_PERIOD,
  Pattern,
  packRgba,
  paletteTexels,
  parseHex,
  patternInk,
  patternPath,
  priorityTable,
  resolvePalette,
  STATE_SLOTS,
  stateInfo,
  statesOf,
  toHex,
} from './palette.ts';

const views = ['guest', 'host'] as const;
const themes = ['light', 'dark'] as const;

/** The ink pixels of a pattern's tile, as a string of 0s and 1s, for comparing patterns. */
const tile = (p: number) =>
  Array.from({ length: PATTERN_PERIOD * PATTERN_PERIOD }, (_, k) =>
    patternInk(p, k % PATTERN_PERIOD, Math.floor(k / PATTERN_PERIOD)) ? 1 : 0,
  ).join('');

describe('palette', () => {
  it('names every guest frame state and every host state the core defines, at their byte values', () => {
    expect(GUEST_STATES.map((s) => s.value)).toEqual([...Array(GUEST_STATES.length).keys()]);
    expect(HOST_STATES.map((s) => s.value)).toEqual([...Array(HOST_STATE_COUNT).keys()]);
    expect(GUEST_STATES.length).toBeLessThanOrEqual(FRAME_STATE_COUNT);
    for (const v of views) {
      const keys = statesOf(v).map((s) => s.key);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('gives every state of a view its own pattern, so the map reads without colour', () => {
    for (const v of views) {
      const tiles = statesOf(v).map((s) => tile(s.pattern));
      expect(new Set(tiles).size).toBe(tiles.length);
    }
  });

  it('gives every state of a view its own fill in both themes, distinct in grayscale or by pattern', () => {
    for (const v of views) {
      for (const t of themes) {
        const fills = statesOf(v).map((s) => s.fill[t].toUpperCase());
        expect(new Set(fills).size).toBe(fills.length);
      }
    }
  });

  it('draws its hues from Okabe–Ito; the rest are neutral greys', () => {
    const okabeIto = new Set<string>(Object.values(OKABE_ITO));
    for (const v of views) {
      for (const s of statesOf(v)) {
        for (const t of themes) {
          const [r, g, b] = parseHex(s.fill[t]);
          const grey = Math.max(r, g, b) - Math.min(r, g, b) < 20;
          const lighterBlue = s.key === 'balloon' && t === 'dark';
          expect(okabeIto.has(s.fill[t].toUpperCase()) || grey || lighterBlue, `${v} ${s.key} ${t}`).toBe(
            true,
          );
        }
      }
    }
  });

  it('keeps every pattern visible on its fill (ink contrast ≥ 1.9) and every fill off the background', () => {
    for (const v of views) {
      for (const t of themes) {
        const p = resolvePalette(v, t);
        const bg = parseHex(CHROME[t].background);
        for (const s of statesOf(v)) {
          if (s.pattern !== Pattern.none)
            expect(contrast(p.fill[s.value], p.ink[s.value])).toBeGreaterThanOrEqual(1.9);
          expect(contrast(p.fill[s.value], bg), `${v} ${s.key} ${t}`).toBeGreaterThanOrEqual(1.15);
        }
      }
    }
  });

  it('pulls ink towards black on light fills and towards white on dark ones', () => {
    expect(luminance(inkFor(parseHex(OKABE_ITO.yellow)))).toBeLessThan(luminance(parseHex(OKABE_ITO.yellow)));
    expect(luminance(inkFor(parseHex(OKABE_ITO.blue)))).toBeGreaterThan(luminance(parseHex(OKABE_ITO.blue)));
    expect(toHex(inkFor([0, 0, 0]))).toBe('#8C8C8C');
  });

  it('has patterns that repeat every PATTERN_PERIOD pixels and ink on some pixels only', () => {
    for (const p of Object.values(Pattern)) {
      for (let i = 0; i < 30; i++) {
        for (let j = 0; j < 30; j++) {
          expect(patternInk(p, i + PATTERN_PERIOD, j)).toBe(patternInk(p, i, j));
          expect(patternInk(p, i, j + PATTERN_PERIOD)).toBe(patternInk(p, i, j));
        }
      }
      const ink = tile(p)
        .split('')
        .filter((c) => c === '1').length;
      if (p === Pattern.none) {
        expect(ink).toBe(0);
      } else {
        expect(ink).toBeGreaterThan(0);
        expect(ink).toBeLessThan(PATTERN_PERIOD ** 2 * 0.6);
      }
    }
  });

  it('turns a pattern into an SVG path covering exactly its ink pixels', () => {
    expect(patternPath(Pattern.none)).toBe('');
    expect(patternPath(Pattern.vertical).startsWith('M0 0h2v1h-2z')).toBe(true);
    for (const p of Object.values(Pattern)) {
      const covered = new Set<string>();
      for (const m of patternPath(p).matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
        for (let k = 0; k < Number(m[3]); k++) covered.add(`${Number(m[1]) + k},${m[2]}`);
      }
      const expected = new Set<string>();
      for (let j = 0; j < PATTERN_PERIOD; j++) {
        for (let i = 0; i < PATTERN_PERIOD; i++) if (patternInk(p, i, j)) expected.add(`${i},${j}`);
      }
      expect(covered).toEqual(expected);
    }
  });

  it('lays the shader palette out as fill, ink and (pattern, priority) rows', () => {
    const texels = paletteTexels('guest', 'light');
    expect(texels.length).toBe(STATE_SLOTS * 3 * 4);
    const balloon = stateInfo('guest', 5);
    expect(balloon.key).toBe('balloon');
    expect([...texels.subarray(5 * 4, 5 * 4 + 4)]).toEqual([...parseHex(OKABE_ITO.blue), 255]);
    const meta = (2 * STATE_SLOTS + 5) * 4;
    expect([...texels.subarray(meta, meta + 2)]).toEqual([balloon.pattern, balloon.priority]);
  });

  it('names unknown byte values instead of failing on them', () => {
    expect(stateInfo('guest', 12)).toMatchObject({
      key: 'state-12',
      label: 'State 12',
      pattern: Pattern.none,
    });
    expect(stateInfo('host', 9).label).toBe('State 9');
  });

  it('ranks OUTSIDE below every state, and rare transient states above the bulk of memory', () => {
    const g = priorityTable('guest');
    expect(g[OUTSIDE]).toBe(0);
    const rank = (key: string) => g[GUEST_STATES.find((s) => s.key === key)!.value];
    expect(rank('inflating')).toBeGreaterThan(rank('balloon'));
    expect(rank('isolated')).toBeGreaterThan(rank('anon'));
    expect(rank('balloon')).toBeGreaterThan(rank('free'));
    for (let v = 0; v < 255; v++) expect(g[v]).toBeGreaterThan(0);
  });

  it('packs pixels for a little-endian Uint32Array over ImageData', () => {
    const px = new Uint32Array([packRgba([1, 2, 3])]);
    expect([...new Uint8Array(px.buffer)]).toEqual([1, 2, 3, 255]);
    const lut = fillLut('host', 'dark');
    expect(lut[OUTSIDE]).toBe(packRgba(parseHex(CHROME.dark.background)));
    expect(lut[2]).toBe(packRgba(parseHex(OKABE_ITO.vermillion)));
  });
});
