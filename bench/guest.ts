// The real guest in Node (issue #13): a restore of the saved machine to a shell that answers, and a
// 32 MiB inflate through Balloon Lab's device to actual = 8,192 pages; best of three. The saved state
// is `npm run guest -- --save-state`'s; without it this boots the guest cold once and measures that.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { bootRealGuest } from '../src/guest/boot.ts';
import { saveStateFile, stateKey } from '../src/guest/saved-state.ts';

export interface GuestBench {
  /** Restore to a shell that answers, ms (null: no saved state). */
  restore_ms: number | null;
  /** A cold boot to a shell, ms (measured only without a saved state). */
  cold_boot_ms: number | null;
  inflate_32mib_ms: number;
}

const MIB = 128;

export async function runGuestBench(): Promise<GuestBench> {
  const manifest = JSON.parse(readFileSync('public/guest/manifest.json', 'utf8'));
  const path = `public/guest/saved/${saveStateFile(stateKey(MIB, [1], manifest.files.bzImage.sha256))}`;
  const saved = existsSync(path) ? gunzipSync(readFileSync(path)) : null;
  const state = saved ? saved.buffer.slice(saved.byteOffset, saved.byteOffset + saved.byteLength) : undefined;
  let restore = Number.POSITIVE_INFINITY;
  let cold: number | null = null;
  let inflate = Number.POSITIVE_INFINITY;
  for (let i = 0; i < (state ? 3 : 1); i++) {
    const t0 = performance.now();
    const g = await bootRealGuest({ memoryMiB: MIB, state });
    const up = performance.now() - t0;
    if (state) restore = Math.min(restore, up);
    else cold = up;
    const t1 = performance.now();
    g.device.setTarget(8192);
    while (g.device.actual !== 8192) {
      if (performance.now() - t1 > 60_000)
        throw new Error('bench: the 32 MiB inflate did not finish in 60 s');
      await new Promise((r) => setTimeout(r, 1));
    }
    inflate = Math.min(inflate, performance.now() - t1);
    g.stop();
  }
  const r = (x: number) => Math.round(x);
  return {
    restore_ms: state ? r(restore) : null,
    cold_boot_ms: cold === null ? null : r(cold),
    inflate_32mib_ms: r(inflate),
  };
}
