/// <reference lib="webworker" />
// The real guest's Web Worker: v86 and Balloon Lab's device run here, so the page stays responsive
// while the emulator works. It fetches the images (or a saved state), boots, and then relays the serial
// console and, at most 20 times a second, what the device did (protocol.ts).
import v86WasmUrl from 'v86/build/v86.wasm?url';
import { FRAME_BALLOON } from '../core/abi.ts';
import { BalloonCore } from '../core/core.ts';
import { loadCoreModule } from '../core/wasm-browser.ts';
import { DEFLATE_Q, INFLATE_Q, type RealBalloonDevice } from './device.ts';
import { GuestMachine, READY_MARK, type V86Constructor } from './machine.ts';
import type { FromGuest, GuestEvent, GuestQueue, GuestStartOptions, ToGuest } from './protocol.ts';
import { readBody } from './read-body.ts';
import { driverSide, ringPages } from './ring-view.ts';
import { forgetState, loadState, saveStateFile, stateKey, storeState } from './saved-state.ts';

const post = (m: FromGuest, transfer: Transferable[] = []) => self.postMessage(m, transfer);
const QUEUE_NAMES = ['inflate', 'deflate', 'stats'];

let machine: GuestMachine | null = null;
let statsTimer: ReturnType<typeof setInterval> | undefined;
const pending: GuestEvent[] = [];
let frames = new Uint8Array(0);
let lastBatch: { queue: number; pfns: Uint32Array } | null = null;
let changed = true;

self.onmessage = (e: MessageEvent<ToGuest>) => {
  const m = e.data;
  if (m.t === 'start') {
    start(m.options).catch((err: unknown) =>
      post({ t: 'failed', message: (err as Error)?.message ?? String(err) }),
    );
    return;
  }
  if (!machine) return;
  if (m.t === 'input') machine.emulator.serial0_send(m.text);
  else if (m.t === 'target') machine.device.setTarget(m.pages);
  else if (m.t === 'stats-interval') pollStats(machine.device, m.seconds);
  else if (m.t === 'trace') post({ t: 'trace', text: machine.device.trace.toText() });
};

/** Fetches a file, telling the page how far it got (from `from` to `to` of the whole start). */
async function fetchBytes(url: string, text: string, from: number, to: number): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return readBody(res, (f) =>
    post({ t: 'progress', phase: 'fetch', fraction: from + (to - from) * f, text }),
  );
}

async function start(o: GuestStartOptions): Promise<void> {
  const t0 = performance.now();
  const manifest = (await (await fetch(`${o.base}manifest.json`)).json()) as {
    files: Record<string, { sha256: string }>;
  };
  const key = stateKey(o.memoryMiB, o.features, manifest.files.bzImage.sha256);
  post({ t: 'progress', phase: 'fetch', fraction: 0, text: 'Fetching the BIOS' });
  const [bios, vgaBios, core] = await Promise.all([
    fetchBytes(`${o.base}bios.bin`, 'Fetching the BIOS', 0, 0.02),
    fetchBytes(`${o.base}vgabios-stdvga.bin`, 'Fetching the BIOS', 0.02, 0.03),
    loadCoreModule().then((mod) => BalloonCore.fromWasm(mod)),
  ]);
  let note: string | undefined;
  let state: ArrayBuffer | undefined;
  if (!o.coldBoot) {
    try {
      state = await loadState(key, `${o.base}saved/${saveStateFile(key)}`, (fraction, text) =>
        post({ t: 'progress', phase: 'restore', fraction: 0.03 + 0.85 * fraction, text }),
      );
    } catch (e) {
      note = `The saved guest could not be read (${(e as Error)?.message ?? e}), so Linux booted instead.`;
      await forgetState(key);
    }
  }
  const { V86 } = (await import('v86')) as unknown as { V86: V86Constructor };
  let serial = '';
  const boot = async (saved: ArrayBuffer | undefined) =>
    GuestMachine.start({
      V86,
      wasmPath: v86WasmUrl,
      images: saved
        ? { bios, vgaBios }
        : {
            bios,
            vgaBios,
            bzImage: await fetchBytes(`${o.base}bzImage`, 'Fetching Linux 6.1', 0.03, 0.25),
            initrd: await fetchBytes(`${o.base}initrd.gz`, 'Fetching the initramfs', 0.25, 0.3),
          },
      memoryMiB: o.memoryMiB,
      core,
      features: o.features,
      state: saved,
      onSerial: (b) => {
        serial += String.fromCharCode(b);
      },
    });
  let m: GuestMachine;
  try {
    m = await boot(state);
  } catch (e) {
    if (!state) throw e;
    // A saved machine that does not restore (damaged, or from another build) is dropped: boot instead.
    note = `${(e as Error)?.message ?? e}; Linux booted instead.`.replace(/^the/, 'The');
    await forgetState(key);
    state = undefined;
    serial = '';
    m = await boot(undefined);
  }
  machine = m;
  frames = new Uint8Array(core.ramFrames);
  watch(m.device);
  // The console goes out in pieces, not byte by byte.
  setInterval(() => {
    if (!serial) return;
    post({ t: 'serial', text: serial });
    serial = '';
  }, 16);
  if (!state) {
    // A cold boot prints little (the kernel's command line has `quiet`): the clock says how far it is.
    const expected = 20_000;
    const tick = setInterval(() => {
      const f = Math.min(0.97, 0.3 + (0.67 * (performance.now() - t0)) / expected);
      post({
        t: 'progress',
        phase: 'boot',
        fraction: f,
        text: 'Booting Linux 6.1 (the first time takes about 15 s)',
      });
    }, 250);
    try {
      await m.waitFor(READY_MARK, 300_000);
    } finally {
      clearInterval(tick);
    }
  }
  post({ t: 'ready', how: state ? 'restored' : 'booted', ms: performance.now() - t0, note });
  pollStats(m.device, o.statsIntervalS);
  setInterval(() => flush(m.device), 50);
  if (!state) {
    // Next time, a restore: save the machine as it is now, at the shell's prompt, before anything else.
    storeState(key, await m.saveState()).catch(() => {});
  }
}

