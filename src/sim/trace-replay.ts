// Replaying a real QEMU trace (e.g. ../shared/fixtures/qemu-inflate.trace) on the memory map: the
// guest's RAM is inferred from the trace (target + num_pages · 4 KiB), and each inflate or deflate
// batch is applied at its flush time to the frame table and the host table. It plays like a
// simulation (playable.ts): its events are the trace's moments and the batches' flushes; going back
// is starting over. The app loads this file only when a trace is opened (a dynamic import).
import { FRAME_BALLOON, FRAME_KERNEL, PFNS_MAX } from '../core/abi.ts';
import type { BalloonCore } from '../core/core.ts';
import { asGpa, asPfn, type Gpa } from '../core/units.ts';
import type { Marker, Playable } from './playable.ts';
import { parseTrace } from './trace-parse.ts';
import { summarizeTrace, type TraceBatch, type TraceSummary } from './trace-summary.ts';

export interface ReplayMoment {
  us: number;
  kind: 'target' | 'inflate' | 'deflate' | 'stats';
  label: string;
}

export class TraceReplay implements Playable {
  readonly kind = 'trace';
  readonly summary: TraceSummary;
  readonly ramFrames: number;
  readonly endUs: number;
  readonly moments: ReplayMoment[] = [];
  private applied = 0;
  private order: TraceBatch[];
  /** Every time something happens (a moment, a batch's flush) and the end, ascending, once each. */
  private readonly times: number[];
  /** The timeline's markers: every target change, and where a run of inflate or deflate buffers begins. */
  private readonly shown: Marker[] = [];
  nowUs = 0;

  private constructor(
    private readonly core: BalloonCore,
    summary: TraceSummary,
    private readonly ramBytes: number,
    readonly warnings: string[],
  ) {
    this.summary = summary;
    this.ramFrames = Math.ceil(ramBytes / 4096);
    this.order = summary.batches
      .filter((b) => b.role === 'inflate' || b.role === 'deflate')
      .sort((a, b) => (a.flushUs ?? a.popUs) - (b.flushUs ?? b.popUs));
    const last = summary.batches.at(-1);
    // The guest writes `actual` after the device returns the last buffer: the run ends after that too.
    this.endUs =
      Math.max(
        last?.flushUs ?? last?.popUs ?? 0,
        ...summary.targets.map((t) => t.us),
        ...summary.actual.map((a) => a.us),
      ) + 1;
    for (const t of summary.targets) {
      this.moments.push({
        us: t.us,
        kind: 'target',
        label: `target ${(t.targetBytes / 1048576).toFixed(0)} MiB`,
      });
    }
    for (const b of summary.batches) {
      if (b.role === 'inflate' || b.role === 'deflate' || b.role === 'stats') {
        this.moments.push({ us: b.popUs, kind: b.role, label: `${b.role} buffer (${b.pfns.length} PFNs)` });
      }
    }
    this.moments.sort((a, b) => a.us - b.us);
    const times = new Set<number>([this.endUs]);
    for (const m of this.moments) times.add(m.us);
    for (const b of this.order) times.add(b.flushUs ?? b.popUs);
    this.times = [...times].filter((t) => t > 0 && t <= this.endUs).sort((a, b) => a - b);
    let run = '';
    for (const m of this.moments) {
      if (m.kind === 'stats') continue;
      if (m.kind === 'target' || m.kind !== run) this.shown.push(m);
      run = m.kind;
    }
    this.reset();
  }

  /** Parses and summarises a trace; returns a message naming the problem when it cannot replay. */
  static load(core: BalloonCore, text: string): TraceReplay | string {
    const parsed = parseTrace(text);
    if (!parsed.ok) return `This trace cannot be read: ${parsed.error}`;
    const summary = summarizeTrace(parsed.events);
    if (!summary.roles.inflate && !summary.roles.deflate) {
      return 'This trace has no inflate or deflate buffers to replay (no virtqueue_pop followed by virtio_balloon_handle_output lines).';
    }
    const t = summary.targets[0];
    let ram = t ? t.targetBytes + t.numPages * 4096 : 0;
    let maxPfn = 0;
    for (const b of summary.batches) for (const p of b.pfns) maxPfn = Math.max(maxPfn, p);
    if (ram === 0) ram = 2 ** Math.ceil(Math.log2((maxPfn + 1) * 4096));
    ram = Math.max(ram, (maxPfn + 1) * 4096);
    ram = Math.ceil(ram / (2 * 1048576)) * 2 * 1048576;
    if (ram > 16 * 1024 ** 3)
      return `This trace names memory up to ${(ram / 1024 ** 3).toFixed(1)} GiB; the map shows at most 16 GiB.`;
    return new TraceReplay(core, summary, ram, [...parsed.warnings, ...summary.warnings]);
  }

