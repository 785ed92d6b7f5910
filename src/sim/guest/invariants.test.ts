import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAME_FREE } from '../../core/abi.ts';
import { Mutex, mutexLock, sleep, type Task } from '../sched.ts';
import { checkInvariants } from './invariants.ts';
import { deflate, inflate, makeGuest, seedMigratepage } from './testing.ts';
import type { WorkloadKind } from './workload.ts';

type Op =
  | { do: 'inflate'; n: number }
  | { do: 'deflate'; n: number }
  | { do: 'workload'; kind: WorkloadKind; n: number }
  | { do: 'free'; which: number }
  | { do: 'compact' }
  | { do: 'run'; events: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ do: fc.constant('inflate' as const), n: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ do: fc.constant('deflate' as const), n: fc.integer({ min: 1, max: 600 }) }),
  fc.record({
    do: fc.constant('workload' as const),
    kind: fc.constantFrom<WorkloadKind>('anon', 'file', 'shmem'),
    n: fc.integer({ min: 1, max: 2500 }),
  }),
  fc.record({ do: fc.constant('free' as const), which: fc.nat(20) }),
  fc.record({ do: fc.constant('compact' as const) }),
  fc.record({ do: fc.constant('run' as const), events: fc.integer({ min: 1, max: 40 }) }),
);

describe('invariants hold after every step and at every event boundary', () => {
  for (const pageKiB of [4, 16, 64] as const) {
    it(`${pageKiB} KiB pages, random inflate/deflate/workloads/frees/compaction`, () => {
      fc.assert(
        fc.property(
          fc.array(op, { maxLength: 25 }),
          fc.boolean(),
          fc.integer({ min: 0, max: 4 }),
          (ops, deflateOnOom, swapMiB) => {
            const g = makeGuest({ ramMiB: 16, windowFrame: 3072, pageKiB, swapMiB });
            const k = g.kernel;
            const check = (when: string) => {
              const errors = checkInvariants(k);
              if (errors.length > 0) throw new Error(`${when}:\n${errors.join('\n')}`);
            };
            const balloonLock = new Mutex('balloon_lock');
            k.balloon.migratepage = seedMigratepage(k, () => check('inside migratepage'), balloonLock);
            // Without DEFLATE_ON_OOM the driver takes its pages out of MemTotal; with it, it deflates on OOM.
            const balloonIn = (n: number) => {
              const got = inflate(k, n).length;
              if (!deflateOnOom) k.adjustManagedPageCount(-got);
            };
            const balloonOut = (n: number) => {
              const got = deflate(k, n).length;
              if (!deflateOnOom) k.adjustManagedPageCount(got);
              return got;
            };
            if (deflateOnOom) {
              k.registerOomNotifier({
                priority: 80,
                // leak_balloon under balloon_lock, so it never races a migration.
                *call(freed: { value: number }): Task {
                  yield* mutexLock(balloonLock);
                  yield sleep(500);
                  freed.value += balloonOut(64);
                  g.sched.unlock(balloonLock);
                },
              });
            }
            const names: string[] = [];
            let compacting = false;
            const steps = (events: number) => {
              for (let i = 0; i < events && g.sched.step(); i++)
                check(`after event ${i} at ${g.sched.now} µs`);
            };
            // fill/leak_balloon take balloon_lock: while a migration holds it, the driver would wait.
            const driverFree = () => balloonLock.owner === null;
            ops.forEach((o, i) => {
              if (o.do === 'inflate') {
                if (driverFree()) balloonIn(o.n);
              } else if (o.do === 'deflate') {
                if (driverFree()) balloonOut(o.n);
              } else if (o.do === 'workload') {
                const name = `w${i}`;
                names.push(name);
                g.sched.spawn(name, k.startWorkload(name, o.kind, o.n));
              } else if (o.do === 'free') {
                if (names.length > 0) k.freeWorkload(names[o.which % names.length]);
              } else if (o.do === 'compact') {
                if (!compacting) {
                  compacting = true;
                  g.sched.spawn('compact', k.compactMemory(), () => {
                    compacting = false;
                  });
                }
              } else steps(o.events);
              check(`after step ${i} (${o.do})`);
            });
            steps(100_000);
            expect(g.sched.pending).toBe(0);
            check('at the end');
            // Give everything back: all managed memory is free again, in whole blocks where it can be.
            for (const name of names) k.freeWorkload(name);
            while (balloonOut(256) > 0);
            check('after freeing everything');
            expect(k.totalramPages).toBe(k.nPages - k.reservedPages);
            expect(k.freePages).toBe(k.totalramPages - k.bootInUsePages);
            expect(g.core.stateCount(FRAME_FREE)).toBe(k.freePages * k.ppp);
            expect(k.swapUsedPages).toBe(0);
          },
        ),
        { numRuns: pageKiB === 4 ? 60 : 30 },
      );
    });
  }
});
