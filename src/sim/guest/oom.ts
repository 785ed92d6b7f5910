// out_of_memory() of 4.16: the OOM notifier chain first (the balloon deflates there when
// DEFLATE_ON_OOM was negotiated), then the OOM killer.
import type { Task } from '../sched.ts';
import { sleep } from '../sched.ts';
import type { KernelState } from './kernel-state.ts';
import type { Workload } from './workload.ts';

/** The mode 4.16 prints for a user page allocation. */
export const GFP_HIGHUSER_MOVABLE_TEXT = '0x14200ca(GFP_HIGHUSER_MOVABLE)';

/** One jiffy at HZ=1000: how long an allocation that found oom_lock taken waits before retrying. */
const JIFFY_US = 1000;

/**
 * Returns true if the allocation should be retried: a notifier freed something, a victim was
 * killed, or another task holds oom_lock (it is freeing memory right now, as __alloc_pages_may_oom
 * assumes). False only when nothing could be freed or killed.
 */
export function* outOfMemory(k: KernelState, requester: Workload | null): Task<boolean> {
  if (!k.sched.tryLock(k.oomLock)) {
    yield sleep(JIFFY_US);
    return true;
  }
  try {
    const freed = { value: 0 };
    // The chain may change while a notifier blocks; call the ones registered when it started.
    for (const nb of [...k.oomNotifiers]) yield* nb.call(freed);
    // "Got some memory back in the last second."
    if (freed.value > 0) return true;
    const victim = selectBadProcess(k);
    if (requester) {
      k.log.log(
        `${requester.name} invoked oom-killer: gfp_mask=${GFP_HIGHUSER_MOVABLE_TEXT}, nodemask=(null), ` +
          'order=0, oom_score_adj=0',
        'warn',
      );
    }
    if (!victim) return false;
    oomKillProcess(k, victim);
    const debt = k.takeCpuDebt();
    if (debt > 0) yield sleep(debt);
    return true;
  } finally {
    k.sched.unlock(k.oomLock);
  }
}

/** oom_badness without page tables: resident pages plus swap entries. */
export function badness(w: Workload): number {
  return w.resident + w.swapped;
}

/** select_bad_process: the workload with the most pages; on a tie the one found first (lowest pid). */
export function selectBadProcess(k: KernelState): Workload | null {
  let chosen: Workload | null = null;
  for (const w of k.workloads.values()) {
    if (w.state === 'killed' || w.state === 'freed') continue;
    const points = badness(w);
    if (points > 0 && (!chosen || points > badness(chosen))) chosen = w;
  }
  return chosen;
}

/** oom_kill_process: logs like 4.16, frees everything the victim had, stops its faulting. */
export function oomKillProcess(k: KernelState, victim: Workload): void {
  const totalPages = k.totalramPages + k.swapTotalPages;
  const score = Math.floor((badness(victim) * 1000) / Math.max(1, totalPages));
  const chosen = `Out of memory: Kill process ${victim.pid} (${victim.name}) score ${score} or sacrifice child`;
  k.log.log(chosen, 'err');
  k.events.emit('oom', { pid: victim.pid, name: victim.name, text: chosen });
  const kb = (pages: number) => pages * (k.pageBytes / 1024);
  const rss = (kind: Workload['kind']) => (victim.kind === kind ? kb(victim.resident) : 0);
  const killed =
    `Killed process ${victim.pid} (${victim.name}) total-vm:${kb(victim.pages)}kB, anon-rss:${rss('anon')}kB, ` +
    `file-rss:${rss('file')}kB, shmem-rss:${rss('shmem')}kB`;
  k.log.log(killed, 'err');
  k.events.emit('oom-kill', { pid: victim.pid, name: victim.name, text: killed });
  k.releaseWorkload(victim);
  victim.state = 'killed';
  k.vm.oomKill++;
  k.cpuDebtUs += k.costs.oomKillUs;
}
