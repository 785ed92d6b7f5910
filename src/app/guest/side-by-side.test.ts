import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario.ts';
import type { TraceParts } from '../../sim/view.ts';
import { measure, scenarioFor } from './side-by-side.ts';

type Summary = TraceParts['summary'];
const batch = (role: 'inflate' | 'deflate' | 'stats', popUs: number, n: number) =>
  ({ role, popUs, pfns: new Uint32Array(n) }) as unknown as Summary['batches'][number];

describe('side by side: the real run and the simulation measured alike', () => {
  it('makes a scenario of the real targets: same guest, same moments, the logical size QMP takes', () => {
    const s = scenarioFor(
      128 * 1048576,
      [
        { us: 12_345_678, targetBytes: 96 * 1048576, numPages: 8192, line: 1 },
        { us: 20_000_000, targetBytes: 128 * 1048576, numPages: 0, line: 9 },
      ],
      25_000_000,
    );
    const parsed = parseScenario(s);
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(parsed.scenario.guest.memoryMiB).toBe(128);
    expect(parsed.scenario.steps).toEqual([
      { at: 12.345678, do: 'balloon', MiB: 96 },
      { at: 20, do: 'balloon', MiB: 128 },
      { at: 30, do: 'end' },
    ]);
  });

  it('measures each target: how long until actual reached it, and the buffers in between', () => {
    const summary = {
      targets: [
        { us: 1000, targetBytes: 0, numPages: 512, line: 1 },
        { us: 9000, targetBytes: 0, numPages: 0, line: 2 },
      ],
      batches: [
        batch('inflate', 1100, 256),
        batch('stats', 1200, 0),
        batch('inflate', 1300, 256),
        batch('deflate', 9100, 256),
      ],
      actual: [
        { us: 1150, actual: 256, oldActual: 0, line: 3 },
        { us: 1400, actual: 512, oldActual: 256, line: 4 },
        { us: 9200, actual: 256, oldActual: 512, line: 5 },
      ],
    } as unknown as Summary;
    const m = measure({ summary, actualAt: () => 256 });
    expect(m.targets).toEqual([
      { numPages: 512, us: 1000, reachedAfterUs: 400, inflateBuffers: 2, deflateBuffers: 0, pfns: 512 },
      // Not reached: the run ended with 256 pages still in the balloon.
      { numPages: 0, us: 9000, reachedAfterUs: null, inflateBuffers: 0, deflateBuffers: 1, pfns: 256 },
    ]);
    expect(m).toMatchObject({
      actual: 256,
      inflate: { buffers: 2, pfns: 512 },
      deflate: { buffers: 1, pfns: 256 },
      stats: 1,
    });
  });
});
