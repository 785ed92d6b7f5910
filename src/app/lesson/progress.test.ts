// Progress between visits: only where the student was and the lessons done; anything else reads as none.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadProgress, PROGRESS_KEY, parseProgress, recordAt } from './progress.ts';

function fakeStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

afterEach(() => vi.unstubAllGlobals());

describe('progress', () => {
  it('reads what it wrote, and nothing else', () => {
    expect(parseProgress(null)).toEqual({ at: null, done: [] });
    expect(parseProgress('not json')).toEqual({ at: null, done: [] });
    expect(parseProgress('[1,2]')).toEqual({ at: null, done: [] });
    expect(parseProgress('{"at":{"lesson":"x","stop":-1},"done":[3,"a","a"]}')).toEqual({
      at: null,
      done: ['a'],
    });
    expect(parseProgress('{"at":"lab"}')).toEqual({ at: 'lab', done: [] });
    expect(parseProgress('{"at":{"lesson":"one-batch","stop":2},"done":["why-a-balloon"]}')).toEqual({
      at: { lesson: 'one-batch', stop: 2 },
      done: ['why-a-balloon'],
    });
  });

  it('keeps where the student is and the lessons finished, in one key', () => {
    const storage = fakeStorage();
    vi.stubGlobal('localStorage', storage);
    recordAt({ lesson: 'why-a-balloon', stop: 2 }, 'why-a-balloon');
    recordAt({ lesson: 'one-batch', stop: 0 });
    expect(loadProgress()).toEqual({ at: { lesson: 'one-batch', stop: 0 }, done: ['why-a-balloon'] });
    recordAt('lab');
    expect(loadProgress()).toEqual({ at: 'lab', done: ['why-a-balloon'] });
    expect(storage.length).toBe(1);
    expect(storage.key(0)).toBe(PROGRESS_KEY);
  });

  it('loses nothing the page needs when storage refuses', () => {
    vi.stubGlobal('localStorage', {
      getItem() {
        throw new Error('denied');
      },
      setItem() {
        throw new Error('quota');
      },
    });
    expect(() => recordAt('lab')).not.toThrow();
    expect(loadProgress()).toEqual({ at: null, done: [] });
  });
});
