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

  it('ends after the guest’s last write of actual, which comes after the device returned the buffer', () => {
    // A trace that stops as the guest writes actual (a live one, exported at that moment): the
    // fixture up to its last set_config line.
    const lines = fixture.split('\n');
    const last = lines.map((l) => l.includes('virtio_balloon_set_config')).lastIndexOf(true);
    const core = BalloonCore.fromWasm(loadCoreModuleSync());
    const r = TraceReplay.load(core, lines.slice(0, last + 1).join('\n'));
    if (typeof r === 'string') throw new Error(r);
    const lastFlush = Math.max(...r.summary.batches.map((b) => b.flushUs ?? b.popUs));
    expect(r.summary.actual.at(-1)!.us).toBeGreaterThan(lastFlush);
    r.advanceTo(r.endUs);
    expect(r.actualAt()).toBe(0);
  });

  it('plays like a simulation: step by step to the end is where running to the end gets', () => {
    const core = BalloonCore.fromWasm(loadCoreModuleSync());
    const r = TraceReplay.load(core, fixture);
    if (typeof r === 'string') throw new Error(r);
    let steps = 0;
    while (r.step()) steps++;
    // one step per moment or batch flush: at least the 32 batches
    expect(steps).toBeGreaterThanOrEqual(32);
    expect(r.nowUs).toBe(r.endUs);
    expect(r.nextTime()).toBeUndefined();
    expect(r.batchesApplied).toBe(32);
    const fresh = r.restart();
    expect(fresh.nowUs).toBe(0);
    expect(fresh.batchesApplied).toBe(0);
    expect(core.stateCount(FRAME_BALLOON)).toBe(0);
    fresh.runUntilUs(fresh.endUs);
    expect(fresh.batchesApplied).toBe(32);
    // markers: the targets, and where each run of inflate or deflate buffers begins
    expect(fresh.markers().map((m) => m.kind)).toEqual(
      fresh
        .markers()
        .map((m) => m.kind)
        .filter((k) => k !== 'stats'),
    );
    expect(fresh.markers().filter((m) => m.kind === 'inflate').length).toBeGreaterThan(0);
  });

  it('refuses a file that is not a trace, naming the line', () => {
    const core = BalloonCore.fromWasm(loadCoreModuleSync());
    expect(TraceReplay.load(core, 'hello world\n')).toMatch(/line 1/);
    expect(TraceReplay.load(core, '# only a comment\n')).toMatch(/no inflate or deflate/);
  });
});
