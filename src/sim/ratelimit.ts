// The kernel's printk rate limit (lib/ratelimit.c, ___ratelimit), as `dev_info_ratelimited` uses it:
// each call site has its own state with DEFAULT_RATELIMIT_INTERVAL (5 * HZ) and
// DEFAULT_RATELIMIT_BURST (10). At most `burst` messages print in an interval that starts at the first
// call; the rest are counted as missed. The first call after the interval has passed starts a new one
// and, if any were missed, first prints "<function>: N callbacks suppressed" at KERN_WARNING.
import { GUEST_HZ, jiffiesAt } from './timing.ts';

export const DEFAULT_RATELIMIT_INTERVAL_JIFFIES = 5 * GUEST_HZ;
export const DEFAULT_RATELIMIT_BURST = 10;

/** One call site's `struct ratelimit_state` (plain numbers: a snapshot copies its fields). */
export class RatelimitState {
  /** The jiffies the current interval began at; -1 before the first call. */
  begin = -1;
  printed = 0;
  missed = 0;

  constructor(
    readonly intervalJiffies = DEFAULT_RATELIMIT_INTERVAL_JIFFIES,
    readonly burst = DEFAULT_RATELIMIT_BURST,
  ) {}
}

/** What ___ratelimit decided for one call. */
export interface RatelimitVerdict {
  /** Print the message. */
  print: boolean;
  /** Messages missed in the interval that just ended, to report first ("N callbacks suppressed"); 0 if none. */
  suppressed: number;
}

/** ___ratelimit(rs, func) at virtual time `us`. */
export function ratelimit(rs: RatelimitState, us: number): RatelimitVerdict {
  const jiffies = jiffiesAt(us);
  let suppressed = 0;
  if (rs.begin < 0) rs.begin = jiffies;
  // time_is_before_jiffies(begin + interval): strictly after the interval's end.
  if (jiffies > rs.begin + rs.intervalJiffies) {
    suppressed = rs.missed;
    rs.missed = 0;
    rs.begin = jiffies;
    rs.printed = 0;
  }
  if (rs.burst > rs.printed) {
    rs.printed++;
    return { print: true, suppressed };
  }
  rs.missed++;
  return { print: false, suppressed };
}

/** The line ___ratelimit prints for missed messages, `func` being the call site's function. */
export function suppressedLine(func: string, missed: number): string {
  return `${func}: ${missed} callbacks suppressed`;
}
