import { describe, expect, it } from 'vitest';
import { createAppStore } from './store.ts';

describe('the highlight in the store', () => {
  it('holds the selected descriptor and its PFNs until cleared', () => {
    const store = createAppStore();
    const s = () => store.getState();
    s().selectDescriptor({ queue: 1, desc: 4 });
    s().setHighlight([0x9a00, 0x9a01]);
    expect(s().selectedDescriptor).toEqual({ queue: 1, desc: 4 });
    expect(s().highlight).toEqual([0x9a00, 0x9a01]);
    s().clearHighlight();
    expect(s().selectedDescriptor).toBeNull();
    expect(s().highlight).toEqual([]);
  });

  it('keeps one empty list, so the map is not told of a change that is none', () => {
    const store = createAppStore();
    const empty = store.getState().highlight;
    store.getState().setHighlight([]);
    expect(store.getState().highlight).toBe(empty);
  });

  it('lets go when another scenario is opened', () => {
    const store = createAppStore();
    store.getState().selectDescriptor({ queue: 0, desc: 0 });
    store.getState().setHighlight([1]);
    store.getState().setCurrent('deflate-on-oom.json', 'deflate on OOM');
    expect(store.getState().selectedDescriptor).toBeNull();
    expect(store.getState().highlight).toEqual([]);
  });
});