  private pfnsGpa = 0 as Gpa;

  /**
   * A fresh guest: what a trace cannot tell (the guest's own use of memory) is shown as kernel-owned
   * and resident; a window at the top of RAM holds two queues and a PFN buffer, through which the
   * trace's batches go to the core's own device side, so the host table changes exactly as the
   * device would change it.
   */
  private reset(): void {
    const windowFrames = 16;
    const windowFrame = this.ramFrames - windowFrames;
    const { core } = this;
    core.init({ ramFrames: this.ramFrames, hostPageFrames: 1, windowFrame, windowFrames });
    core.setFrames(asPfn(0), windowFrame, FRAME_KERNEL);
    core.hostTouch(asPfn(0), this.ramFrames);
    const base = windowFrame * 4096;
    for (const q of [0, 1]) {
      const desc = base + q * 0x1000;
      core.setupQueue(q, { size: 8, desc: asGpa(desc), avail: asGpa(desc + 128), used: asGpa(desc + 160) });
    }
    this.pfnsGpa = asGpa(base + 0x2000);
    this.applied = 0;
    this.nowUs = 0;
  }

  private applyBatch(b: TraceBatch): void {
    const { core } = this;
    const inflate = b.role === 'inflate';
    const q = inflate ? 0 : 1;
    const pfns = b.pfns.filter((p) => p < this.ramFrames);
    for (let at = 0; at < pfns.length; at += PFNS_MAX) {
      const n = Math.min(PFNS_MAX, pfns.length - at);
      for (let k = 0; k < n; k++) core.writeU32(asGpa(this.pfnsGpa + k * 4), pfns[at + k]);
      core.addBuf(q, this.pfnsGpa, n * 4);
      core.balloonHandle(q, !inflate);
      core.getBuf(q);
      core.setStatesFromPfns(n, this.pfnsGpa, inflate ? FRAME_BALLOON : FRAME_KERNEL);
    }
  }

  // ── Playable ──

  nextTime(): number | undefined {
    // The first time after now, by bisection.
    const { times } = this;
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid] <= this.nowUs) lo = mid + 1;
      else hi = mid;
    }
    return times[lo];
  }

  step(): boolean {
    const t = this.nextTime();
    if (t === undefined) return false;
    this.advanceTo(t);
    return true;
  }

  runUntilUs(us: number): void {
    this.advanceTo(Math.max(this.nowUs, Math.min(us, this.endUs)));
  }

  markers(): readonly Marker[] {
    return this.shown;
  }

  restart(): TraceReplay {
    return new TraceReplay(this.core, this.summary, this.ramBytes, this.warnings);
  }

  /** Applies every batch flushed at or before `us` (from the start again when `us` is earlier). */
  advanceTo(us: number): void {
    if (us < this.nowUs) this.reset();
    while (this.applied < this.order.length) {
      const b = this.order[this.applied];
      if ((b.flushUs ?? b.popUs) > us) break;
      this.applyBatch(b);
      this.applied++;
    }
    this.nowUs = Math.min(us, this.endUs);
  }

  /** `actual` as the guest last wrote it at or before now. */
  actualAt(us = this.nowUs): number {
    let a = 0;
    for (const c of this.summary.actual) if (c.us <= us) a = c.actual;
    return a;
  }

  get batchesApplied(): number {
    return this.applied;
  }

  /** The frames the map shows in the balloon now (a lesson outlines them), ascending. */
  balloonFrames(): number[] {
    const frames = this.core.frames;
    const out: number[] = [];
    for (let p = 0; p < this.ramFrames; p++) if (frames[p] === FRAME_BALLOON) out.push(p);
    return out;
  }
}
