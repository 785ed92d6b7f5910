// Marks pages' frames in the core a run at a time. Pages the kernel frees or maps one by one are
// mostly neighbours (fresh blocks hand out ascending pages, the balloon gives them back descending),
// so collecting runs turns thousands of per-page wasm calls into a few setFrames calls.
import type { BalloonCore } from '../../core/core.ts';
import { asPfn } from '../../core/units.ts';

export class FrameRuns {
  private lo = 0;
  private hi = -1;
  private state = 0;
  private touch = false;

  constructor(
    private readonly core: BalloonCore,
    private readonly ppp: number,
  ) {}

  /** Page `page`'s frames are to show `state`; `touch`: the guest writes them (the host backs them). */
  add(page: number, state: number, touch = false): void {
    if (this.hi >= this.lo && state === this.state && touch === this.touch) {
      if (page === this.hi + 1) {
        this.hi = page;
        return;
      }
      if (page === this.lo - 1) {
        this.lo = page;
        return;
      }
    }
    this.flush();
    this.lo = page;
    this.hi = page;
    this.state = state;
    this.touch = touch;
  }

  /** Writes the pending run. Call before anything that could yield or look at the frames. */
  flush(): void {
    if (this.hi < this.lo) return;
    const first = asPfn(this.lo * this.ppp);
    const n = (this.hi - this.lo + 1) * this.ppp;
    this.core.setFrames(first, n, this.state);
    if (this.touch) this.core.hostTouch(first, n);
    this.hi = this.lo - 1;
  }
}
