import { parentPort } from 'node:worker_threads';
import { measureSeek } from './seek.ts';

parentPort?.postMessage(await measureSeek());
