import { describe, expect, it } from 'vitest';
import { FRAME_BALLOON } from '../../core/abi.ts';
import { asKernelPage } from '../../core/units.ts';
import { PageRuns } from '../page-runs.ts';
import { balloonMm } from './balloon-mm.ts';
import { expectNoInvariantErrors, makeGuest, markPage } from './testing.ts';

describe('balloonMm', () => {
  it("is the kernel under the driver's names", () => {
    const { kernel } = makeGuest({ pageKiB: 16 });
    const mm = balloonMm(kernel);
    expect(mm.pagesPerPage).toBe(4);
    const page = mm.balloonPageAlloc();
    markPage(kernel, page, FRAME_BALLOON);
    mm.balloon.enqueue(asKernelPage(page));
    mm.adjustManagedPageCount(-1);
    expect(mm.totalramPages()).toBe(kernel.nPages - kernel.reservedPages - 1);
    expect(mm.freeramPages()).toBe(kernel.freePages);
    expect(mm.takeCpuDebtUs()).toBe(0); // 0.3 µs so far: the fraction waits
    expect(mm.balloon.dequeue()).toBe(page);
    mm.adjustManagedPageCount(1);
    const runs = new PageRuns();
    runs.add(page);
    mm.putRuns(runs);
    expect(mm.siMemAvailable()).toBe(kernel.siMemAvailable());
    expect(mm.fileCachePages()).toBe(0);
    expectNoInvariantErrors(kernel);
  });
});
