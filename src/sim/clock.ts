// Virtual time and the event queue that drives the simulation (design.md, "Time").
//
// Time is an integer count of microseconds: the unit QEMU's trace prints, and an integer so that the
// same run gives the same trace byte for byte in Node and in every browser (no float drift when costs
// add up). Doubles hold integers exactly up to 2^53 µs, about 285 years of virtual time.
//
// Events due at the same microsecond come out in the order they were scheduled: each carries its
// insertion sequence number, and the heap orders by (time, sequence). Without that tie-break a binary
// heap would hand out equal-time events in an order that depends on the heap's history.

export const US_PER_SECOND = 1_000_000;

/** Whole seconds or fractions of them (scenario `at` values) to the nearest microsecond. */
export function secondsToUs(seconds: number): number {
  const us = Math.round(seconds * US_PER_SECOND);
  if (!Number.isSafeInteger(us) || us < 0) {
    throw new RangeError(`secondsToUs: ${seconds} s is not a time the simulation can represent`);
  }
  return us;
}

export function usToSeconds(us: number): number {
  return us / US_PER_SECOND;
}

/**
 * `<seconds>.<6-digit microseconds>`, as QEMU prints a trace line's time with `-msg timestamp=on`
 * (`%zu.%06zu` of a struct timeval). Integer arithmetic only: 2000001 µs is "2.000001", never
 * "2.0000009999".
 */
export function formatTraceTime(us: number): string {
  assertTime(us);
  const seconds = Math.floor(us / US_PER_SECOND);
  const micros = us - seconds * US_PER_SECOND;
  return `${seconds}.${String(micros).padStart(6, '0')}`;
}

function assertTime(us: number): void {
  if (!Number.isSafeInteger(us) || us < 0) {
    throw new RangeError(`virtual time must be a non-negative integer number of µs, got ${us}`);
  }
}

export interface ScheduledEvent<T> {
  /** Virtual time in µs. */
  readonly at: number;
  /** The id `schedule` returned; also the insertion sequence that breaks ties. */
  readonly id: number;
  readonly item: T;
}

/** Everything needed to rebuild a queue exactly, ties included (for simulation snapshots). */
export interface EventQueueSnapshot<T> {
  readonly nextId: number;
  /** Pending events in the order they will be popped. */
  readonly events: readonly ScheduledEvent<T>[];
}

interface HeapEntry<T> {
  at: number;
  id: number;
  item: T;
  /** Position in the heap array, kept current so that `cancel` removes in O(log n). */
  index: number;
}

// A handful of events are pending at any time (a timer per device, a kick, a task or two), so
// cancel() and has() look through the heap instead of keeping an id index: nothing to update on the
// hot path, where every batch schedules and pops several events.
export class EventQueue<T> {
  private heap: HeapEntry<T>[] = [];
  // Ids are never reused, not even after `clear`, so a stale id cannot cancel a newer event.
  private nextId = 1;

  get size(): number {
    return this.heap.length;
  }

  /** Queues `item` for virtual time `atUs` and returns an id for `cancel`. */
  schedule(atUs: number, item: T): number {
    assertTime(atUs);
    const entry: HeapEntry<T> = { at: atUs, id: this.nextId++, item, index: this.heap.length };
    this.heap.push(entry);
    this.siftUp(entry.index);
    return entry.id;
  }

  private find(id: number): HeapEntry<T> | undefined {
    const heap = this.heap;
    for (let i = 0; i < heap.length; i++) if (heap[i].id === id) return heap[i];
    return undefined;
  }

  private removeEntry(entry: HeapEntry<T>): void {
    const last = this.heap.pop()!;
    if (last !== entry) {
      this.heap[entry.index] = last;
      last.index = entry.index;
      this.siftDown(last.index);
      this.siftUp(last.index);
    }
  }

  /** Removes a pending event; false if it already ran, was cancelled, or never existed. */
  cancel(id: number): boolean {
    const entry = this.find(id);
    if (!entry) return false;
    this.removeEntry(entry);
    return true;
  }

  has(id: number): boolean {
    return this.find(id) !== undefined;
  }

  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  pop(): ScheduledEvent<T> | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    this.removeEntry(top);
    return top;
  }

  clear(): void {
    this.heap = [];
  }

  snapshot(): EventQueueSnapshot<T> {
    const events = this.heap
      .map(({ at, id, item }) => ({ at, id, item }))
      .sort((a, b) => a.at - b.at || a.id - b.id);
    return { nextId: this.nextId, events };
  }

  static fromSnapshot<T>(snapshot: EventQueueSnapshot<T>): EventQueue<T> {
    const queue = new EventQueue<T>();
    const seen = new Set<number>();
    for (const { at, id, item } of snapshot.events) {
      assertTime(at);
      if (!Number.isSafeInteger(id) || id < 1 || id >= snapshot.nextId || seen.has(id)) {
        throw new RangeError(`EventQueue snapshot: bad event id ${id}`);
      }
      // Sifting keeps the heap valid even for a hand-made snapshot whose events are not in order.
      const entry: HeapEntry<T> = { at, id, item, index: queue.heap.length };
      queue.heap.push(entry);
      seen.add(id);
      queue.siftUp(entry.index);
    }
    queue.nextId = snapshot.nextId;
    return queue;
  }

  private before(a: HeapEntry<T>, b: HeapEntry<T>): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i];
    const b = this.heap[j];
    this.heap[i] = b;
    this.heap[j] = a;
    b.index = i;
    a.index = j;
  }

  private siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(this.heap[i], this.heap[parent])) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(index: number): void {
    const n = this.heap.length;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < n && this.before(this.heap[left], this.heap[first])) first = left;
      if (right < n && this.before(this.heap[right], this.heap[first])) first = right;
      if (first === i) return;
      this.swap(i, first);
      i = first;
    }
  }
}
