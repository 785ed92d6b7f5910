// A parsed trace grouped the way a replay needs it: which queue is which, each buffer the device
// handled (pop, its PFNs, flush), and how `actual` and the target moved.
//
// QEMU's trace never says which vq pointer is the inflateq, but it tells in two ways:
// - QEMU keeps a device's queues in one array (VirtIODevice.vq, in the order virtio_add_queue made
//   them: inflate, deflate, stats), so their addresses rise in that order, one sizeof(VirtQueue)
//   apart (0x98 in QEMU 7.2 on x86-64; the sim's ids 0x1000, 0x2000, 0x3000 keep the order too).
// - The direction of `actual`: after the driver's inflate batch it writes a larger `actual`, after a
//   deflate batch a smaller one, whatever the target says (the OOM notifier deflates without a new
//   target). The config writes that follow a batch (one, or four byte by byte on a legacy device) vote
//   for the queue of the last batch flushed before them by their net change; writes that change
//   nothing (the "Out of puff" retry) and batches no write follows (compaction's one-page migration
//   pairs) do not vote.
// Two queues carrying PFNs are inflate then deflate by address; one alone takes the role its votes
// give, or, without votes, the one its distance below the stats queue gives. A queue popped without
// ever carrying PFNs is the stats queue (QEMU pops it once per polling interval).
//
// Threads: QEMU pops and walks a buffer on one thread (a vCPU's, on the guest's kick), so PFN lines
// belong to the latest pop *of the same pid*; the stats timer returns its buffer from the main thread,
// so a flush closes the oldest buffer in flight *on its vq*, whatever the pid.
import { asGpa, gpaToPfn } from '../core/units.ts';
import type { TraceEvent } from './trace-parse.ts';

export type QueueRole = 'inflate' | 'deflate' | 'stats' | 'unknown';

export interface TraceBatch {
  vq: string;
  role: QueueRole;
  elem: string;
  pid: number;
  popUs: number;
  /** Undefined while the buffer is still held by the device (e.g. the stats buffer at the end). */
  flushUs: number | undefined;
  popLine: number;
  /** 4 KiB PFNs of the handle_output lines (gpa / 4096), in order. */
  pfns: Uint32Array;
  /** Addresses QEMU skipped as not RAM (bad_addr lines). */
  badGpas: number[];
}

export interface QueueSummary {
  vq: string;
  role: QueueRole;
  pops: number;
  pfns: number;
  firstLine: number;
}

export interface ActualChange {
  us: number;
  actual: number;
  oldActual: number;
  line: number;
}

export interface TargetChange {
  us: number;
  targetBytes: number;
  numPages: number;
  line: number;
}

export interface TraceSummary {
  /** Every vq in order of first appearance. */
  queues: QueueSummary[];
  roles: { inflate?: string; deflate?: string; stats?: string };
  /** Every popped buffer, in pop order. */
  batches: TraceBatch[];
  /** `actual` as the guest wrote it (set_config), in order. */
  actual: ActualChange[];
  /** The device's target (to_target), in order. */
  targets: TargetChange[];
  /** Things that do not fit the protocol (PFN lines without a pop, flushes of nothing, ambiguous roles). */
  warnings: string[];
}

interface BatchDraft extends Omit<TraceBatch, 'pfns'> {
  pfnList: number[];
}

interface QueueDraft {
  vq: string;
  /** The address (a host pointer in QEMU's traces) as a number to order by. */
  addr: bigint;
  pops: number;
  pfns: number;
  firstLine: number;
  inflateVotes: number;
  deflateVotes: number;
}

