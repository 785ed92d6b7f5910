import { describe, expect, it } from 'vitest';
import { keyIntent } from './input.ts';

// A 4096-frame map, 64 columns: the cursor at frame 130 is row 2, column 2.
const grid = { cursor: 130, cols: 64, frames: 4096, pageRows: 10 };
const key = (k: string, mods: { shiftKey?: boolean; ctrlKey?: boolean; metaKey?: boolean } = {}) =>
  keyIntent({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, ...mods }, grid);

describe('keyIntent', () => {
  it('moves the cursor by a cell, a row, 16 of either with Shift, and a screenful', () => {
    expect(key('ArrowRight')).toEqual({ kind: 'move', to: 131 });
    expect(key('ArrowLeft', { shiftKey: true })).toEqual({ kind: 'move', to: 114 });
    expect(key('ArrowDown')).toEqual({ kind: 'move', to: 194 });
    expect(key('ArrowUp', { shiftKey: true })).toEqual({ kind: 'move', to: 0 }); // clamped at frame 0
    expect(key('PageDown')).toEqual({ kind: 'move', to: 130 + 10 * 64 });
  });

  it('goes to the row ends with Home and End, and to the map ends with Ctrl or Meta', () => {
    expect(key('Home')).toEqual({ kind: 'move', to: 128 });
    expect(key('End')).toEqual({ kind: 'move', to: 191 });
    expect(key('Home', { ctrlKey: true })).toEqual({ kind: 'move', to: 0 });
    expect(key('End', { metaKey: true })).toEqual({ kind: 'move', to: 4095 });
  });

  it('zooms, fits, selects and lets go; other keys are left to the page', () => {
    expect(key('+')).toEqual({ kind: 'zoom', factor: 2 });
    expect(key('-')).toEqual({ kind: 'zoom', factor: 0.5 });
    expect(key('0')).toEqual({ kind: 'fit' });
    expect(key('Enter')).toEqual({ kind: 'select' });
    expect(key(' ')).toEqual({ kind: 'select' });
    expect(key('Escape')).toEqual({ kind: 'escape' });
    expect(key('a')).toBeNull();
    expect(key('Tab')).toBeNull();
  });
});

describe('the keys the map holds until input.ts has loaded (controller.ts, MAP_KEYS)', () => {
  it('are every key keyIntent takes, with or without modifiers, and no other', async () => {
    const { MAP_KEYS } = await import('./controller.ts');
    const candidates = [
      ...['Up', 'Down', 'Left', 'Right'].map((d) => `Arrow${d}`),
      ...['PageUp', 'PageDown', 'Home', 'End', 'Enter', '+', '=', '-', '0', '1', '9', '_'],
      ...['Tab', 'Escape', ' ', 'a', 'b', 'f', 'Backspace', 'Delete', 'F5', '?', 'Shift', 'Control'],
    ];
    for (const k of candidates) {
      const takes = [{}, { shiftKey: true }, { ctrlKey: true }, { metaKey: true }].some(
        (m) => key(k, m) !== null,
      );
      expect(MAP_KEYS.test(k), k).toBe(takes);
    }
  });
});
