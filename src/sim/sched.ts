// The guest's execution model: kernel threads as generators on one virtual clock.
//
// Kernel code that sleeps (wait_event, msleep, mutex_lock, a page allocation that reclaims) is written
// as a generator that yields what it waits for, and `yield*` calls another such function, so a ported
// function reads like its C original with the blocking points marked. The scheduler resumes a task
// when its wait is over. Everything runs off one EventQueue keyed by (virtual µs, insertion order):
// no wall clock, no randomness, so the same inputs give the same run.
//
// Snapshots (snapshot.ts) cannot copy a generator. So the scheduler knows which tasks are alive, and a
// task that sleeps for long stretches can sleep at a restart point (`sleepThenRestart`): it names the
// plain data its progress lives in, and a fresh generator made from that data goes on exactly as the
// sleeping one would. A moment when every live task sleeps at a restart point is one a snapshot can
// capture (`snapshot()`, null at any other moment); `restore()` makes the tasks again from their data.
import { EventQueue, type EventQueueSnapshot } from './clock.ts';

/**
 * How to make a task again (snapshot.ts): `kind` names the code (its owner rebuilds it), `state` is the
 * plain data the task keeps its progress in — numbers, strings, booleans, plain objects of them.
 */
export interface Restart {
  readonly kind: string;
  readonly state: object;
}

/** What a task waits for. */
export type Wait =
  | { readonly kind: 'sleep'; readonly us: number; readonly restart?: Restart }
  | { readonly kind: 'wait'; readonly queue: WaitQueue }
  | { readonly kind: 'lock'; readonly mutex: Mutex };

/** A kernel thread of control: yields Waits, may return a value to a `yield*` caller. */
export type Task<R = void> = Generator<Wait, R, void>;

/** msleep(), or time spent working: resume `us` microseconds later. */
export function sleep(us: number): Wait {
  return { kind: 'sleep', us: Math.max(0, Math.round(us)) };
}

/**
 * sleep(us) at a restart point: what the task does after it depends on `restart.state` alone (and the
 * machine), so that a generator made afresh from that state goes on from here exactly as this one
 * would. The task yields it only where that holds: no local variable outside the state is live, no
 * lock held, no `yield*` caller waiting on it.
 */
export function sleepThenRestart(us: number, restart: Restart): Wait {
  return { kind: 'sleep', us: Math.max(0, Math.round(us)), restart };
}

/** wait_queue_head_t: tasks parked until wake_up(). */
export class WaitQueue {
  readonly waiters: TaskRun[] = [];
  /** The scheduler has it in its list of wait queues and mutexes. */
  known = false;
  /** The Wait a task yields to park here: one object per queue, not one per wait. */
  readonly wait: Wait = { kind: 'wait', queue: this };
  constructor(readonly name: string) {}
}

/** wait_event(wq, cond): sleeps on wq until cond() holds, re-checking after every wake-up. */
export function* waitEvent(queue: WaitQueue, cond: () => boolean): Task {
  while (!cond()) yield queue.wait;
}

/** struct mutex: blocking lock, trylock, FIFO hand-over on unlock. */
export class Mutex {
  owner: TaskRun | null = null;
  /** The scheduler has it in its list of wait queues and mutexes. */
  known = false;
  readonly waiters: TaskRun[] = [];
  readonly lock: Wait = { kind: 'lock', mutex: this };
  constructor(readonly name: string) {}
}

export function* mutexLock(m: Mutex): Task {
  yield m.lock;
}

interface TaskRun {
  readonly name: string;
  readonly gen: Task<unknown>;
  readonly done?: (value: unknown) => void;
  /** Resumes this task: made once, scheduled at every wake-up. */
  resume: Action;
  /** The restart point the task sleeps at now; null while it runs or waits anywhere else. */
  parked: Restart | null;
  /** Where it is in the scheduler's list of live tasks. */
  slot: number;
}

type Action = () => void;

/** A task asleep at a restart point, in a snapshot: its name, and how to make it again. */
export interface ParkedTask {
  readonly name: string;
  readonly restart: Restart;
}

/** The scheduler at a moment every live task sleeps at a restart point (snapshot.ts). */
export interface SchedulerSnapshot {
  readonly now: number;
  /** Pending events: callbacks as they are (restore into the same machine), and parked tasks as data. */
  readonly queue: EventQueueSnapshot<Action | ParkedTask>;
}

export class Scheduler {
  private queue = new EventQueue<Action>();
  private current: TaskRun | null = null;
  /** Tasks spawned and not finished: running, sleeping, or waiting (on a queue or a mutex). */
  private readonly live: TaskRun[] = [];
  /** Every wait queue and mutex a task has used: a snapshot finds them empty, a restore empties them. */
  private readonly syncs: (WaitQueue | Mutex)[] = [];
  /** Virtual time in µs: the time of the event being run. */
  now = 0;

