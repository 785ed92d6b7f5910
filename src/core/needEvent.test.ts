import { describe, expect, it } from 'vitest';
import { instantiateWasmCore } from './wasm.ts';
import { loadCoreModuleSync } from './wasm-node.ts';

const core = instantiateWasmCore(loadCoreModuleSync());

describe('needEvent (vring_need_event)', () => {
  it('notifies when the index moves past the event index', () => {
    expect(core.needEvent(0, 1, 0)).toBe(1);
    expect(core.needEvent(5, 10, 3)).toBe(1);
  });
  it('stays quiet when the event index is not crossed', () => {
    expect(core.needEvent(10, 5, 3)).toBe(0);
    expect(core.needEvent(3, 5, 4)).toBe(0);
  });
  it('treats indices as free-running u16 counters', () => {
    expect(core.needEvent(0xffff, 0x0001, 0xfffe)).toBe(1);
    expect(core.needEvent(0x0005, 0x0001, 0xfffe)).toBe(0);
  });
});
