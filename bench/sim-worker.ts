import { parentPort } from 'node:worker_threads';
import { measureSim } from './sim.ts';

parentPort?.postMessage(measureSim());
