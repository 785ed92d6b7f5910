// Boots the real guest (public/guest/, scripts/guest/build.sh) in Node: GuestMachine with the images
// read from disk, then a shell on the serial console that answers.
import { readFileSync } from 'node:fs';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModuleSync } from '../core/wasm-node.ts';
import { GuestMachine, READY_MARK, type V86Constructor } from './machine.ts';

export type RealGuest = GuestMachine;

export interface BootOptions {
  memoryMiB?: number;
  /** Balloon features offered (default: STATS_VQ). */
  features?: number[];
  /** A state saved by saveState() of a guest of the same memory size and features. */
  state?: ArrayBuffer;
}

const root = new URL('../../', import.meta.url);
const file = (path: string) => {
  const b = readFileSync(new URL(path, root));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

export async function bootRealGuest(o: BootOptions = {}): Promise<RealGuest> {
  const { V86 } = (await import('v86')) as unknown as { V86: V86Constructor };
  const m = await GuestMachine.start({
    V86,
    wasmPath: new URL('node_modules/v86/build/v86.wasm', root).pathname,
    images: {
      bios: file('public/guest/bios.bin'),
      vgaBios: file('public/guest/vgabios-stdvga.bin'),
      ...(o.state ? {} : { bzImage: file('public/guest/bzImage'), initrd: file('public/guest/initrd.gz') }),
    },
    memoryMiB: o.memoryMiB ?? 128,
    core: BalloonCore.fromWasm(loadCoreModuleSync()),
    features: o.features,
    state: o.state,
  });
  if (!o.state) await m.waitFor(READY_MARK, 120_000);
  await m.sh('true'); // the shell is up and answering
  return m;
}
