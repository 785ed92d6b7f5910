// The map's words for a frame, for its tooltip and inspector line: read-model code like view.ts, in a
// module of its own so that the app loads it after the map's first picture (it is not on the
// critical path).
import type { SimParts } from './view.ts';

/**
 * Who owns the frame `pfn` in the guest, in words, or undefined (for the map's tooltip): a workload,
 * or the part of memory boot laid out there (boot-layout.ts).
 */
export function describeFrame(sim: SimParts, pfn: number): string | undefined {
  const k = sim.kernel;
  const page = Math.floor(pfn / k.ppp);
  const owner = k.owner[page];
  const w = owner ? k.workloadById(owner) : undefined;
  if (w) return `workload "${w.name}" (${w.kind}, pid ${w.pid})`;
  const at = k.bootRuns.find((r) => page >= r.first && page < r.end);
  if (!at) return undefined;
  const image = k.bootRuns.find((r) => r.name === 'kernel image');
  const where = image ? ` (KASLR put the image at ${(image.first * k.ppp) / 256} MiB with this seed)` : '';
  switch (at.name) {
    case 'kernel image':
      return `the kernel image: text, rodata, data${where}`;
    case 'kernel bss':
      return `the kernel image's bss${where}`;
    case 'init sections and gaps (freed once up)':
      return `in the kernel image, freed once the kernel was up: init sections and gaps${where}`;
    default:
      return at.name;
  }
}
