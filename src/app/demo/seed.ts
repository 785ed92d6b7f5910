// A still picture of a guest with every frame state and every host state on it, so the memory map can
// be seen before the simulation drives it. This is not the simulation: guest states are set directly.
// The host's side of the balloon does go through the core's real inflate and deflate handling (PFN
// batches on a virtqueue), so the host's view is what the device would make of those batches.
//
// Replace this file, and its use in App.tsx, once the simulation runs in the page.
import {
  FRAME_ANON,
  FRAME_BALLOON,
  FRAME_DEFLATING,
  FRAME_FILE,
  FRAME_FREE,
  FRAME_INFLATING,
  FRAME_ISOLATED,
  FRAME_KEEP,
  FRAME_KERNEL,
  FRAME_SHMEM,
  FRAME_VIRTIO,
  PFNS_MAX,
} from '../../core/abi.ts';
import type { BalloonCore } from '../../core/core.ts';
import { asGpa, asKernelPage, asPfn, type Pfn } from '../../core/units.ts';

export const DEMO_GUEST = {
  ramFrames: 4194304,
  hostPageFrames: 1,
  windowFrame: 4096,
  windowFrames: 16,
} as const;

const QUEUE_SIZE = 8;

/** Where things are, in frames, for a guest of `ramFrames` (sixteenths of RAM: 1 GiB each at 16 GiB). */
export function demoRegions(ramFrames: number) {
  const s = ramFrames / 16;
  return {
    kernel: [0, s / 16],
    anon: [s / 16, 2 * s],
    file: [2 * s, 3.5 * s],
    shmem: [3.5 * s, 4 * s],
    /** Used once, freed since: the guest calls it free, the host still backs it. */
    touched: [0, 6 * s],
    // Off the GiB lines, so that the small regions stand clear of them when zoomed out.
    balloon: [8.25 * s, 13.75 * s],
    deflated: [8.25 * s, 8.25 * s + 1024],
    deflating: [8.25 * s, 8.25 * s + 256],
    isolated: [11.5 * s + 4096, 11.5 * s + 4112],
    inflating: [13.75 * s, 13.75 * s + 256],
  } as const;
}

/** Lays out the demo guest (core.init) and paints it. */
export function seedDemo(core: BalloonCore, ramFrames: number = DEMO_GUEST.ramFrames): void {
  core.init({ ...DEMO_GUEST, ramFrames });
  const r = demoRegions(ramFrames);
  const set = ([a, b]: readonly [number, number], state: number) => core.setFrames(asPfn(a), b - a, state);

  set(r.kernel, FRAME_KERNEL);
  set(r.anon, FRAME_ANON);
  // A workload's memory is never one block: leave a hole of 2 MiB every 32 MiB.
  for (let f = r.anon[0] + 4096; f + 512 <= r.anon[1]; f += 8192) core.setFrames(asPfn(f), 512, FRAME_FREE);
  set(r.file, FRAME_FILE);
  set(r.shmem, FRAME_SHMEM);
  core.hostTouch(asPfn(r.touched[0]), r.touched[1] - r.touched[0]);

  // The host's side of a balloon: inflate the balloon's range, then deflate its first 4 MiB.
  const q = rings(core);
  passPfns(core, q, 0, r.balloon);
  passPfns(core, q, 1, r.deflated);
  set(r.balloon, FRAME_BALLOON);
  set(r.deflated, FRAME_FREE);
  set(r.deflating, FRAME_DEFLATING);
  set(r.isolated, FRAME_ISOLATED);
  set(r.inflating, FRAME_INFLATING);
  core.setFrames(asPfn(DEMO_GUEST.windowFrame), DEMO_GUEST.windowFrames, FRAME_VIRTIO);
  core.hostTouch(asPfn(DEMO_GUEST.windowFrame), DEMO_GUEST.windowFrames);
}

/** The inflate (0) and deflate (1) queues and pfns[256], inside the backed window. */
function rings(core: BalloonCore) {
  const base = DEMO_GUEST.windowFrame * 4096;
  for (const q of [0, 1]) {
    const desc = base + q * 0x1000;
    const avail = desc + QUEUE_SIZE * 16;
    const used = (avail + 6 + QUEUE_SIZE * 2 + 3) & ~3;
    core.setupQueue(q, { size: QUEUE_SIZE, desc: asGpa(desc), avail: asGpa(avail), used: asGpa(used) });
  }
  return { pfns: asGpa(base + 0x2000) };
}

/** Sends the frames of a range to the device on queue q, 256 PFNs a buffer, as the driver would. */
function passPfns(
  core: BalloonCore,
  q: { pfns: ReturnType<typeof asGpa> },
  queue: 0 | 1,
  range: readonly number[],
) {
  for (let f = range[0]; f < range[1]; f += PFNS_MAX) {
    const n = Math.min(PFNS_MAX, range[1] - f);
    core.writeRun(0, asKernelPage(f), n);
    core.encodeRuns(1, 0, 1, q.pfns, FRAME_KEEP);
    core.addBuf(queue, q.pfns, n * 4);
    core.balloonHandle(queue, queue === 1);
    core.getBuf(queue);
  }
}

/** Who owns a frame in the demo picture (the simulation will know for real). */
export function describeDemo(core: BalloonCore): (pfn: Pfn) => string | undefined {
  const w0 = DEMO_GUEST.windowFrame;
  const rings = ['inflateq rings', 'deflateq rings', 'pfns[256]'];
  return (pfn) => {
    switch (core.frames[pfn]) {
      case FRAME_VIRTIO:
        return rings[pfn - w0] ?? 'virtio_balloon driver';
      case FRAME_KERNEL:
        return 'kernel';
      case FRAME_ANON:
        return 'workload "db" (anonymous)';
      case FRAME_FILE:
        return 'page cache of /var/lib/db';
      case FRAME_SHMEM:
        return 'tmpfs /dev/shm';
      case FRAME_BALLOON:
      case FRAME_INFLATING:
      case FRAME_DEFLATING:
      case FRAME_ISOLATED:
        return 'virtio_balloon';
      default:
        return undefined;
    }
  };
}
