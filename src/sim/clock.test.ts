import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, formatTraceTime, secondsToUs, usToSeconds } from './clock.ts';

describe('time helpers', () => {
  it('prints trace times as QEMU does: seconds, a dot, six digits of microseconds', () => {
    expect(formatTraceTime(2_000_001)).toBe('2.000001');
    expect(formatTraceTime(0)).toBe('0.000000');
    expect(formatTraceTime(999_999)).toBe('0.999999');
    expect(formatTraceTime(1_795_667_093_963_308)).toBe('1795667093.963308');
  });

  it('refuses times that are not whole non-negative microseconds', () => {
    expect(() => formatTraceTime(1.5)).toThrow(RangeError);
    expect(() => formatTraceTime(-1)).toThrow(RangeError);
  });

  it('converts seconds to the nearest microsecond and back', () => {
    expect(secondsToUs(2.000001)).toBe(2_000_001);
    expect(secondsToUs(0.1 + 0.2)).toBe(300_000);
    expect(usToSeconds(1_500_000)).toBe(1.5);
    expect(() => secondsToUs(-1)).toThrow(RangeError);
  });
});

describe('EventQueue', () => {
  it('pops in time order, and equal times in the order they were scheduled', () => {
    const queue = new EventQueue<string>();
    queue.schedule(20, 'late');
    queue.schedule(10, 'a');
    queue.schedule(10, 'b');
    queue.schedule(5, 'early');
    queue.schedule(10, 'c');
    const order: string[] = [];
    for (let e = queue.pop(); e; e = queue.pop()) order.push(e.item);
    expect(order).toEqual(['early', 'a', 'b', 'c', 'late']);
    expect(queue.size).toBe(0);
    expect(queue.peekTime()).toBeUndefined();
  });

  it('cancels a pending event once, and leaves the others in order', () => {
    const queue = new EventQueue<string>();
    const a = queue.schedule(10, 'a');
    const b = queue.schedule(10, 'b');
    queue.schedule(30, 'c');
    expect(queue.cancel(a)).toBe(true);
    expect(queue.cancel(a)).toBe(false);
    expect(queue.has(b)).toBe(true);
    expect(queue.size).toBe(2);
    expect(queue.pop()?.item).toBe('b');
    expect(queue.cancel(b)).toBe(false);
    expect(queue.peekTime()).toBe(30);
  });

  it('never reuses an id, even after clear', () => {
    const queue = new EventQueue<number>();
    const before = queue.schedule(1, 1);
    queue.clear();
    const after = queue.schedule(1, 2);
    expect(after).not.toBe(before);
    expect(queue.cancel(before)).toBe(false);
    expect(queue.size).toBe(1);
  });

  it('refuses times that are not whole non-negative microseconds', () => {
    const queue = new EventQueue<number>();
    expect(() => queue.schedule(0.5, 1)).toThrow(RangeError);
    expect(() => queue.schedule(-1, 1)).toThrow(RangeError);
  });

  it('restores from a snapshot with the same order and the same future ids', () => {
    const queue = new EventQueue<string>();
    queue.schedule(7, 'x');
    queue.schedule(3, 'y');
    queue.schedule(7, 'z');
    const copy = EventQueue.fromSnapshot(queue.snapshot());
    expect(copy.schedule(7, 'w')).toBe(queue.schedule(7, 'w'));
    const drain = (q: EventQueue<string>) => {
      const out: string[] = [];
      for (let e = q.pop(); e; e = q.pop()) out.push(`${e.at}:${e.id}:${e.item}`);
      return out;
    };
    expect(drain(copy)).toEqual(drain(queue));
  });

  it('matches a stable sort by (time, sequence) under any mix of schedules, cancels and pops', () => {
    type Op = { kind: 'schedule'; at: number } | { kind: 'cancel'; pick: number } | { kind: 'pop' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('schedule' as const), at: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('pop' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const queue = new EventQueue<number>();
        let model: { at: number; id: number }[] = [];
        for (const o of ops) {
          if (o.kind === 'schedule') {
            model.push({ at: o.at, id: queue.schedule(o.at, o.at) });
          } else if (o.kind === 'cancel' && model.length > 0) {
            const victim = model[o.pick % model.length];
            expect(queue.cancel(victim.id)).toBe(true);
            model = model.filter((m) => m !== victim);
          } else if (o.kind === 'pop') {
            model.sort((a, b) => a.at - b.at || a.id - b.id);
            const expected = model.shift();
            const got = queue.pop();
            expect(got && { at: got.at, id: got.id }).toEqual(expected);
          }
          expect(queue.size).toBe(model.length);
        }
      }),
    );
  });
});
