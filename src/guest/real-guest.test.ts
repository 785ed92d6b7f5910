// The real Linux 6.1 guest (public/guest/, scripts/guest/build.sh) booted in v86, its virtio_balloon
// driver talking to Balloon Lab's device (device.ts): the numbers a student would check with `free`.
// One boot for the whole file (about 15 s on this machine).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_DISCARDED, HOST_RESIDENT, HOST_WANTED } from '../core/abi.ts';
import { parseTrace } from '../sim/trace-parse.ts';
import { summarizeTrace } from '../sim/trace-summary.ts';
import { bootRealGuest, type RealGuest } from './boot.ts';
import { INFLATE_Q } from './device.ts';

const settle = async (done: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('the driver did not get there');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('a real Linux guest ballooned by Balloon Lab’s device', () => {
  let g: RealGuest;
  beforeAll(async () => {
    g = await bootRealGuest({ memoryMiB: 128 });
  }, 180_000);
  afterAll(() => g?.stop());

  it('inflates 32 MiB: actual 8,192 pages, MemTotal down by exactly 32,768 kB, the host table discards them', async () => {
    const d = g.device;
    const before = await g.meminfo();
    // 128 MiB less what the kernel reserves at boot (Linux 6.1 686, this initramfs).
    expect(before.MemTotal).toBeGreaterThan(90_000);
    expect(before.MemTotal).toBeLessThan(131_072);
    d.setTarget(8192);
    await settle(() => d.actual === 8192);
    const after = await g.meminfo();
    expect(after.MemTotal).toBe(before.MemTotal - 32_768);
    expect(after.MemFree).toBeLessThan(before.MemFree - 30_000);
    // 256 PFNs a buffer: 32 buffers on the inflate queue, each PFN decoded and its frame discarded.
    expect(d.counts.inflateBuffers).toBe(32);
    expect(d.core.hostCounts()[HOST_DISCARDED]).toBe(8192);
    expect(d.counts.errors).toBe(0);

    d.setTarget(0);
    await settle(() => d.actual === 0);
    expect((await g.meminfo()).MemTotal).toBe(before.MemTotal);
    expect(d.counts.deflateBuffers).toBe(32);
    const host = d.core.hostCounts();
    expect(host[HOST_DISCARDED]).toBe(0);
    expect(host[HOST_WANTED]).toBe(8192);
    expect(host[HOST_RESIDENT] + host[HOST_WANTED]).toBe(d.core.ramFrames);
  }, 120_000);

  it('gives a freed page back as zeros, as MADV_DONTNEED leaves it', async () => {
    const d = g.device;
    d.setTarget(256);
    await settle(() => d.actual === 256);
    const mem = d.cpu.mem8;
    let discarded = -1;
    for (let f = 0; f < d.core.ramFrames && discarded < 0; f++)
      if (d.core.host[f] === HOST_DISCARDED) discarded = f;
    expect(discarded).toBeGreaterThan(0);
    expect(mem.subarray(discarded * 4096, (discarded + 1) * 4096).every((b) => b === 0)).toBe(true);
    d.setTarget(0);
    await settle(() => d.actual === 0);
  }, 60_000);

  it('receives the driver’s stats when it asks for them, MemTotal among them', async () => {
    const d = g.device;
    const { MemTotal } = await g.meminfo();
    expect(d.requestStats()).toBe(true);
    await settle(() => d.counts.statsBuffers >= 2);
    // VIRTIO_BALLOON_S_MEMTOT (tag 5), in bytes.
    expect(d.stats()[5]).toBe(BigInt(MemTotal) * 1024n);
    // And again: the driver kicks for every answer (avail_event reaches it after each pop).
    expect(d.requestStats()).toBe(true);
    await settle(() => d.counts.statsBuffers >= 3);
    expect(d.requestStats()).toBe(true);
    await settle(() => d.counts.statsBuffers >= 4);
  }, 60_000);

  it('writes what it saw as a QEMU-format trace that the simulation’s reader reads, every queue identified', () => {
    const parsed = parseTrace(g.device.trace.toText());
    if (!parsed.ok) throw new Error(parsed.error);
    const s = summarizeTrace(parsed.events);
    expect(s.queues.map((q) => q.role).sort()).toEqual(['deflate', 'inflate', 'stats']);
    const inflate = s.queues.find((q) => q.role === 'inflate')!;
    // The 32 MiB inflate, then the 1 MiB one: 33 buffers of 256 PFNs.
    expect(inflate.pops).toBe(33);
    expect(inflate.pfns).toBe(8192 + 256);
    expect(s.warnings).toEqual([]);
  });

  it('saves the machine with the device in it: a restored guest goes on from the same ring indices and host table', async () => {
    const d = g.device;
    d.setTarget(2048);
    await settle(() => d.actual === 2048);
    const before = await g.meminfo();
    const state = await g.saveState();
    const r = await bootRealGuest({ memoryMiB: 128, state });
    try {
      const rd = r.device;
      expect(rd.actual).toBe(2048);
      expect(rd.numPages).toBe(2048);
      expect(rd.counts).toEqual(d.counts);
      expect(rd.core.hostCounts()).toEqual(d.core.hostCounts());
      expect(await r.meminfo()).toMatchObject({ MemTotal: before.MemTotal });
      // The stats buffer it held goes back, and the driver answers with a new one.
      const stats = rd.counts.statsBuffers;
      expect(rd.requestStats()).toBe(true);
      await settle(() => rd.counts.statsBuffers === stats + 1);
      // The restored device goes on: the driver's next buffers are at the saved indices.
      rd.setTarget(4096);
      await settle(() => rd.actual === 4096);
      expect((await r.meminfo()).MemTotal).toBe(before.MemTotal - 8192);
      rd.setTarget(0);
      await settle(() => rd.actual === 0);
      expect(rd.counts.errors).toBe(0);
      expect(rd.core.hostCounts()[HOST_DISCARDED]).toBe(0);
    } finally {
      r.stop();
    }
    d.setTarget(0);
    await settle(() => d.actual === 0);
  }, 120_000);

  it('refuses a saved state that is not one, and says so', async () => {
    const junk = new Uint8Array(4096).fill(7).buffer;
    await expect(bootRealGuest({ memoryMiB: 128, state: junk })).rejects.toThrow(
      /^the saved guest could not be restored: /,
    );
  });

  it('a malformed ring (an avail entry naming a descriptor past the table) makes the device need a reset', async () => {
    const d = g.device;
    const q = d.virtio.queues[INFLATE_Q];
    const mem = d.cpu.mem8;
    const view = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    // As a buggy driver would: one more available entry, whose head is out of the table.
    const idx = view.getUint16(q.avail_addr + 2, true);
    view.setUint16(q.avail_addr + 4 + (idx % q.size) * 2, q.size + 5, true);
    view.setUint16(q.avail_addr + 2, (idx + 1) & 0xffff, true);
    d.kick(INFLATE_Q);
    expect(d.counts.errors).toBe(1);
    expect(d.virtio.device_status & 64).toBe(64); // DEVICE_NEEDS_RESET
    expect(d.log.at(-1)).toMatch(/^device error: /);
  }, 60_000);
});

describe('a real guest offered DEFLATE_ON_OOM', () => {
  let g: RealGuest;
  beforeAll(async () => {
    g = await bootRealGuest({ memoryMiB: 128, features: [1, 2] });
  }, 180_000);
  afterAll(() => g?.stop());

  it('deflates when the guest runs out of memory, and leaves MemTotal alone (Linux 6.1 with DEFLATE_ON_OOM)', async () => {
    const d = g.device;
    expect(d.virtio.is_feature_negotiated(2)).toBe(true);
    const before = await g.meminfo();
    d.setTarget(16384); // 64 MiB
    await settle(() => d.actual === 16384);
    // With DEFLATE_ON_OOM the driver does not take the pages out of MemTotal; MemFree falls instead.
    const inflated = await g.meminfo();
    expect(inflated.MemTotal).toBe(before.MemTotal);
    expect(inflated.MemFree).toBeLessThan(before.MemFree - 60_000);
    // Fill tmpfs past what is free: the OOM notifier deflates the balloon rather than kill.
    await g.sh('dd if=/dev/zero of=/tmp/fill bs=1M count=60 2>/dev/null', 120_000);
    expect(d.counts.deflateBuffers).toBeGreaterThan(0);
    // The target still says 64 MiB, so the driver inflates again whenever memory allows, and the OOM
    // notifier deflates again: the balloon and the workload take turns (the counts grow both ways).
    // While the file holds 60 MiB, the balloon cannot hold its 64.
    expect(d.actual).toBeLessThan(16384);
    // Whatever the turns, the host has discarded exactly the pages the balloon holds.
    await settle(() => d.core.hostCounts()[HOST_DISCARDED] === d.actual);
    expect(d.counts.errors).toBe(0);
    await g.sh('rm /tmp/fill');
  }, 180_000);
});
