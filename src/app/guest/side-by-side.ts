// "Side by side": the real guest's run and the simulation given the same steps, measured with one
// ruler. Both runs are read from their QEMU-format traces (the real device's, and the simulation's
// own), so every number below comes from the same code for both.
import type { TraceParts } from '../../sim/view.ts';

const MiB = 1048576;

/** The simulated guest the real one is compared with: its size, and QEMU's default offer. */
export function scenarioFor(
  ramBytes: number,
  targets: TraceParts['summary']['targets'],
  endUs: number,
): unknown {
  const guestMiB = Math.round(ramBytes / MiB);
  const lastAt = targets.at(-1)?.us ?? 0;
  return {
    version: 1,
    name: 'the real guest’s steps, simulated',
    seed: 1,
    guest: { memoryMiB: guestMiB, pageKiB: 4, swapMiB: 0 },
    device: { features: ['STATS_VQ'], statsPollingIntervalS: 1, hostPageKiB: 4 },
    steps: [
      ...targets.map((t) => ({
        at: t.us / 1e6,
        do: 'balloon',
        // QMP balloon takes the guest's new logical size; whole MiB, as the page's field sets them.
        MiB: Math.max(1, guestMiB - Math.round((t.numPages * 4096) / MiB)),
      })),
      { at: Math.ceil(Math.max(endUs, lastAt + 10e6) / 1e6), do: 'end' },
    ],
  };
}

export interface TargetRow {
  /** The balloon the target asks for, in 4 KiB pages (num_pages). */
  numPages: number;
  /** When the host set it, µs. */
  us: number;
  /** From the target until the driver's `actual` reached it, µs; null if it never did before the next target. */
  reachedAfterUs: number | null;
  inflateBuffers: number;
  deflateBuffers: number;
  pfns: number;
}

export interface RunMeasures {
  targets: TargetRow[];
  actual: number;
  inflate: { buffers: number; pfns: number };
  deflate: { buffers: number; pfns: number };
  stats: number;
}

/** The same measures of any run, from its trace. */
export function measure(t: Pick<TraceParts, 'summary' | 'actualAt'>): RunMeasures {
  const { targets, batches, actual } = t.summary;
  const sum = (role: string) => {
    const b = batches.filter((x) => x.role === role);
    return { buffers: b.length, pfns: b.reduce((n, x) => n + x.pfns.length, 0) };
  };
  return {
    targets: targets.map((target, i) => {
      const until = targets[i + 1]?.us ?? Number.POSITIVE_INFINITY;
      const inWindow = batches.filter((b) => b.popUs >= target.us && b.popUs < until);
      const reached = actual.find((a) => a.us >= target.us && a.us < until && a.actual === target.numPages);
      return {
        numPages: target.numPages,
        us: target.us,
        reachedAfterUs: reached ? reached.us - target.us : null,
        inflateBuffers: inWindow.filter((b) => b.role === 'inflate').length,
        deflateBuffers: inWindow.filter((b) => b.role === 'deflate').length,
        pfns: inWindow.reduce((n, b) => n + (b.role === 'stats' ? 0 : b.pfns.length), 0),
      };
    }),
    actual: t.actualAt(),
    inflate: sum('inflate'),
    deflate: sum('deflate'),
    stats: sum('stats').buffers,
  };
}
