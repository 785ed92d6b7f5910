// Test helpers: the same guest laid out on the WebAssembly core and on its twin.

import { ChainCore } from './chain-core.ts';
import type { BalloonCore } from './core.ts';
import { TwinCore } from './twin.ts';
import { asGpa, type Gpa, type KernelPage } from './units.ts';
import { loadCoreModuleSync } from './wasm-node.ts';

export type Impl = 'wasm' | 'twin';
export const impls: Impl[] = ['wasm', 'twin'];

/** The typed core over either implementation; the twin is for tests and the fuzzer, never the app. */
export function makeCore(impl: Impl): ChainCore {
  return impl === 'wasm' ? ChainCore.fromWasm(loadCoreModuleSync()) : new ChainCore(new TwinCore());
}

/**
 * A small standard guest: 64 MiB of RAM (16384 frames), the backed window at 1 MiB (frame 256) with
 * 16 frames (64 KiB). Queue q's rings sit at fixed places inside it, like a driver's allocations.
 */
export const STD = {
  ramFrames: 16384,
  windowFrame: 256,
  windowFrames: 16,
  base: 0x100000,
} as const;

export function stdRings(q: number, size: number): { desc: Gpa; avail: Gpa; used: Gpa } {
  // 16 KiB per queue: desc at +0, avail at +size·16, used 4-aligned after the avail ring.
  const base = STD.base + q * 0x4000;
  const avail = base + size * 16;
  const used = (avail + 6 + size * 2 + 3) & ~3;
  return { desc: asGpa(base), avail: asGpa(avail), used: asGpa(used) };
}

/** pfns[256] and a stats buffer, past the queues. */
export const PFNS_GPA = asGpa(STD.base + 0xc000);
export const STATS_GPA = asGpa(STD.base + 0xd000);
export const SPARE_GPA = asGpa(STD.base + 0xe000);

export function stdCore(impl: Impl, hostPageFrames = 1): ChainCore {
  const core = makeCore(impl);
  core.init({
    ramFrames: STD.ramFrames,
    hostPageFrames,
    windowFrame: STD.windowFrame,
    windowFrames: STD.windowFrames,
  });
  return core;
}

/**
 * set_page_pfns for a list of kernel pages (tests write batches as lists): consecutive pages go to
 * the core as one run, as the driver's PageRuns do. Returns the PFNs written.
 */
export function encodePages(
  core: BalloonCore,
  pages: ArrayLike<KernelPage>,
  at: number,
  pagesPerPage: number,
  pfns: Gpa,
  state: number,
): number {
  let runs = 0;
  for (let k = 0; k < pages.length; runs++) {
    const first = pages[k];
    let j = k + 1;
    const step = j < pages.length && Math.abs(pages[j] - first) === 1 ? pages[j] - first : 1;
    while (j < pages.length && pages[j] === pages[j - 1] + step) j++;
    core.writeRun(runs, first, j - k, step < 0);
    k = j;
  }
  return core.encodeRuns(runs, at, pagesPerPage, pfns, state);
}
