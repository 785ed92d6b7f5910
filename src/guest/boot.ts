// Boots the real guest (public/guest/, scripts/guest/build.sh) in v86 with Balloon Lab's balloon
// device behind its driver, in Node. A shell on the serial console; `sh()` runs a command in it.
import { readFileSync } from 'node:fs';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { RealBalloonDevice, type RealDeviceOptions } from './device.ts';
import { cpuOf } from './v86-seam.ts';

export interface RealGuest {
  device: RealBalloonDevice;
  /** Runs a shell command; resolves with what it printed. */
  sh(cmd: string, timeoutMs?: number): Promise<string>;
  /** MemTotal and MemFree from /proc/meminfo, in kB. */
  meminfo(): Promise<{ MemTotal: number; MemFree: number }>;
  stop(): void;
}

export interface BootOptions extends Partial<RealDeviceOptions> {
  memoryMiB?: number;
  /** A saved state to restore instead of booting (a save of the same guest, memory and device). */
  state?: ArrayBuffer;
}

const root = new URL('../../', import.meta.url);
const file = (path: string) => {
  const b = readFileSync(new URL(path, root));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

export async function bootRealGuest(o: BootOptions = {}): Promise<RealGuest> {
  const { V86 } = (await import('v86')) as unknown as { V86: new (options: object) => V86Emulator };
  const emulator = new V86({
    wasm_path: new URL('node_modules/v86/build/v86.wasm', root).pathname,
    memory_size: (o.memoryMiB ?? 128) * 1024 * 1024,
    vga_memory_size: 2 * 1024 * 1024,
    bios: { buffer: file('public/guest/bios.bin') },
    vga_bios: { buffer: file('public/guest/vgabios-stdvga.bin') },
    bzimage: { buffer: file('public/guest/bzImage') },
    initrd: { buffer: file('public/guest/initrd.gz') },
    cmdline: 'console=ttyS0 quiet',
    virtio_balloon: false,
    virtio_console: true,
    autostart: false,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
  });
  await new Promise<void>((resolve) => emulator.add_listener('emulator-loaded', () => resolve()));
  const device = new RealBalloonDevice(cpuOf(emulator), BalloonCore.fromWasm(loadCoreModuleSync()), {
    features: o.features ?? [1], // STATS_VQ, as QEMU offers by default
    queueSize: o.queueSize,
  });
  let out = '';
  emulator.add_listener('serial0-output-byte', (b: number) => {
    out += String.fromCharCode(b);
  });
  const wait = (text: string, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        clearInterval(iv);
        reject(new Error(`the guest did not print "${text}" in ${ms} ms; it printed: ${out.slice(-400)}`));
      }, ms);
      const iv = setInterval(() => {
        if (out.includes(text)) {
          clearTimeout(t);
          clearInterval(iv);
          resolve();
        }
      }, 5);
    });
  emulator.run();
  await wait('GUEST-READY', 120_000);
  let n = 0;
  const sh = async (cmd: string, timeoutMs = 30_000) => {
    const marker = `BL${++n}`;
    out = '';
    // printf puts the marker together only in the output, never in the echo of the typed command.
    emulator.serial0_send(`${cmd}; printf '%s-%s\\n' ${marker} END\n`);
    await wait(`${marker}-END`, timeoutMs);
    const text = out.slice(0, out.indexOf(`${marker}-END`));
    return text.slice(text.indexOf('\n') + 1);
  };
  const meminfo = async () => {
    const text = await sh('grep -E "^(MemTotal|MemFree):" /proc/meminfo');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(text)?.[1]);
    return { MemTotal: kb('MemTotal'), MemFree: kb('MemFree') };
  };
  return { device, sh, meminfo, stop: () => emulator.stop() };
}

interface V86Emulator {
  add_listener(event: string, fn: (value: never) => void): void;
  serial0_send(text: string): void;
  run(): void;
  stop(): void;
}
