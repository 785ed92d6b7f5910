// A batch of kernel pages as runs of consecutive page numbers. The balloon's batches move between
// the driver, the kernel's allocator and the core this way: pages the buddy allocator hands out one
// after another are consecutive, and so are the pages a deflate takes back off the balloon list, so a
// 256-page batch is usually one run and every step of it costs a few operations, not 256.
//
// Run r is count[r] pages from first[r], going up (step +1) or down (step −1). The pages, run by run,
// in order, are the batch: the order the C code would walk its page list in.

/** A batch holds at most this many runs (one array of PFNs: VIRTIO_BALLOON_ARRAY_PFNS_MAX). */
export const PAGE_RUNS_MAX = 256;

export class PageRuns {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly step: Int8Array;
  /** Runs in use. */
  runs = 0;
  /** Pages in them. */
  pages = 0;

  /** Room for `capacity` runs: one batch's worth unless told otherwise. */
  constructor(readonly capacity = PAGE_RUNS_MAX) {
    this.first = new Int32Array(capacity);
    this.count = new Int32Array(capacity);
    this.step = new Int8Array(capacity);
  }

  clear(): void {
    this.runs = 0;
    this.pages = 0;
  }

  /** Appends page p: the last run grows if p continues it (a one-page run takes p's direction). */
  add(p: number): void {
    this.push(p, 1, 1);
  }

  /** Appends count pages from first, going by step (±1): the last run grows if they continue it. */
  push(first: number, count: number, step: 1 | -1): void {
    if (count <= 0) return;
    const r = this.runs;
    if (r > 0) {
      const c = this.count[r - 1];
      const by = first - (this.first[r - 1] + (c - 1) * this.step[r - 1]);
      if ((by === 1 || by === -1) && (count === 1 || step === by) && (c === 1 || this.step[r - 1] === by)) {
        this.step[r - 1] = by;
        this.count[r - 1] = c + count;
        this.pages += count;
        return;
      }
    }
    if (r >= this.capacity) throw new RangeError(`PageRuns: more than ${this.capacity} runs in one batch`);
    this.first[r] = first;
    this.count[r] = count;
    this.step[r] = step;
    this.runs = r + 1;
    this.pages += count;
  }

  /** The lowest and the highest page of run r. */
  low(r: number): number {
    return this.step[r] > 0 ? this.first[r] : this.first[r] - this.count[r] + 1;
  }

  high(r: number): number {
    return this.step[r] > 0 ? this.first[r] + this.count[r] - 1 : this.first[r];
  }

  /** The same pages in the opposite order, into `out` (cleared first). */
  reverseInto(out: PageRuns): void {
    out.clear();
    for (let r = this.runs - 1; r >= 0; r--) {
      const count = this.count[r];
      const step = this.step[r];
      out.push(this.first[r] + (count - 1) * step, count, step > 0 ? -1 : 1);
    }
  }

  /** The pages, in order (for tests, messages and the rare slow path). */
  toArray(): number[] {
    const out: number[] = [];
    for (let r = 0; r < this.runs; r++)
      for (let i = 0, p = this.first[r]; i < this.count[r]; i++, p += this.step[r]) out.push(p);
    return out;
  }
}