export function summarizeTrace(events: readonly TraceEvent[]): TraceSummary {
  const queues = new Map<string, QueueDraft>();
  const batches: BatchDraft[] = [];
  const walking = new Map<number, BatchDraft>(); // per pid: the buffer its PFN lines belong to
  const inFlight = new Map<string, BatchDraft[]>(); // per vq: popped, not yet flushed
  let lastFlushed: BatchDraft | null = null; // the last PFN buffer flushed, until a config write votes for it
  let writes: { from: number; to: number } | null = null; // consecutive set_config lines
  const actual: ActualChange[] = [];
  const targets: TargetChange[] = [];
  const warnings: string[] = [];

  const queue = (vq: string, line: number): QueueDraft => {
    let q = queues.get(vq);
    if (!q) {
      q = { vq, addr: BigInt(vq), pops: 0, pfns: 0, firstLine: line, inflateVotes: 0, deflateVotes: 0 };
      queues.set(vq, q);
      inFlight.set(vq, []);
    }
    return q;
  };
  const vote = (batch: BatchDraft, direction: number) => {
    const q = queues.get(batch.vq)!;
    if (direction > 0) q.inflateVotes++;
    if (direction < 0) q.deflateVotes++;
  };

  /** The config writes since the last other event are over: their net change votes. */
  const closeWrites = () => {
    if (!writes) return;
    if (lastFlushed && writes.to !== writes.from) {
      vote(lastFlushed, writes.to - writes.from);
      lastFlushed = null;
    }
    writes = null;
  };

  for (const e of events) {
    if (e.event !== 'virtio_balloon_set_config' && e.event !== 'virtio_balloon_get_config') closeWrites();
    switch (e.event) {
      case 'virtqueue_pop': {
        queue(e.vq, e.line).pops++;
        const batch: BatchDraft = {
          vq: e.vq,
          role: 'unknown',
          elem: e.elem,
          pid: e.pid,
          popUs: e.us,
          flushUs: undefined,
          popLine: e.line,
          pfnList: [],
          badGpas: [],
        };
        batches.push(batch);
        inFlight.get(e.vq)!.push(batch);
        walking.set(e.pid, batch);
        break;
      }
      case 'virtio_balloon_handle_output':
      case 'virtio_balloon_bad_addr': {
        const batch = walking.get(e.pid);
        if (!batch) {
          warnings.push(`line ${e.line}: ${e.event} with no virtqueue_pop before it on pid ${e.pid}`);
          break;
        }
        if (e.event === 'virtio_balloon_handle_output') batch.pfnList.push(gpaToPfn(asGpa(e.gpa)));
        else batch.badGpas.push(e.gpa);
        queues.get(batch.vq)!.pfns++;
        break;
      }
      case 'virtqueue_flush': {
        const pending = inFlight.get(e.vq) ?? [];
        if (pending.length < e.count) {
          warnings.push(`line ${e.line}: flush of ${e.count} on vq ${e.vq} with ${pending.length} in flight`);
        }
        for (const batch of pending.splice(0, e.count)) {
          batch.flushUs = e.us;
          if (batch.pfnList.length + batch.badGpas.length > 0) lastFlushed = batch;
        }
        break;
      }
      case 'virtio_balloon_set_config':
        actual.push({ us: e.us, actual: e.actual, oldActual: e.oldActual, line: e.line });
        if (writes) writes.to = e.actual;
        else writes = { from: e.oldActual, to: e.actual };
        break;
      case 'virtio_balloon_to_target':
        targets.push({ us: e.us, targetBytes: e.targetBytes, numPages: e.numPages, line: e.line });
        break;
    }
  }
  closeWrites();

  const roles = assignRoles([...queues.values()], warnings);
  const roleByVq = new Map(Object.entries(roles).map(([role, vq]) => [vq, role as QueueRole]));
  const roleOf = (vq: string): QueueRole => roleByVq.get(vq) ?? 'unknown';
  return {
    queues: [...queues.values()].map(({ vq, pops, pfns, firstLine }) => ({
      vq,
      role: roleOf(vq),
      pops,
      pfns,
      firstLine,
    })),
    roles,
    batches: batches.map(({ pfnList, ...batch }) => ({
      ...batch,
      role: roleOf(batch.vq),
      pfns: Uint32Array.from(pfnList),
    })),
    actual,
    targets,
    warnings,
  };
}

/**
 * sizeof(VirtQueue), the distance between two queues' addresses: QEMU 7.2 on x86-64 (the real trace
 * in ../shared/fixtures), and the sim's ids.
 */
export const KNOWN_QUEUE_STRIDES: readonly bigint[] = [0x98n, 0x1000n];

function assignRoles(queues: QueueDraft[], warnings: string[]): TraceSummary['roles'] {
  const net = (q: QueueDraft) => q.inflateVotes - q.deflateVotes;
  const byAddress = (a: QueueDraft, b: QueueDraft) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0);
  const carriesPfns = queues.filter((q) => q.pfns > 0).sort(byAddress);
  const popsOnly = queues.filter((q) => q.pfns === 0 && q.pops > 0).sort((a, b) => b.pops - a.pops);
  const stats = popsOnly[0];
  for (const other of popsOnly.slice(1)) {
    warnings.push(`vq ${other.vq} also looks like the stats queue; ${stats.vq} has more pops`);
  }
  let inflate: QueueDraft | undefined;
  let deflate: QueueDraft | undefined;
  if (carriesPfns.length >= 2) {
    // QEMU's order: the lower address is the inflate queue.
    [inflate, deflate] = carriesPfns;
    for (const other of carriesPfns.slice(2)) {
      warnings.push(`vq ${other.vq} carries PFNs too; a balloon has only an inflate and a deflate queue`);
    }
    if (net(inflate) < 0 || net(deflate) > 0) {
      warnings.push(
        `the direction of actual disagrees with QEMU's queue order (vq ${inflate.vq} below ${deflate.vq}); the order wins`,
      );
    }
  } else if (carriesPfns.length === 1) {
    const q = carriesPfns[0];
    const gap = stats ? stats.addr - q.addr : 0n;
    if (net(q) > 0) inflate = q;
    else if (net(q) < 0) deflate = q;
    else if (KNOWN_QUEUE_STRIDES.some((s) => gap === 2n * s)) inflate = q;
    else if (KNOWN_QUEUE_STRIDES.some((s) => gap === s)) deflate = q;
    else {
      warnings.push(
        `vq ${q.vq} carries PFNs, but neither the direction of actual nor its place below the stats queue tells whether it inflates or deflates`,
      );
    }
  }
  if (stats) {
    for (const q of [inflate, deflate]) {
      if (q && q.addr > stats.addr) {
        warnings.push(`vq ${q.vq} lies above the stats queue ${stats.vq}: not QEMU's queue order`);
      }
    }
  }
  return {
    ...(inflate && { inflate: inflate.vq }),
    ...(deflate && { deflate: deflate.vq }),
    ...(stats && { stats: stats.vq }),
  };
}
