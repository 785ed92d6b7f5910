// `npm run guest -- [--mib 128] [--offer stats] [--save-state] [--balloon MiB] [--steps file.json] [--trace out.trace] [--json]`: boots the real Linux guest
// (public/guest/) in v86 under Node with Balloon Lab's balloon device behind its driver, applies the
// steps, and prints what happened, as `npm run sim` does for a simulated guest.
//   --balloon MiB   QMP balloon: the guest's new logical size (num_pages = RAM − MiB, in 4 KiB pages)
//   --offer list    the balloon features the device offers: stats, deflate-on-oom, must-tell-host
//                   (comma-separated; default stats, as QEMU)
//   --save-state    after the boot, save the machine to public/guest/saved/ for the app to restore
//   --steps file    a JSON list run in order: {"do":"balloon","MiB":96}, {"do":"sh","cmd":"free -m"},
//                   {"do":"stats"} (the device asks for fresh stats), {"do":"stats-interval","s":1}
//                   (QMP guest-stats-polling-interval; 0 stops it), {"do":"sleep","s":1}
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { HOST_DISCARDED, HOST_RESIDENT, HOST_WANTED } from '../src/core/abi.ts';
import { bootRealGuest } from '../src/guest/boot.ts';
import { offerText, parseOffer } from '../src/guest/protocol.ts';
import { saveStateFile, stateKey } from '../src/guest/saved-state.ts';

type Step =
  | { do: 'balloon'; MiB: number }
  | { do: 'sh'; cmd: string }
  | { do: 'stats' }
  | { do: 'stats-interval'; s: number }
  | { do: 'sleep'; s: number };

function fail(message: string): never {
  process.stderr.write(`npm run guest: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) fail(`${name} needs a value`);
  return v;
};
const json = args.includes('--json');
const tracePath = opt('--trace');
const mib = Number(opt('--mib') ?? 128);
// v86 puts the initramfs at 64 MiB: the guest needs RAM above it.
if (!Number.isInteger(mib) || mib < 96 || mib > 256)
  fail(`--mib: a whole number from 96 to 256, got ${opt('--mib')}`);
const steps: Step[] = [];
const balloon = opt('--balloon');
if (balloon !== undefined) steps.push({ do: 'balloon', MiB: Number(balloon) });
const stepsFile = opt('--steps');
if (stepsFile) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(stepsFile, 'utf8'));
  } catch (e) {
    fail(`--steps ${stepsFile}: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) fail(`--steps ${stepsFile}: a JSON list of steps, got ${typeof parsed}`);
  parsed.forEach((s, i) => {
    const k = (s as { do?: unknown })?.do;
    if (k === 'balloon' && typeof s.MiB === 'number') steps.push(s);
    else if (k === 'sh' && typeof s.cmd === 'string') steps.push(s);
    else if (k === 'stats') steps.push(s);
    else if (k === 'stats-interval' && typeof s.s === 'number' && s.s >= 0 && s.s <= 3600) steps.push(s);
    else if (k === 'sleep' && typeof s.s === 'number' && s.s >= 0) steps.push(s);
    else
      fail(
        `--steps ${stepsFile}: step ${i}: ${JSON.stringify(s).slice(0, 120)} is none of balloon {MiB}, sh {cmd}, stats, stats-interval {s: 0 to 3600}, sleep {s}`,
      );
  });
}
for (const s of steps) {
  if (s.do === 'balloon' && !(s.MiB > 0 && s.MiB <= mib))
    fail(`balloon: a size from 0 (exclusive) to ${mib} MiB, got ${s.MiB}`);
}

