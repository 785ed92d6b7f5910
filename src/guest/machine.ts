// The real guest's machine, wherever it runs (Node: boot.ts; the browser: worker.ts): v86 with Balloon
// Lab's balloon device behind the guest's driver, booted from the images in public/guest/ or restored
// from a state saved by saveState(). The caller brings v86, its wasm and the images, so nothing here
// reads files or fetches.
import type { BalloonCore } from '../core/core.ts';
import { RealBalloonDevice } from './device.ts';
import { carryState, cpuOf } from './v86-seam.ts';

export interface GuestImages {
  bios: ArrayBuffer;
  vgaBios: ArrayBuffer;
  /** Not needed to restore a state: the kernel and initramfs are in its memory. */
  bzImage?: ArrayBuffer;
  initrd?: ArrayBuffer;
}

export interface V86Emulator {
  add_listener(event: string, fn: (value: never) => void): void;
  serial0_send(text: string): void;
  save_state(): Promise<ArrayBuffer>;
  restore_state(state: ArrayBuffer): Promise<void>;
  run(): void;
  stop(): void;
  destroy?(): Promise<void>;
}
export type V86Constructor = new (options: object) => V86Emulator;

/** v86 puts the initramfs at 64 MiB: the guest needs RAM above it. */
export const MIN_GUEST_MIB = 96;
export const MAX_GUEST_MIB = 256;
export const GUEST_CMDLINE = 'console=ttyS0 quiet';
/** How much of the console a machine keeps for waitFor (a long session prints without end). */
const CONSOLE_KEEP = 64 * 1024;
/** What init prints once the shell is about to start (scripts/guest/init.sh). */
export const READY_MARK = 'GUEST-READY';

export interface MachineOptions {
  V86: V86Constructor;
  /** v86.wasm: a path (Node) or a URL (the browser). */
  wasmPath: string;
  images: GuestImages;
  memoryMiB: number;
  core: BalloonCore;
  /** Balloon features offered beside VERSION_1 and the ring features (default: STATS_VQ, as QEMU). */
  features?: number[];
  /** A state saved by saveState() of the same images, memory size and features. */
  state?: ArrayBuffer;
  /** Each byte the guest writes to its serial console. */
  onSerial?: (byte: number) => void;
}

export class GuestMachine {
  /** The serial console since the last clearConsole(). */
  console = '';
  private seq = 0;

  private constructor(
    readonly emulator: V86Emulator,
    readonly device: RealBalloonDevice,
  ) {}

  static async start(o: MachineOptions): Promise<GuestMachine> {
    const mib = o.memoryMiB;
    if (!(Number.isInteger(mib) && mib >= MIN_GUEST_MIB && mib <= MAX_GUEST_MIB))
      throw new RangeError(
        `guest memory: a whole number of MiB from ${MIN_GUEST_MIB} to ${MAX_GUEST_MIB} (v86 loads the initramfs at 64 MiB), got ${mib}`,
      );
    if (!o.state && !(o.images.bzImage && o.images.initrd))
      throw new Error('guest: a cold boot needs bzImage and initrd');
    const emulator = new o.V86({
      wasm_path: o.wasmPath,
      memory_size: mib * 1024 * 1024,
      vga_memory_size: 2 * 1024 * 1024,
      bios: { buffer: o.images.bios },
      vga_bios: { buffer: o.images.vgaBios },
      ...(o.state ? {} : { bzimage: { buffer: o.images.bzImage }, initrd: { buffer: o.images.initrd } }),
      cmdline: GUEST_CMDLINE,
      virtio_balloon: false,
      virtio_console: true,
      autostart: false,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
    });
    await new Promise<void>((resolve) => emulator.add_listener('emulator-loaded', () => resolve()));
    const cpu = cpuOf(emulator);
    const device = new RealBalloonDevice(cpu, o.core, { features: o.features ?? [1] });
    carryState(cpu, device);
    const m = new GuestMachine(emulator, device);
    emulator.add_listener('serial0-output-byte', (b: number) => {
      // Only the recent console is kept: waitFor looks for what was just printed.
      if (m.console.length > CONSOLE_KEEP * 16) m.console = m.console.slice(-CONSOLE_KEEP);
      m.console += String.fromCharCode(b);
      o.onSerial?.(b);
    });
    if (o.state) {
      try {
        await emulator.restore_state(o.state);
      } catch (e) {
        emulator.stop();
        throw new Error(`the saved guest could not be restored: ${(e as Error)?.message ?? e}`);
      }
    }
    emulator.run();
    return m;
  }

  /** Waits until the console has printed `text`; throws after timeoutMs with what it did print. */
  async waitFor(text: string, timeoutMs: number): Promise<number> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const at = this.console.indexOf(text);
      if (at >= 0) return at;
      if (performance.now() > end)
        throw new Error(
          `the guest did not print "${text}" in ${timeoutMs} ms; it printed: ${this.console.slice(-400)}`,
        );
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Runs a shell command on the console; resolves with what it printed. */
  async sh(cmd: string, timeoutMs = 30_000): Promise<string> {
    const marker = `BL${++this.seq}`;
    this.console = '';
    // printf puts the marker together only in the output, never in the echo of the typed command.
    this.emulator.serial0_send(`${cmd}; printf '%s-%s\\n' ${marker} END\n`);
    const at = await this.waitFor(`${marker}-END`, timeoutMs);
    const text = this.console.slice(0, at);
    return text.slice(text.indexOf('\n') + 1);
  }

  /** MemTotal and MemFree from /proc/meminfo, in kB. */
  async meminfo(): Promise<{ MemTotal: number; MemFree: number }> {
    const text = await this.sh('grep -E "^(MemTotal|MemFree):" /proc/meminfo');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(text)?.[1]);
    return { MemTotal: kb('MemTotal'), MemFree: kb('MemFree') };
  }

  /** The whole machine, Balloon Lab's device with it (restore with MachineOptions.state). */
  saveState(): Promise<ArrayBuffer> {
    return this.emulator.save_state();
  }

  stop(): void {
    this.emulator.stop();
  }
}
