// `npx tsx bench/kernel.ts [--json]`: the guest kernel's share of the 16 GiB round trip (design.md,
// "Performance budgets"). A 16 GiB guest of 4 KiB pages inflates to 1 GiB logical and back, the way the
// driver does it: balloonPageAlloc + enqueue 256 pages a batch, then dequeue + putPages 256 a batch.
// The driver's own marking of frames (the core's PFN batch functions) is the pipeline benchmark's part
// and is left out here. Prints ns per page for allocation + release.

import { BalloonCore } from '../src/core/core.ts';
import type { KernelPage } from '../src/core/units.ts';
import { loadCoreModuleSync } from '../src/core/wasm-node.ts';
import { defaultCosts } from '../src/sim/costs.ts';
import { checkInvariants } from '../src/sim/guest/invariants.ts';
import { GuestKernel } from '../src/sim/guest/kernel.ts';
import { KernelLog } from '../src/sim/klog.ts';
import { Scheduler } from '../src/sim/sched.ts';

const RAM_FRAMES = 4_194_304;
const BATCH = 256;
const ROUNDS = 5;

function makeKernel(): GuestKernel {
  const core = BalloonCore.fromWasm(loadCoreModuleSync());
  core.init({ ramFrames: RAM_FRAMES, hostPageFrames: 1, windowFrame: 256, windowFrames: 16 });
  const sched = new Scheduler();
  const cfg = { ramFrames: RAM_FRAMES, pageKiB: 4 as const, swapMiB: 0, windowFrame: 256, windowFrames: 16 };
  return new GuestKernel(core, sched, cfg, new KernelLog(() => sched.now), { ...defaultCosts });
}

/**
 * One inflate to 1 GiB logical and one full deflate, 256 pages a batch; with `lists`, through the
 * balloon's page list as the driver does (enqueue, then dequeue: LIFO), else straight back in reverse
 * order. Returns ns per page.
 */
function roundTrip(k: GuestKernel, lists: boolean, held: Int32Array): number {
  const target = held.length;
  const t0 = performance.now();
  for (let n = 0; n < target; n++) {
    const p = k.balloonPageAlloc();
    if (p === -1) throw new Error(`bench: out of memory after ${n} pages`);
    if (lists) k.balloon.enqueue(p);
    else held[n] = p;
  }
  for (let n = target; n > 0; n -= BATCH) {
    const m = Math.min(BATCH, n);
    const batch = held.subarray(n - m, n);
    if (lists) for (let i = 0; i < m; i++) batch[i] = k.balloon.dequeue();
    else batch.reverse();
    k.putPages(batch as unknown as ArrayLike<KernelPage>, m);
  }
  k.takeCpuDebt();
  return ((performance.now() - t0) * 1e6) / target;
}

function stats(xs: number[]): { best: number; median: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
}

const json = process.argv.includes('--json');
const k = makeKernel();
const held = new Int32Array(RAM_FRAMES - 262_144); // 16 GiB − 1 GiB, in 4 KiB pages
const plain: number[] = [];
const listed: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  plain.push(roundTrip(k, false, held));
  listed.push(roundTrip(k, true, held));
}
const problems = checkInvariants(k);
if (problems.length > 0) throw new Error(`bench: invariants broken:\n${problems.join('\n')}`);
const a = stats(plain);
const b = stats(listed);
if (json) {
  const kernel = { pages: held.length, alloc_put_ns_per_page: a, with_balloon_list_ns_per_page: b };
  process.stdout.write(`${JSON.stringify({ kernel })}\n`);
} else {
  process.stdout.write(`guest kernel, 16 GiB guest → 1 GiB logical → back (${held.length} pages each way)\n`);
  process.stdout.write(
    `  balloonPageAlloc + putPages:                 best ${a.best.toFixed(2)} ns/page, median ${a.median.toFixed(2)}\n`,
  );
  process.stdout.write(
    `  … + balloon.enqueue + balloon.dequeue:       best ${b.best.toFixed(2)} ns/page, median ${b.median.toFixed(2)}\n`,
  );
  process.stdout.write('aim: ≤ 10 ns per order-0 allocation or release (≤ 20 ns a page there and back)\n');
}