const t0 = performance.now();
const offered = parseOffer(opt('--offer') ?? 'stats'); // STATS_VQ, as QEMU offers by default
if (typeof offered === 'string') fail(`--offer: ${offered}`);
const features = offered;
const g = await bootRealGuest({ memoryMiB: mib, features });
const bootS = (performance.now() - t0) / 1000;
if (args.includes('--save-state')) {
  const manifest = JSON.parse(readFileSync('public/guest/manifest.json', 'utf8'));
  const dir = 'public/guest/saved';
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/${saveStateFile(stateKey(mib, features, manifest.files.bzImage.sha256))}`;
  const state = new Uint8Array(await g.saveState());
  writeFileSync(path, gzipSync(state, { level: 6 }));
  process.stderr.write(`saved the guest to ${path}\n`);
}
const d = g.device;
const before = await g.meminfo();
const printed: string[] = [];
const wait = async (done: () => boolean, what: string, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end)
      fail(`${what}: not done in ${ms / 1000} s (actual ${d.actual}, num_pages ${d.numPages})`);
    await new Promise((r) => setTimeout(r, 10));
  }
};
let polling: ReturnType<typeof setInterval> | undefined;
for (const s of steps) {
  if (s.do === 'balloon') {
    const pages = Math.floor(((mib - s.MiB) * 1048576) / 4096);
    d.setTarget(pages);
    await wait(() => d.actual === pages || d.counts.errors > 0, `balloon ${s.MiB} MiB`);
  } else if (s.do === 'sh') printed.push(await g.sh(s.cmd, 120_000));
  else if (s.do === 'stats-interval') {
    // QMP guest-stats-polling-interval: the device asks for stats every s seconds; 0 stops it.
    clearInterval(polling);
    polling = s.s > 0 ? setInterval(() => d.requestStats(), s.s * 1000) : undefined;
  } else if (s.do === 'stats') {
    const n = d.counts.statsBuffers;
    if (d.requestStats()) await wait(() => d.counts.statsBuffers > n, 'stats');
  } else await new Promise((r) => setTimeout(r, s.s * 1000));
}
clearInterval(polling);
const after = await g.meminfo();
g.stop();
if (tracePath) writeFileSync(tracePath, d.trace.toText());
const host = d.core.hostCounts();
const summary = {
  guest_mib: mib,
  boot_s: Math.round(bootS * 10) / 10,
  offered: offerText(features),
  negotiated: offerText([0, 1, 2].filter((b) => d.virtio.is_feature_negotiated(b))),
  num_pages: d.numPages,
  actual: d.actual,
  meminfo_kb: { before, after },
  buffers: {
    inflate: d.counts.inflateBuffers,
    deflate: d.counts.deflateBuffers,
    stats: d.counts.statsBuffers,
  },
  device_status: d.virtio.device_status,
  device_errors: d.counts.errors,
  host_frames: { resident: host[HOST_RESIDENT], discarded: host[HOST_DISCARDED], wanted: host[HOST_WANTED] },
  output: printed,
};
if (json) process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
else {
  const kb = (n: number) => `${n.toLocaleString('en-US')} kB`;
  process.stdout.write(
    [
      `real guest: Linux 6.1 (686) in v86, ${mib} MiB; a shell in ${summary.boot_s} s`,
      `offered: ${summary.offered || 'no balloon feature'}; the driver accepted: ${summary.negotiated || 'none'}`,
      ...printed.map((p) => p.trimEnd()),
      `num_pages ${d.numPages}, actual ${d.actual}`,
      `MemTotal ${kb(before.MemTotal)} → ${kb(after.MemTotal)}; MemFree ${kb(before.MemFree)} → ${kb(after.MemFree)}`,
      `buffers: ${d.counts.inflateBuffers} inflate, ${d.counts.deflateBuffers} deflate, ${d.counts.statsBuffers} stats`,
      `host frames: ${host[HOST_RESIDENT]} resident, ${host[HOST_DISCARDED]} discarded, ${host[HOST_WANTED]} wanted`,
      `device status 0x${d.virtio.device_status.toString(16)}, ${d.counts.errors} device errors`,
      '',
    ].join('\n'),
  );
}
process.exit(0);
