// One plain sentence per driver function, for students: what the step does and why, in the words of
// the lesson rather than of the kernel. The driver view reads them into an aria-live region; a guided
// tour can reuse them. `detail` is the string the port passes with each call (virtio_balloon.ts:
// "inflate 256 pfns", "num=300", "actual=512", "12 pages", "812 → 4097"); a detail that does not parse
// just leaves the numbers out.
import type { DriverFunction } from '../../sim/view.ts';
import { formatPages } from './format.ts';

const BATCH = 256; // VIRTIO_BALLOON_ARRAY_PFNS_MAX: one pfns[] array

/** The number `pattern` captures in `detail` (/num=(\d+)/ on "num=300" → 300), or null. */
function num(detail: string | undefined, pattern: RegExp): number | null {
  const m = detail?.match(pattern);
  return m ? Number(m[1]) : null;
}

const pages = (detail?: string) => num(detail, /(\d+) pages?\b/);

/**
 * fill_balloon found no free page: it logged "Out of puff! Can't get %u pages" and sleeps before the
 * work item retries. `detail` is the sim's "Out of puff! Can't get 1 pages; msleep(200)".
 */
function outOfPuff(detail?: string): string {
  const n = num(detail, /get (\d+) pages?/);
  const ms = num(detail, /msleep\((\d+)\)/) ?? 200;
  const what = n === null ? 'a free page' : n === 1 ? '1 page' : `${n} pages`;
  return (
    `Out of puff! The guest could not get ${what} for the balloon: the driver ends this batch early and ` +
    `retries in ${ms} ms.`
  );
}

const SENTENCES: Record<DriverFunction, (detail?: string) => string> = {
  page_to_balloon_pfn: () =>
    'It converts a kernel page number into the 4 KiB frame number (PFN) that the balloon protocol speaks.',
  balloon_ack: () =>
    'The host has finished with the batch: its interrupt wakes the driver, which was waiting for this ' +
    'acknowledgement.',
  tell_host: (detail) => {
    const m = detail?.match(/^(\w+) (\d+) pfns?$/);
    const batch = m ? `batch of ${m[2]} PFNs` : 'batch of PFNs';
    const queue = m ? `the ${m[1]} queue` : 'its queue';
    return `It hands the ${batch} to the host through ${queue} and waits for the host to acknowledge it.`;
  },
  set_page_pfns: (detail) => {
    const n = pages(detail);
    const which = n === null ? 'each page' : n === 1 ? 'the page' : `each of the ${n} pages`;
    return `It writes the frame number (PFN) of ${which} into the pfns[] array, where the host will read it.`;
  },
  fill_balloon: (detail) => {
    if (detail?.startsWith('Out of puff')) return outOfPuff(detail);
    const want = num(detail, /num=(\d+)/);
    const take = want === null ? BATCH : Math.min(want, BATCH);
    const more =
      want !== null && want > BATCH ? ` The host wants ${want} in all; one batch holds ${BATCH}.` : '';
    return `The driver takes up to ${take} free pages from the guest to put in the balloon.${more}`;
  },
  release_pages_balloon: (detail) => {
    const n = pages(detail);
    const what = n === null ? 'the pages' : n === 1 ? 'the page' : `the ${n} pages`;
    return `Only now that the host has acknowledged does the driver give ${what} back to the guest’s free memory.`;
  },
  leak_balloon: (detail) => {
    const want = num(detail, /num=(\d+)/);
    const take = want === null ? BATCH : Math.min(want, BATCH);
    return `The driver takes up to ${take} pages out of the balloon to give them back to the guest; it tells the host before it uses them.`;
  },
  update_stat: () => 'It writes one statistic, a tag and a 64-bit value, into the stats buffer.',
  update_balloon_stats: () =>
    'The driver gathers the guest’s memory statistics (free and total memory, page faults, swapping) into ' +
    'the stats buffer.',
  stats_request: () =>
    'The host has handed the stats buffer back to ask for fresh statistics; the driver schedules work to ' +
    'answer it.',
  stats_handle_request: () =>
    'The driver refills the stats buffer and puts it back in the stats queue for the host to read.',
  virtballoon_changed: () =>
    'The host has changed the balloon’s target size; the driver schedules work to move towards it.',
  towards_target: () =>
    'The driver reads the host’s target (num_pages) and works out how far the balloon is from it.',
  update_balloon_size: (detail) => {
    const actual = num(detail, /actual=(\d+)/);
    return actual === null
      ? 'The driver writes the balloon’s size (actual) into config space, so the host sees it.'
      : `The driver writes actual = ${actual} into config space, so the host sees the balloon now holds ${formatPages(actual)}.`;
  },
  virtballoon_oom_notify: () =>
    'The guest has run out of memory. If the host allowed it (DEFLATE_ON_OOM), the driver lets up to 256 ' +
    'pages out of the balloon to rescue the guest.',
  update_balloon_stats_func: () => 'A work item runs to answer the host’s request for statistics.',
  update_balloon_size_func: () =>
    'The balloon’s work item runs: it inflates if the balloon is below the target, deflates if it is ' +
    'above, then reports the new size.',
  init_vqs: () =>
    'The driver sets up its virtqueues: inflate and deflate, and the stats queue if the host offered one.',
  virtballoon_migratepage: (detail) => {
    const m = detail?.match(/(\d+) → (\d+)/);
    const [oldPage, newPage] = m ? [`page ${m[1]}`, `page ${m[2]}`] : ['a balloon page', 'a new page'];
    return (
      `Compaction wants to move ${oldPage}: the driver puts ${newPage} into the balloon and tells the host, ` +
      'then takes the old one out and tells the host again.'
    );
  },
  virtballoon_probe: () =>
    'The driver meets the device: it sets up its state and queues, tells the device it is ready, and ' +
    'starts towards the host’s target.',
  remove_common: () =>
    'The driver lets every page out of the balloon, tells the host the final size, and resets the device.',
  virtballoon_remove: () =>
    'The device is being unplugged: the driver stops its work and first gives all ballooned memory back ' +
    'to the guest.',
  virtballoon_freeze: () =>
    'The guest is going to sleep: the driver empties the balloon so the guest keeps all its memory ' +
    'through the suspend.',
  virtballoon_restore: () =>
    'The guest has woken up: the driver sets its queues up again and heads back towards the host’s target.',
  virtballoon_validate: () =>
    'The driver checks the offered features: a balloon cannot work through an IOMMU, so it turns that ' +
    'one off.',
};

/** Moments that are not a function call but deserve a sentence (the sim's timeline markers). */
const EVENTS: Record<string, (detail?: string) => string> = {
  out_of_puff: outOfPuff,
};

const normalise = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[!.]+$/, '')
    .replace(/[\s-]+/g, '_');

export function hasNarration(fn: string): boolean {
  return Object.hasOwn(SENTENCES, fn) || Object.hasOwn(EVENTS, normalise(fn));
}

/** The sentence for a step of the driver: `fn` is a driver function or an event ("Out of puff"). */
export function narrate(fn: string, detail?: string): string {
  if (Object.hasOwn(SENTENCES, fn)) return SENTENCES[fn as DriverFunction](detail);
  const event = normalise(fn);
  if (Object.hasOwn(EVENTS, event)) return EVENTS[event](detail);
  return `The driver runs ${fn}${detail ? ` (${detail})` : ''}.`;
}
