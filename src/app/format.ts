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
