// A parsed trace grouped the way a replay needs it: which queue is which, each buffer the device
// handled (pop, its PFNs, flush), and how `actual` and the target moved.
//
// QEMU's trace never says which vq pointer is the inflateq: the roles are inferred from what happens.
// A queue whose buffers carry PFNs is voted inflate or deflate by each of its buffers twice: by the
// direction the guest was working in when it was popped (target num_pages above `actual`: inflating;
// below: deflating), and by the `actual` the guest wrote next (up: inflate; down: deflate). A queue
// popped without ever carrying PFNs is the stats queue (QEMU pops it once per polling interval).
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
  let awaitingActual: BatchDraft[] = []; // PFN buffers flushed since the last set_config
  const actual: ActualChange[] = [];
  const targets: TargetChange[] = [];
  const warnings: string[] = [];
  let targetPages = 0;
  let actualPages = 0;

  const queue = (vq: string, line: number): QueueDraft => {
    let q = queues.get(vq);
    if (!q) {
      q = { vq, pops: 0, pfns: 0, firstLine: line, inflateVotes: 0, deflateVotes: 0 };
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

  for (const e of events) {
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
        if (batch.pfnList.length + batch.badGpas.length === 0) vote(batch, targetPages - actualPages);
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
          if (batch.pfnList.length + batch.badGpas.length > 0) awaitingActual.push(batch);
        }
        break;
      }
      case 'virtio_balloon_set_config':
        actual.push({ us: e.us, actual: e.actual, oldActual: e.oldActual, line: e.line });
        for (const batch of awaitingActual) vote(batch, e.actual - e.oldActual);
        awaitingActual = [];
        actualPages = e.actual;
        break;
      case 'virtio_balloon_get_config':
        targetPages = e.numPages;
        actualPages = e.actual;
        break;
      case 'virtio_balloon_to_target':
        targets.push({ us: e.us, targetBytes: e.targetBytes, numPages: e.numPages, line: e.line });
        targetPages = e.numPages;
        break;
    }
  }

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

function assignRoles(queues: QueueDraft[], warnings: string[]): TraceSummary['roles'] {
  const best = (candidates: QueueDraft[], score: (q: QueueDraft) => number, role: QueueRole) => {
    const ranked = candidates.filter((q) => score(q) > 0).sort((a, b) => score(b) - score(a));
    for (const other of ranked.slice(1)) {
      warnings.push(`vq ${other.vq} also looks like the ${role} queue; ${ranked[0].vq} has more evidence`);
    }
    return ranked[0]?.vq;
  };
  const carriesPfns = queues.filter((q) => q.pfns > 0);
  const inflate = best(carriesPfns, (q) => q.inflateVotes - q.deflateVotes, 'inflate');
  const deflate = best(carriesPfns, (q) => q.deflateVotes - q.inflateVotes, 'deflate');
  const stats = best(
    queues.filter((q) => q.pfns === 0),
    (q) => q.pops,
    'stats',
  );
  return { ...(inflate && { inflate }), ...(deflate && { deflate }), ...(stats && { stats }) };
}
