// The wasm pipeline benchmark (design.md, "Performance budgets"): per page, the driver fills 256-PFN
// batches → the ring → the device walks and decodes → the host backing table → used → the driver
// reclaims and marks the batch ballooned. The same loop drives the WebAssembly core and its TypeScript
// twin, so the ratio compares the cores alone.
import { Worker } from 'node:worker_threads';
import {
  type CoreAbi,
  CTRL_EVENT_HEAD,
  CTRL_EVENT_TAIL,
  FRAME_BALLOON,
  FRAME_INFLATING,
  MAX_FRAMES,
  PFNS_MAX,
  REGION_CTRL,
  REGION_SCRATCH,
} from '../src/core/abi.ts';
import { TwinCore } from '../src/core/twin.ts';
import { instantiateWasmCore } from '../src/core/wasm.ts';
import { loadCoreModuleSync } from '../src/core/wasm-node.ts';

const WINDOW_FRAME = 256; // 1 MiB: rings, then pfns[256]
const BASE = WINDOW_FRAME * 4096;
const QSIZE = 128; // QEMU's balloon queues
const PFNS = BASE + 0x4000;

export interface PipelineRow {
  pages: number;
  wasm_ns_per_page: number;
  ts_ns_per_page: number;
  ratio: number;
  wasm_pages_per_s: number;
  ts_pages_per_s: number;
}

function prepare(c: CoreAbi): void {
  if (c.init(MAX_FRAMES, 1, WINDOW_FRAME, 16) !== 0) throw new Error('bench: init failed');
  const avail = BASE + QSIZE * 16;
  const used = (avail + 6 + QSIZE * 2 + 3) & ~3;
  if (c.vqSetup(0, QSIZE, BASE, 0, avail, 0, used, 0, 0) !== 0) throw new Error('bench: vqSetup failed');
}

/**
 * Inflates frames [0, pages) through the whole pipeline; returns nanoseconds. At 4,194,304 pages that
 * is every frame of a 16 GiB guest, the backed window's own frames included: the benchmark measures
 * the pipeline, and the window's bytes stay readable whatever the host table says of them.
 */
function inflate(c: CoreAbi, pages: number): number {
  const mem = c.memory.buffer;
  const scratch = new Uint32Array(mem, c.layout(REGION_SCRATCH), PFNS_MAX);
  const ctrl = new Uint32Array(mem, c.layout(REGION_CTRL), 64);
  const start = process.hrtime.bigint();
  let next = 0;
  const end = pages;
  while (next < end) {
    const n = Math.min(PFNS_MAX, end - next);
    scratch[0] = next; // the pages the allocator handed the driver: here one run of n pages
    scratch[1] = n;
    c.pfnEncode(0, 1, 1, PFNS, 0, FRAME_INFLATING); // set_page_pfns
    c.vqAddBuf(0, PFNS, 0, n * 4, 0); // tell_host: virtqueue_add_outbuf
    c.vqKickPrepare(0); // virtqueue_kick
    c.balloonHandle(0, 0, 1); // the device: pop, walk, decode, discard, push
    c.vqNeedInterrupt(0);
    c.vqGetBuf(0); // balloon_ack → the driver wakes up
    c.pfnSetStates(n, PFNS, 0, FRAME_BALLOON);
    ctrl[CTRL_EVENT_TAIL >> 2] = ctrl[CTRL_EVENT_HEAD >> 2]; // the visualisation drains its events
    next += n;
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (c.stateCount(FRAME_BALLOON) !== pages) throw new Error('bench: the pipeline lost pages');
  return ns;
}

function best(c: CoreAbi, pages: number, reps: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    prepare(c);
    min = Math.min(min, inflate(c, pages));
  }
  return min;
}

/** Measures one implementation (call it in a fresh thread: see runPipelineBench). ns per page by size. */
export function measurePipeline(impl: 'wasm' | 'twin', sizes: number[]): number[] {
  const c = impl === 'wasm' ? instantiateWasmCore(loadCoreModuleSync()) : new TwinCore();
  best(c, 1_048_576, 2); // warm-up: let the JIT settle on the hot loops
  return sizes.map((pages) => best(c, pages, pages > 2_000_000 ? 3 : 5) / pages);
}

/**
 * Each implementation runs in a thread of its own, one after the other, so neither inherits the
 * other's JIT feedback (a driver loop shared by both would become polymorphic and slow both down).
 */
export async function runPipelineBench(sizes = [65_536, 1_048_576, 4_194_304]): Promise<PipelineRow[]> {
  const wasm = await inWorker('wasm', sizes);
  const twin = await inWorker('twin', sizes);
  return sizes.map((pages, i) => ({
    pages,
    wasm_ns_per_page: round(wasm[i]),
    ts_ns_per_page: round(twin[i]),
    ratio: round(twin[i] / wasm[i]),
    wasm_pages_per_s: Math.round(1e9 / wasm[i]),
    ts_pages_per_s: Math.round(1e9 / twin[i]),
  }));
}

function inWorker(impl: 'wasm' | 'twin', sizes: number[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../scripts/ts-worker.mjs', import.meta.url), {
      workerData: { entry: new URL('./pipeline-worker.ts', import.meta.url).href, impl, sizes },
    });
    worker.once('message', (ns: number[]) => {
      void worker.terminate();
      resolve(ns);
    });
    worker.once('error', reject);
  });
}

const round = (x: number) => Math.round(x * 100) / 100;
