// A workload: a process that maps memory and touches it (anon), reads a file into the page cache
// (file) or fills a tmpfs (shmem). Its pages are on the global LRU lists, tagged with its id.
import type { Task } from '../sched.ts';

export type WorkloadKind = 'anon' | 'file' | 'shmem';

/** running: still faulting; resident: done; killed: by the OOM killer; failed: ran out of memory. */
export type WorkloadState = 'running' | 'resident' | 'killed' | 'failed' | 'freed';

export interface Workload {
  readonly name: string;
  /** A stable fake pid (from 1000 up) for the OOM killer's messages. */
  readonly pid: number;
  readonly kind: WorkloadKind;
  /** The tag its pages carry in the kernel's owner table. */
  readonly id: number;
  /** Pages it maps (total-vm). */
  readonly pages: number;
  /** Pages touched so far. */
  faulted: number;
  resident: number;
  /** Pages it has in swap. */
  swapped: number;
  state: WorkloadState;
}

/** A notifier_block on the OOM notifier chain; higher priority is called first. */
export interface OomNotifier {
  readonly priority: number;
  /** Adds what it freed (in whatever unit it likes; only "more than 0" matters) to freed.value. */
  call(freed: { value: number }): Task;
}
