// The fuzz loop, in a worker thread so that the parent can stop it if a case ever hangs.
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { caseArb, runCase } from '../src/core/fuzz.ts';
import { TwinCore } from '../src/core/twin.ts';
import { instantiateWasmCore } from '../src/core/wasm.ts';
import { loadCoreModuleSync } from '../src/core/wasm-node.ts';

const { cases, seed } = workerData as { cases: number; seed: number };
const port = parentPort;
if (!port) throw new Error('fuzz-worker must run as a worker thread');

const pair = { wasm: instantiateWasmCore(loadCoreModuleSync()), twin: new TwinCore() };
const counts: Record<string, number> = {};
let done = 0;
let ops = 0;

const result = fc.check(
  fc.property(caseArb, ([setup, list]) => {
    const out = runCase(pair, setup, list);
    done++;
    ops += list.length;
    if (done % 1000 === 0) port.postMessage({ type: 'progress', done, ops });
    for (const e of out.errors) counts[e] = (counts[e] ?? 0) + 1;
    if (out.failure) throw new Error(out.failure);
  }),
  { numRuns: cases, seed, endOnFailure: false },
);

port.postMessage({
  type: 'done',
  done,
  ops,
  counts,
  failed: result.failed,
  report: result.failed ? `${String(result.errorInstance)}\n${fc.defaultReportMessage(result)}` : undefined,
});
