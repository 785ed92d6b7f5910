// A trace file from anywhere (a real QEMU log, an edited one, a wrong file): the reader answers with
// events or a message naming the line and the reason, and the replayer loads it or says why, never
// throwing; a trace it loads replays to its end.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { parseTrace } from './trace-parse.ts';
import { TraceReplay } from './trace-replay.ts';

const real = readFileSync(new URL('../../../shared/fixtures/qemu-inflate.trace', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'));
const core = BalloonCore.fromWasm(loadCoreModuleSync());

/** A real line with one piece of it replaced: a number, a name, a pointer, cut short. */
const mangledLine = fc
  .tuple(
    fc.constantFrom(...real.slice(0, 400)),
    fc.nat(),
    fc.constantFrom('', '-1', 'x', '0x', '99999999999999999999', '1.5', ' ', ':'),
  )
  .map(([line, at, piece]) => {
    const i = at % (line.length + 1);
    return line.slice(0, i) + piece + line.slice(i + 1);
  });

const traceText = fc
  .array(
    fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...real.slice(0, 400)) }, mangledLine, fc.string()),
    {
      maxLength: 60,
    },
  )
  .map((lines) => lines.join('\n'));

describe('trace files from anywhere', () => {
  it('parseTrace never throws: events, or problems that name a line', () => {
    fc.assert(
      fc.property(fc.oneof(traceText, fc.string({ maxLength: 400 })), (text) => {
        const r = parseTrace(text);
        expect(r).toBeTypeOf('object');
      }),
      { numRuns: 400 },
    );
  });

  it('the replayer loads a trace or says why in words, and replays what it loads to its end', () => {
    fc.assert(
      fc.property(traceText, (text) => {
        const r = TraceReplay.load(core, text);
        if (typeof r === 'string') {
          expect(r.length).toBeGreaterThan(10);
          return;
        }
        r.runUntilUs(r.endUs);
        expect(r.nowUs).toBeLessThanOrEqual(r.endUs);
      }),
      { numRuns: 150 },
    );
  });
});
