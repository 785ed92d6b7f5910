// Test helpers: a guest kernel on a real (WebAssembly) core, and a stand-in for the balloon driver
// that marks its pages the way the real one does (INFLATING → BALLOON, DEFLATING → putPage).

import { FRAME_BALLOON, FRAME_DEFLATING, FRAME_INFLATING } from '../../core/abi.ts';
import { BalloonCore } from '../../core/core.ts';
import { asPfn, type KernelPage } from '../../core/units.ts';
import { loadCoreModuleSync } from '../../core/wasm-node.ts';
import { type Costs, defaultCosts } from '../costs.ts';
import { KernelLog } from '../klog.ts';
import { Mutex, Scheduler, sleep, type Task } from '../sched.ts';
import { EAGAIN, MIGRATEPAGE_SUCCESS } from './balloon-dev-info.ts';
import { checkInvariants } from './invariants.ts';
import { GuestKernel, type KernelConfig } from './kernel.ts';

export interface TestGuest {
  core: BalloonCore;
  sched: Scheduler;
  log: KernelLog;
  kernel: GuestKernel;
}

/** A guest of `ramMiB` MiB (default 64), window at 1 MiB, 16 frames. */
export function makeGuest(
  opts: Partial<KernelConfig> & { ramMiB?: number; costs?: Partial<Costs> } = {},
): TestGuest {
  const ramFrames = opts.ramFrames ?? (opts.ramMiB ?? 64) * 256;
  const cfg: KernelConfig = {
    ramFrames,
    pageKiB: opts.pageKiB ?? 4,
    swapMiB: opts.swapMiB ?? 0,
    windowFrame: opts.windowFrame ?? 256,
    windowFrames: opts.windowFrames ?? 16,
    kaslr: opts.kaslr,
  };
  const core = BalloonCore.fromWasm(loadCoreModuleSync());
  core.init({ ramFrames, hostPageFrames: 1, windowFrame: cfg.windowFrame, windowFrames: cfg.windowFrames });
  const sched = new Scheduler();
  const log = new KernelLog(() => sched.now);
  const kernel = new GuestKernel(core, sched, cfg, log, { ...defaultCosts, ...opts.costs });
  return { core, sched, log, kernel };
}

/** Marks a kernel page's frames as the driver would through its PFN batches. */
export function markPage(k: GuestKernel, page: number, state: number): void {
  k.core.setFrames(asPfn(page * k.ppp), k.ppp, state);
}

/**
 * fill_balloon without the host: up to n pages from balloonPageAlloc, each marked INFLATING and then
 * BALLOON (as after the host's ack) and enqueued. Returns the pages it got.
 */
export function inflate(k: GuestKernel, n: number): number[] {
  const got: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = k.balloonPageAlloc();
    if (p === -1) break;
    markPage(k, p, FRAME_INFLATING);
    k.balloon.enqueue(p);
    got.push(p);
  }
  for (const p of got) markPage(k, p, FRAME_BALLOON);
  return got;
}

/** leak_balloon without the host: up to n pages dequeued, marked DEFLATING, released. */
export function deflate(k: GuestKernel, n: number): number[] {
  const pages: KernelPage[] = [];
  for (let i = 0; i < n; i++) {
    const p = k.balloon.dequeue();
    if (p === -1) break;
    markPage(k, p, FRAME_DEFLATING);
    pages.push(p);
  }
  k.putPages(pages);
  return pages;
}

/** Runs a task to completion on the guest's scheduler; returns its value. */
export function run<R>(g: TestGuest, name: string, task: Task<R>, untilUs = 1e12): R {
  let result: { value: R } | undefined;
  g.sched.spawn(name, task, (value) => {
    result = { value };
  });
  g.sched.runUntil(untilUs, () => result !== undefined);
  if (!result) throw new Error(`task ${name} did not finish`);
  return result.value;
}

export function expectNoInvariantErrors(k: GuestKernel): void {
  const errors = checkInvariants(k);
  if (errors.length > 0) throw new Error(`invariants:\n${errors.join('\n')}`);
}

/**
 * virtballoon_migratepage as the seed has it, with the host's two round trips as sleeps; `check`
 * runs at each of them (what any other task would see at those event boundaries). `lock` stands for
 * the driver's balloon_lock: taken with trylock, −EAGAIN if another task (leak_balloon) holds it.
 */
export function seedMigratepage(
  k: GuestKernel,
  check: () => void = () => {},
  lock = new Mutex('balloon_lock'),
) {
  return function* (newpage: KernelPage, page: KernelPage): Task<number> {
    if (!k.sched.tryLock(lock)) return -EAGAIN;
    try {
      return yield* migrate(newpage, page);
    } finally {
      k.sched.unlock(lock);
    }
  };

  function* migrate(newpage: KernelPage, page: KernelPage): Task<number> {
    k.balloon.insert(newpage);
    k.balloon.isolatedPages--;
    k.vm.balloonMigrate++;
    markPage(k, newpage, FRAME_INFLATING);
    yield sleep(1100); // tell_host(inflate_vq)
    check();
    markPage(k, newpage, FRAME_BALLOON);
    k.balloon.delete(page);
    markPage(k, page, FRAME_DEFLATING);
    yield sleep(1100); // tell_host(deflate_vq)
    k.putPage(page); // the balloon's reference
    check();
    return MIGRATEPAGE_SUCCESS;
  }
}
