// The real QEMU trace must replay on the map: 16 inflate batches of 256 PFNs, then 16 deflate ones.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FRAME_BALLOON, HOST_DISCARDED, HOST_WANTED } from '../core/abi.ts';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { TraceReplay } from './trace-replay.ts';

const fixture = readFileSync(new URL('../../../shared/fixtures/qemu-inflate.trace', import.meta.url), 'utf8');

describe('replaying a real QEMU trace', () => {
  it('infers a 256 MiB guest and applies every batch through the device side', () => {
    const core = BalloonCore.fromWasm(loadCoreModuleSync());
    const r = TraceReplay.load(core, fixture);
    if (typeof r === 'string') throw new Error(r);
    expect(r.ramFrames).toBe(65536);
    const firstDeflate = r.summary.batches.find((b) => b.role === 'deflate');
    expect(firstDeflate).toBeDefined();
    r.advanceTo(firstDeflate!.popUs - 1);
    expect(core.stateCount(FRAME_BALLOON)).toBe(4096);
    expect(core.hostCounts()[HOST_DISCARDED]).toBe(4096);
    expect(r.actualAt()).toBe(4096);
    r.advanceTo(r.endUs);
    expect(core.stateCount(FRAME_BALLOON)).toBe(0);
    expect(core.hostCounts()[HOST_WANTED]).toBe(4096);
    expect(r.actualAt()).toBe(0);
    // back in time: replays from the start
    r.advanceTo(firstDeflate!.popUs - 1);
    expect(core.stateCount(FRAME_BALLOON)).toBe(4096);
  });

  it('refuses a file that is not a trace, naming the line', () => {
    const core = BalloonCore.fromWasm(loadCoreModuleSync());
    expect(TraceReplay.load(core, 'hello world\n')).toMatch(/line 1/);
    expect(TraceReplay.load(core, '# only a comment\n')).toMatch(/no inflate or deflate/);
  });
});