  /** Runs `fn` at virtual time `atUs` (never earlier than now). Returns an id for cancel(). */
  at(atUs: number, fn: Action): number {
    return this.queue.schedule(Math.max(this.now, Math.round(atUs)), fn);
  }

  after(us: number, fn: Action): number {
    return this.at(this.now + us, fn);
  }

  cancel(id: number): boolean {
    return this.queue.cancel(id);
  }

  /** Starts a task now (it runs when the current event is done, in order). */
  spawn<R>(name: string, gen: Task<R>, done?: (value: R) => void): void {
    this.at(this.now, this.track(name, gen, done as ((v: unknown) => void) | undefined).resume);
  }

  private track(name: string, gen: Task<unknown>, done?: (value: unknown) => void): TaskRun {
    const run: TaskRun = { name, gen, done, resume: noop, parked: null, slot: this.live.length };
    // A bound method rather than an arrow: one is made a batch, and a bound function is cheaper to
    // make than a closure that tools wrap to keep its name.
    run.resume = this.resume.bind(this, run);
    this.live.push(run);
    return run;
  }

  private finished(run: TaskRun): void {
    const last = this.live.pop()!;
    if (last !== run) {
      this.live[run.slot] = last;
      last.slot = run.slot;
    }
  }

  private know(sync: WaitQueue | Mutex): void {
    if (sync.known) return;
    sync.known = true;
    this.syncs.push(sync);
  }

  /** wake_up(): every task parked on `queue` runs again (and re-checks its condition). */
  wakeUp(queue: WaitQueue): void {
    const waiters = queue.waiters;
    for (let i = 0; i < waiters.length; i++) this.at(this.now, waiters[i].resume);
    waiters.length = 0;
  }

  /** mutex_trylock(): takes the mutex for the current task if it is free. */
  tryLock(m: Mutex): boolean {
    if (m.owner) return false;
    this.know(m);
    m.owner = this.current ?? { name: 'irq', gen: idle(), resume: () => {}, parked: null, slot: -1 };
    return true;
  }

  /** mutex_unlock(): hands the mutex to the first waiter, if any. */
  unlock(m: Mutex): void {
    const next = m.waiters.shift() ?? null;
    m.owner = next;
    if (next) this.at(this.now, next.resume);
  }

  private resume(run: TaskRun): void {
    const prev = this.current;
    this.current = run;
    run.parked = null;
    try {
      for (;;) {
        const r = run.gen.next();
        if (r.done) {
          this.finished(run);
          run.done?.(r.value);
          return;
        }
        const w = r.value;
        if (w.kind === 'sleep') {
          if (w.restart) run.parked = w.restart;
          this.at(this.now + w.us, run.resume);
          return;
        }
        if (w.kind === 'wait') {
          w.queue.waiters.push(run);
          this.know(w.queue);
          return;
        }
        // lock: take it now if free, else wait for unlock() to hand it over
        this.know(w.mutex);
        if (!w.mutex.owner) {
          w.mutex.owner = run;
          continue;
        }
        w.mutex.waiters.push(run);
        return;
      }
    } finally {
      this.current = prev;
    }
  }

  /** Time of the next event, or undefined when nothing is scheduled. */
  nextTime(): number | undefined {
    return this.queue.peekTime();
  }

  /** Runs the next event; false when there is none. */
  step(): boolean {
    const ev = this.queue.pop();
    if (!ev) return false;
    this.now = ev.at;
    ev.item();
    return true;
  }

