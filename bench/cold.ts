// The cold command-line run (design.md, "Performance budgets"): what a user waits for when they type
// `npm run sim -- 16gib.json`. Each run is a fresh Node process (module loading, wasm compile, JIT
// warm-up all included); the 16 GiB round trip's cost is its time minus a tiny scenario's, measured
// alternately in the same benchmark so that both see the same machine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ColdRow {
  tiny_ms: number;
  big_ms: number;
  beyond_startup_ms: number;
}

const scenario = (memoryMiB: number, balloonMiB: number, end: number, back: boolean) => ({
  version: 1,
  name: `${memoryMiB} MiB round trip`,
  seed: 1,
  guest: { memoryMiB, pageKiB: 4, swapMiB: 0 },
  device: { features: ['STATS_VQ'], statsPollingIntervalS: 0 },
  steps: [
    { at: 1, do: 'balloon', MiB: balloonMiB },
    ...(back ? [{ at: 40, do: 'balloon', MiB: memoryMiB }] : []),
    { at: end, do: 'end' },
  ],
});

const cli = fileURLToPath(new URL('../scripts/sim.ts', import.meta.url));

function run(file: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, file], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench: npm run sim failed: ${r.stderr}`);
  return ms;
}

/** Best of `reps` cold runs of each, alternating: the 16 GiB round trip (as bench/sim.ts) and a tiny guest. */
export function measureCold(reps = 3): ColdRow {
  const dir = mkdtempSync(join(tmpdir(), 'balloon-bench-'));
  try {
    const tiny = join(dir, 'tiny.json');
    const big = join(dir, 'big.json');
    writeFileSync(tiny, JSON.stringify(scenario(64, 32, 2, false)));
    writeFileSync(big, JSON.stringify(scenario(16384, 1024, 80, true)));
    let bestTiny = Number.POSITIVE_INFINITY;
    let bestBig = Number.POSITIVE_INFINITY;
    for (let r = 0; r < reps; r++) {
      bestTiny = Math.min(bestTiny, run(tiny));
      bestBig = Math.min(bestBig, run(big));
    }
    return {
      tiny_ms: Math.round(bestTiny),
      big_ms: Math.round(bestBig),
      beyond_startup_ms: Math.round(bestBig - bestTiny),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