function watch(d: RealBalloonDevice): void {
  d.onEvent = (ev, pfns) => {
    pending.push(ev);
    if (pending.length > 2000) pending.splice(0, pending.length - 2000);
    if (pfns) {
      const q = ev.kind === 'inflate' ? INFLATE_Q : DEFLATE_Q;
      const v = q === INFLATE_Q ? FRAME_BALLOON : 0;
      for (const f of pfns) if (f < frames.length) frames[f] = v;
      lastBatch = { queue: q, pfns };
    }
    changed = true;
  };
}

function pollStats(d: RealBalloonDevice, seconds: number): void {
  clearInterval(statsTimer);
  if (seconds > 0) statsTimer = setInterval(() => d.requestStats(), seconds * 1000);
}

/** What changed, to the page. */
function flush(d: RealBalloonDevice): void {
  if (!changed) return;
  changed = false;
  const core = d.core;
  const queues: GuestQueue[] = [];
  const pageSet = new Set<number>();
  const w = core.window;
  const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
  const mem = {
    ramFrames: core.ramFrames,
    u16: (gpa: number) => view.getUint16(gpa, true),
    u32: (gpa: number) => view.getUint32(gpa, true),
  };
  for (let i = 0; i < 3; i++) {
    const st = core.queueState(i);
    if (!st) continue;
    queues.push({ index: i, name: QUEUE_NAMES[i], state: driverSide(st, mem) });
    ringPages(st, mem, pageSet);
  }
  const pages: [number, Uint8Array][] = [...pageSet].map((p) => [p, w.slice(p * 4096, (p + 1) * 4096)]);
  const raw = core.stats();
  const stats = raw.map((v) => (v === undefined ? null : Number(v)));
  const host = core.host.slice();
  const framesCopy = frames.slice();
  const events = pending.splice(0);
  post(
    {
      t: 'update',
      us: d.now(),
      numPages: d.numPages,
      actual: d.actual,
      deviceStatus: d.virtio.device_status,
      negotiated: [0, 1, 2].filter((b) => d.virtio.is_feature_negotiated(b)),
      counts: { ...d.counts },
      host,
      hostCounts: core.hostCounts(),
      frames: framesCopy,
      lastBatch: lastBatch && { queue: lastBatch.queue, pfns: lastBatch.pfns.slice() },
      queues,
      pages,
      stats,
      events,
      log: d.log.slice(-5),
    },
    [host.buffer, framesCopy.buffer, ...pages.map(([, b]) => b.buffer)],
  );
}