  /** Runs every event due at or before `us`, then sets the clock to `us`. */
  runUntil(us: number, shouldStop: () => boolean = () => false): void {
    for (;;) {
      const t = this.queue.peekTime();
      if (t === undefined || t > us || shouldStop()) break;
      this.step();
    }
    if (!shouldStop()) this.now = Math.max(this.now, us);
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Tasks alive (spawned, not finished), for tests and the driver view. */
  get liveTasks(): number {
    return this.live.length;
  }

  /**
   * True between events when every live task sleeps at a restart point (or none is alive): then the
   * machine is data only, and snapshot() can capture it. Cheap: the runner asks after every event.
   */
  quiescent(): boolean {
    if (this.current) return false;
    // A task someone waits for (a done callback) cannot be made again: only its own code is data.
    for (const run of this.live) if (!run.parked || run.done) return false;
    // A lock held with no task holding it (an interrupt's trylock) is state no snapshot keeps.
    for (const sync of this.syncs)
      if (sync.waiters.length > 0 || (sync instanceof Mutex && sync.owner)) return false;
    return true;
  }

  /**
   * The clock and every pending event, when quiescent() (null otherwise): callbacks as they are, and
   * each parked task as its name and restart data (copied, so the task may go on changing its own).
   */
  snapshot(): SchedulerSnapshot | null {
    if (!this.quiescent()) return null;
    const queue = this.queue.snapshot();
    if (this.live.length === 0) return { now: this.now, queue };
    const parked = new Map<Action, TaskRun>();
    for (const run of this.live) parked.set(run.resume, run);
    let found = 0;
    const events = queue.events.map((e) => {
      const run = parked.get(e.item);
      if (!run) return e;
      found++;
      const restart = { kind: run.parked!.kind, state: structuredClone(run.parked!.state) };
      return { at: e.at, id: e.id, item: { name: run.name, restart } };
    });
    // A parked task is pending exactly once (its wake-up); anything else is not a moment to capture.
    if (found !== this.live.length) return null;
    return { now: this.now, queue: { nextId: queue.nextId, events } };
  }

  /**
   * Puts the clock and the pending events back as `snapshot()` saw them, in the machine that took it
   * (its callbacks are that machine's). Live tasks are forgotten; each parked one is made again by
   * `rebuild` from a copy of its restart data, and sleeps at its restart point as before.
   */
  restore(snap: SchedulerSnapshot, rebuild: (restart: Restart) => Task): void {
    this.live.length = 0;
    this.current = null;
    this.now = snap.now;
    // When the snapshot was taken, no task waited anywhere and no lock was held.
    for (const sync of this.syncs) {
      sync.waiters.length = 0;
      if (sync instanceof Mutex) sync.owner = null;
    }
    const events = snap.queue.events.map((e) => {
      const item = e.item;
      if (typeof item === 'function') return { at: e.at, id: e.id, item };
      const restart = { kind: item.restart.kind, state: structuredClone(item.restart.state) };
      const run = this.track(item.name, rebuild(restart));
      run.parked = restart;
      return { at: e.at, id: e.id, item: run.resume };
    });
    this.queue = EventQueue.fromSnapshot({ nextId: snap.queue.nextId, events });
  }
}

function* idle(): Task {}

function noop(): void {}

/** struct work_struct on a (freezable) workqueue: never runs concurrently with itself. */
export class WorkItem {
  pending = false;
  running = false;
  cancelling = false;
  readonly idle = new WaitQueue('work-idle');
  constructor(
    readonly name: string,
    readonly fn: () => Task,
  ) {}
}

/** A workqueue; freezable ones stop starting work while frozen (system suspend). */
export class Workqueue {
  frozen = false;
  constructor(
    private readonly sched: Scheduler,
    readonly name: string,
    /** Virtual time from queue_work to the work function starting. */
    private readonly latencyUs: number,
  ) {}

  /** queue_work(): false if the item was already pending, or is being cancelled. */
  queue(item: WorkItem): boolean {
    if (item.pending || item.cancelling) return false;
    item.pending = true;
    if (!item.running && !this.frozen) this.sched.after(this.latencyUs, this.starter(item));
    return true;
  }

  // The callbacks that start an item and see it finish, made once per item rather than at every
  // queue_work: the balloon's work item runs once per batch.
  private readonly starters = new Map<WorkItem, { start: () => void; finished: () => void }>();

  private starter(item: WorkItem): () => void {
    let cb = this.starters.get(item);
    if (!cb) {
      cb = {
        start: () => this.start(item),
        finished: () => {
          item.running = false;
          this.sched.wakeUp(item.idle);
          if (item.pending && !this.frozen) this.sched.after(this.latencyUs, this.starter(item));
        },
      };
      this.starters.set(item, cb);
    }
    return cb.start;
  }

  private start(item: WorkItem): void {
    if (!item.pending || item.running || this.frozen) return;
    item.pending = false;
    item.running = true;
    this.sched.spawn(item.name, item.fn(), this.starters.get(item)!.finished);
  }

  /** cancel_work_sync(): drops a pending run and waits for a running one to finish. */
  *cancelSync(item: WorkItem): Task {
    // While it waits, the work cannot queue itself again (Linux marks it WORK_OFFQ_CANCELING).
    item.pending = false;
    item.cancelling = true;
    yield* waitEvent(item.idle, () => !item.running);
    item.pending = false;
    item.cancelling = false;
  }

  freeze(): void {
    this.frozen = true;
  }

  /**
   * freeze_workqueues_begin/_busy, as the PM core does before a driver's freeze: no new work starts,
   * and work already running is let finish.
   */
  *freezeSync(items: readonly WorkItem[]): Task {
    this.frozen = true;
    for (const item of items) yield* waitEvent(item.idle, () => !item.running);
  }

  thaw(items: readonly WorkItem[]): void {
    this.frozen = false;
    for (const item of items)
      if (item.pending && !item.running) this.sched.after(this.latencyUs, this.starter(item));
  }
}
