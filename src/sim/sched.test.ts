import { describe, expect, it } from 'vitest';
import {
  Mutex,
  mutexLock,
  Scheduler,
  sleep,
  type Task,
  WaitQueue,
  WorkItem,
  Workqueue,
  waitEvent,
} from './sched.ts';

describe('Scheduler', () => {
  it('resumes a sleeping task after the virtual time it asked for', () => {
    const s = new Scheduler();
    const seen: number[] = [];
    s.spawn(
      't',
      (function* (): Task {
        seen.push(s.now);
        yield sleep(200_000);
        seen.push(s.now);
      })(),
    );
    s.runUntil(1_000_000);
    expect(seen).toEqual([0, 200_000]);
    expect(s.now).toBe(1_000_000);
  });

  it('wait_event re-checks its condition after every wake_up', () => {
    const s = new Scheduler();
    const q = new WaitQueue('acked');
    let ready = false;
    let woke = -1;
    s.spawn(
      'waiter',
      (function* (): Task {
        yield* waitEvent(q, () => ready);
        woke = s.now;
      })(),
    );
    s.after(10, () => s.wakeUp(q)); // a spurious wake-up: the condition is still false
    s.after(20, () => {
      ready = true;
      s.wakeUp(q);
    });
    s.runUntil(100);
    expect(woke).toBe(20);
  });

  it('hands a mutex over in FIFO order; trylock fails while it is held', () => {
    const s = new Scheduler();
    const m = new Mutex('balloon_lock');
    const order: string[] = [];
    let tried: boolean | null = null;
    const user = (name: string, hold: number) =>
      (function* (): Task {
        yield* mutexLock(m);
        order.push(`${name}@${s.now}`);
        yield sleep(hold);
        s.unlock(m);
      })();
    s.spawn('a', user('a', 100));
    s.spawn('b', user('b', 100));
    s.spawn(
      'c',
      (function* (): Task {
        yield sleep(50);
        tried = s.tryLock(m);
      })(),
    );
    s.runUntil(1000);
    expect(order).toEqual(['a@0', 'b@100']);
    expect(tried).toBe(false);
    expect(m.owner).toBeNull();
  });

  it('runs events due at the same time in the order they were scheduled', () => {
    const s = new Scheduler();
    const order: number[] = [];
    for (let i = 0; i < 5; i++) s.at(7, () => order.push(i));
    s.runUntil(7);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('Workqueue', () => {
  it('never runs a work item concurrently with itself; a re-queue while running runs it once more', () => {
    const s = new Scheduler();
    const wq = new Workqueue(s, 'events_freezable', 5);
    let runs = 0;
    let maxConcurrent = 0;
    let running = 0;
    const item: WorkItem = new WorkItem('w', function* (): Task {
      runs++;
      running++;
      maxConcurrent = Math.max(maxConcurrent, running);
      yield sleep(100);
      running--;
    });
    expect(wq.queue(item)).toBe(true);
    expect(wq.queue(item)).toBe(false); // already pending
    s.after(50, () => wq.queue(item)); // while it runs
    s.after(60, () => wq.queue(item)); // still just one more
    s.runUntil(10_000);
    expect(runs).toBe(2);
    expect(maxConcurrent).toBe(1);
  });

  it('holds queued work while frozen and starts it on thaw', () => {
    const s = new Scheduler();
    const wq = new Workqueue(s, 'events_freezable', 5);
    let ranAt = -1;
    const item = new WorkItem('w', function* (): Task {
      ranAt = s.now;
    });
    wq.freeze();
    wq.queue(item);
    s.runUntil(1000);
    expect(ranAt).toBe(-1);
    wq.thaw([item]);
    s.runUntil(2000);
    expect(ranAt).toBe(1005);
  });
});
