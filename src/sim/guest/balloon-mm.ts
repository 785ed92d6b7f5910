// The guest kernel as the balloon driver sees it (the driver's BalloonMm): the same operations under
// the names the driver's port of the seed uses. A type-only import, so a change on either side that
// breaks the contract fails to compile here.
import type { BalloonMm } from '../driver/virtio_balloon.ts';
import type { GuestKernel } from './kernel.ts';

export function balloonMm(k: GuestKernel): BalloonMm {
  return {
    pagesPerPage: k.ppp,
    balloonPageAlloc: () => k.balloonPageAlloc(),
    balloonPageAllocRuns: (out, n) => k.balloonPageAllocRuns(out, n),
    putRuns: (pages) => k.putRuns(pages),
    adjustManagedPageCount: (delta) => k.adjustManagedPageCount(delta),
    balloon: k.balloon,
    registerOomNotifier: (nb) => k.registerOomNotifier(nb),
    unregisterOomNotifier: (nb) => {
      k.unregisterOomNotifier(nb);
    },
    vm: k.vm,
    totalramPages: () => k.totalramPages,
    freeramPages: () => k.freePages,
    siMemAvailable: () => k.siMemAvailable(),
    fileCachePages: () => k.fileCachePages(),
    takeCpuDebtUs: () => k.takeCpuDebt(),
  };
}
