// What a number a person types becomes inside the machine: one set of rules for the scenario file, the
// host's and guest's forms, share links and window.balloonLab, so that the answers cannot drift apart.
//
// Each value has a defined answer, never an exception deep in a run:
// - QMP `balloon` carries the guest's logical size as a whole number of bytes (an int64). A size in MiB
//   that is not a whole number of bytes is rounded down to one, as a QMP client sending an integer would;
//   QEMU refuses a size ≤ 0 ("Parameter 'target' expects a size") and clamps one above the guest's RAM to
//   the RAM size (virtio_balloon_to_target); num_pages = (RAM − size) / 4 KiB, rounded down.
// - The stats polling interval is a whole number of seconds, 0 to 2³² − 1; 0 turns polling off
//   (QEMU's balloon_stats_set_poll_interval: "timer value must be greater than zero" below 0, "timer
//   value is too big" above 2³² − 1).
// - A workload of a size that is not a whole number of guest pages touches the pages it overlaps: the
//   kernel maps whole pages, so the size is rounded up.

const MIB_BYTES = 1024 * 1024;

/** The largest balloon size this lab carries exactly: 2⁵³ bytes (a double's exact integers), 8 PiB. */
export const MAX_BALLOON_MIB = Math.floor(Number.MAX_SAFE_INTEGER / MIB_BYTES);
/** The largest workload: 1 TiB, far beyond the largest guest (16 GiB of RAM plus swap). */
export const MAX_WORKLOAD_MIB = 1024 * 1024;
export const MAX_STATS_INTERVAL_S = 0xffff_ffff;

/** QEMU's words when QMP `balloon` gets a size ≤ 0 (softmmu/balloon.c, qmp_balloon). */
export const QMP_BALLOON_NOT_A_SIZE = "Parameter 'target' expects a size";
/** QEMU's answer to `balloon` and `query-balloon` without a balloon device (softmmu/balloon.c). */
export const QMP_NO_BALLOON = 'No balloon device has been activated';

export type Checked<T> = { ok: true; value: T; note?: string } | { ok: false; error: string };

/** A number typed into a form field: blanks, words, `1e`, `Infinity` and NaN are refused. */
export function readNumberText(text: string): Checked<number> {
  const t = text.trim();
  if (t === '') return { ok: false, error: 'is empty: type a number' };
  // Number('') is 0 and Number('0x10') is 16: accept only plain decimal notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t))
    return { ok: false, error: `"${t}" is not a number` };
  const v = Number(t);
  if (!Number.isFinite(v)) return { ok: false, error: `"${t}" is too large to be a number here` };
  return { ok: true, value: v };
}

/** The bytes QMP `balloon` carries for a size in MiB: whole bytes, rounded down. */
export function balloonBytes(MiB: number): number {
  return Math.floor(MiB * MIB_BYTES);
}

/** Why a balloon size (MiB) is refused, or null when QEMU takes it. */
export function balloonMiBProblem(MiB: number): string | null {
  if (!Number.isFinite(MiB)) return 'must be a number of MiB';
  if (balloonBytes(MiB) <= 0) return `must be more than 0 MiB (QEMU: "${QMP_BALLOON_NOT_A_SIZE}")`;
  if (MiB > MAX_BALLOON_MIB) {
    return `must be at most ${MAX_BALLOON_MIB} MiB (8 PiB); any size above the guest's RAM empties the balloon`;
  }
  return null;
}

/** num_pages for a logical size of `MiB` in a guest of `ramMiB`: what virtio_balloon_to_target sets. */
export function balloonNumPages(MiB: number, ramMiB: number): number {
  const ram = ramMiB * MIB_BYTES;
  return Math.floor((ram - Math.min(balloonBytes(MiB), ram)) / 4096);
}

/** What the device will make of a size it accepts, in words, when that is not the plain reading. */
export function balloonNote(MiB: number, ramMiB: number): string | undefined {
  if (MiB > ramMiB) {
    return `${MiB} MiB is more than the guest's ${ramMiB} MiB of RAM: QEMU clamps it to ${ramMiB} MiB, an empty balloon.`;
  }
  const bytes = balloonBytes(MiB);
  if (bytes % 4096 !== 0) {
    const n = balloonNumPages(MiB, ramMiB);
    return `${MiB} MiB is not a whole number of 4 KiB pages: the device rounds the balloon down to ${n.toLocaleString('en-US')} pages (num_pages).`;
  }
  return undefined;
}

/** Checks a balloon size typed into a form: the MiB to put in a `balloon` step, or why not. */
export function checkBalloonText(text: string, ramMiB: number): Checked<number> {
  const n = readNumberText(text);
  if (!n.ok) return n;
  const problem = balloonMiBProblem(n.value);
  if (problem) return { ok: false, error: problem };
  return { ok: true, value: n.value, note: balloonNote(n.value, ramMiB) };
}

/** Why a stats polling interval (s) is refused, in QEMU's words where it has them, or null. */
export function statsIntervalProblem(s: number): string | null {
  if (!Number.isFinite(s)) return 'must be a whole number of seconds';
  if (s < 0) return 'timer value must be greater than zero (QEMU); 0 turns polling off';
  if (!Number.isInteger(s))
    return 'must be a whole number of seconds (QEMU keeps the interval as an integer)';
  if (s > MAX_STATS_INTERVAL_S) return `timer value is too big (QEMU): at most ${MAX_STATS_INTERVAL_S} s`;
  return null;
}

export function checkStatsIntervalText(text: string): Checked<number> {
  const n = readNumberText(text);
  if (!n.ok) return n;
  const problem = statsIntervalProblem(n.value);
  if (problem) return { ok: false, error: problem };
  return {
    ok: true,
    value: n.value,
    note:
      n.value === 0
        ? 'Polling is off: QEMU stops its stats timer and asks the guest for nothing.'
        : undefined,
  };
}

/** The guest pages a workload of `MiB` touches: whole pages, rounded up. */
export function workloadPages(MiB: number, pageKiB: number): number {
  return Math.ceil((MiB * 1024) / pageKiB);
}

export function workloadMiBProblem(MiB: number): string | null {
  if (!Number.isFinite(MiB) || MiB <= 0) return 'must be a positive number of MiB';
  if (MiB > MAX_WORKLOAD_MIB) return `must be at most ${MAX_WORKLOAD_MIB} MiB (1 TiB)`;
  return null;
}

export function workloadNote(MiB: number, pageKiB: number): string | undefined {
  const pages = workloadPages(MiB, pageKiB);
  if (pages * pageKiB === MiB * 1024) return undefined;
  return `${MiB} MiB is not a whole number of ${pageKiB} KiB pages: the workload touches ${pages.toLocaleString('en-US')} pages.`;
}

export function checkWorkloadText(text: string, pageKiB: number): Checked<number> {
  const n = readNumberText(text);
  if (!n.ok) return n;
  const problem = workloadMiBProblem(n.value);
  if (problem) return { ok: false, error: problem };
  return { ok: true, value: n.value, note: workloadNote(n.value, pageKiB) };
}
