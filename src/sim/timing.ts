// What is random in a real run's timing, drawn from the simulation's PRNG (prng.ts), so that two seeds
// give two plausible runs and the same seed the same run, byte for byte. Real runs are not
// metronomes: a sleeping task wakes on a timer tick and then waits to be scheduled; QEMU's timers fire
// when its main loop gets to them. Everything here takes the PRNG state the simulation keeps (and a
// snapshot saves), and draws in the order the machine's events run.
import { nextInt, type PrngState } from './prng.ts';

/** The guest kernel's tick rate: Debian's amd64 kernels are built with CONFIG_HZ=250. */
export const GUEST_HZ = 250;
/** One jiffy in µs. */
export const JIFFY_US = 1_000_000 / GUEST_HZ;

/**
 * Scheduling latency after a timer wakes a task, drawn uniformly from [0, this) µs. Calibrated so the
 * "Out of puff" retry of out-of-puff.json (msleep(200) plus the retry's own ~1 ms of work) has the
 * median gap of the real trace, 0.208 s: 200 ms, a mean 2 ms of tick rounding, 5 ms median latency,
 * 1 ms of work. A simplification: a real latency distribution has a long thin tail this one lacks.
 */
export const WAKE_LATENCY_MAX_US = 10_000;

/**
 * QEMU's main loop dispatching an expired timer, drawn uniformly from [0, this) µs. Calibrated on the
 * stats timer of ../shared/fixtures/qemu-inflate.trace: the flush comes between 0.92 ms before and
 * 0.40 ms after "pop + 1 s" (mean 0.27 ms before), which whole-millisecond deadlines (below) and
 * up to 0.5 ms of dispatch reproduce (between 1 ms before and 0.5 ms after, mean 0.25 ms before).
 */
export const QEMU_TIMER_LATENCY_MAX_US = 500;

/** The guest's jiffies at virtual time `us` (jiffies start at 0 when the simulation does). */
export function jiffiesAt(us: number): number {
  return Math.floor(us / JIFFY_US);
}

/**
 * How long `msleep(ms)` keeps a task asleep when called at `nowUs`. Linux's msleep sleeps
 * `msecs_to_jiffies(ms) + 1` jiffies (kernel/time/timer.c): the timer expires on the tick that brings
 * jiffies there, so the sleep is between `ms` and `ms` + 1 jiffy depending on where in its jiffy the
 * call falls; then the woken task waits to run (WAKE_LATENCY_MAX_US, from the PRNG).
 */
export function msleepUs(prng: PrngState, ms: number, nowUs: number): number {
  const jiffies = Math.ceil((ms * 1000) / JIFFY_US) + 1;
  const expiresUs = (jiffiesAt(nowUs) + jiffies) * JIFFY_US;
  return expiresUs - nowUs + nextInt(prng, 0, WAKE_LATENCY_MAX_US);
}

/**
 * How long until a QEMU millisecond timer armed at `nowUs` with `timer_mod(t,
 * qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + seconds * 1000)` runs its callback: the deadline is in whole
 * milliseconds of the virtual clock (so up to 1 ms early against `now + seconds`), and the main loop
 * gets to an expired timer a little later (QEMU_TIMER_LATENCY_MAX_US, from the PRNG). A deadline
 * already past (seconds = 0) fires as soon as the main loop runs.
 */
export function qemuMsTimerDelayUs(prng: PrngState, nowUs: number, seconds: number): number {
  const deadlineUs = Math.floor(nowUs / 1000) * 1000 + seconds * 1_000_000;
  return Math.max(deadlineUs - nowUs, 0) + nextInt(prng, 0, QEMU_TIMER_LATENCY_MAX_US);
}
