// A probe of the real guest under v86 in Node (not the product): boots public/guest/ (or restores a
// saved state), waits for the shell, and measures boot, a 32 MiB inflate through v86's own balloon
// device and MemTotal before and after. `node scripts/guest/probe.mjs [--save state.bin | --restore state.bin]`
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { V86 } from 'v86';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const save = arg('--save');
const restore = arg('--restore');
const dir = new URL('../../public/guest/', import.meta.url);
const buf = (f) => {
  const b = readFileSync(new URL(f, dir));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};
const t0 = performance.now();
const since = (t) => `${((performance.now() - t) / 1000).toFixed(2)} s`;
const emulator = new V86({
  wasm_path: new URL('../../node_modules/v86/build/v86.wasm', import.meta.url).pathname,
  memory_size: 128 * 1024 * 1024,
  vga_memory_size: 2 * 1024 * 1024,
  bios: { buffer: buf('bios.bin') },
  vga_bios: { buffer: buf('vgabios-stdvga.bin') },
  bzimage: { buffer: buf('bzImage') },
  initrd: { buffer: buf('initrd.gz') },
  cmdline: 'console=ttyS0 quiet',
  virtio_balloon: true,
  autostart: true,
  disable_keyboard: true,
  disable_mouse: true,
  disable_speaker: true,
  ...(restore ? { initial_state: { buffer: buf(new URL(restore, `file://${process.cwd()}/`)) } } : {}),
});
let out = '';
const wait = (text, ms = 60_000) =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no "${text}" in ${ms} ms`)), ms);
    const iv = setInterval(() => {
      if (out.includes(text)) {
        clearTimeout(t);
        clearInterval(iv);
        resolve();
      }
    }, 5);
  });
emulator.add_listener('serial0-output-byte', (b) => {
  out += String.fromCharCode(b);
});
/** Runs a shell command; resolves with what it printed once the shell prints `<marker>-END`. */
const sh = async (cmd, marker) => {
  out = '';
  // printf joins the marker only in the output, never in the echo of what was typed.
  emulator.serial0_send(`${cmd}; printf '%s-%s\\n' ${marker} END\n`);
  await wait(`${marker}-END`);
  return out;
};
const memTotal = async () =>
  Number(/MemTotal:\s+(\d+)/.exec(await sh('grep MemTotal /proc/meminfo', 'M'))?.[1]);

if (restore) {
  await new Promise((r) => emulator.add_listener('emulator-loaded', r));
  await sh('true', 'R');
  console.log(`shell after restoring ${restore}: ${since(t0)}`);
} else {
  await wait('GUEST-READY');
  console.log(`shell after a cold boot: ${since(t0)}`);
  await new Promise((r) => setTimeout(r, 1000));
}
const before = await memTotal();
const bal = emulator.v86.cpu.devices.virtio_balloon;
const t1 = performance.now();
bal.Inflate(8192);
while (bal.actual < 8192) await new Promise((r) => setTimeout(r, 5));
console.log(`inflate 32 MiB (v86's balloon): ${since(t1)}, actual ${bal.actual} pages`);
const after = await memTotal();
console.log(`MemTotal ${before} kB → ${after} kB (${after - before} kB)`);
bal.Deflate(8192);
while (bal.actual > 0) await new Promise((r) => setTimeout(r, 5));
console.log(`deflated: MemTotal ${await memTotal()} kB`);
if (save) {
  const state = new Uint8Array(await emulator.save_state());
  writeFileSync(save, state);
  console.log(
    `saved ${save}: ${(state.length / 2 ** 20).toFixed(1)} MiB, ${(gzipSync(state).length / 2 ** 20).toFixed(1)} MiB gzip`,
  );
}
emulator.stop();
process.exit(0);
