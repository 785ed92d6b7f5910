// One implementation's pipeline measurements, in a thread of its own (see pipeline.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { measurePipeline } from './pipeline.ts';

const { impl, sizes } = workerData as { impl: 'wasm' | 'twin'; sizes: number[] };
parentPort?.postMessage(measurePipeline(impl, sizes));
