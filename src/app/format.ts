export const MiB = 1048576;

export function mib(bytes: number, digits = 1): string {
  return `${(bytes / MiB).toFixed(digits)} MiB`;
}

/** Virtual time as seconds with microseconds, like the trace and dmesg. */
export function seconds(us: number): string {
  const s = Math.floor(us / 1e6);
  return `${s}.${String(Math.floor(us % 1e6)).padStart(6, '0')} s`;
}

export function pages(n: number): string {
  return n.toLocaleString('en-US');
}

/** The last `count` lines, each with its line number in the whole log (a stable key: the log only grows). */
export function lastLines<T>(lines: readonly T[], count: number): { n: number; line: T }[] {
  const from = Math.max(0, lines.length - count);
  const out: { n: number; line: T }[] = [];
  for (let n = from; n < lines.length; n++) out.push({ n, line: lines[n] });
  return out;
}
