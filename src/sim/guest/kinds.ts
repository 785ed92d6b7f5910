// What the kernel thinks each page is (its view of struct page's flags and mapping), one byte a page.
// The core's frame table shows the same thing to the UI and the host; checkInvariants compares them.
import {
  FRAME_ANON,
  FRAME_BALLOON,
  FRAME_DEFLATING,
  FRAME_FILE,
  FRAME_FREE,
  FRAME_INFLATING,
  FRAME_ISOLATED,
  FRAME_KERNEL,
  FRAME_SHMEM,
  FRAME_VIRTIO,
} from '../../core/abi.ts';

/** On the buddy allocator's free lists. */
export const K_FREE = 0;
/** Reserved at boot: kernel image and memmap. */
export const K_KERNEL = 1;
/** Reserved at boot: the window of kernel data the device reads. */
export const K_VIRTIO = 2;
/** Workload memory, on an LRU list, owned by a workload. */
export const K_ANON = 3;
export const K_FILE = 4;
export const K_SHMEM = 5;
/** Held by the balloon driver: from balloonPageAlloc or a migration target, until putPage. */
export const K_BALLOON = 6;
/** A balloon page compaction isolated (off the balloon list) to migrate it. */
export const K_ISOLATED = 7;
/** An isolated balloon page whose driver reference is gone (put_page in migratepage): freed after migration. */
export const K_ISOLATED_PUT = 8;
/** Allocated by the kernel while it booted (slab, stacks, page tables, the initramfs' files): never freed. */
export const K_SLAB = 9;
export const KIND_COUNT = 10;

export const kindNames = [
  'free',
  'kernel',
  'virtio',
  'anon',
  'file',
  'shmem',
  'balloon',
  'isolated',
  'isolated-put',
  'kernel (allocated)',
] as const;

// The LRU lists and the balloon list, after the buddy allocator's 11 free lists in one PageLists.
export const LIST_BUDDY = 0;
/** Page cache: reclaim drops these first (they are clean). */
export const LIST_LRU_FILE = 11;
/** Swap-backed pages, anon and shmem alike (Linux keeps shmem on the anon LRU). */
export const LIST_LRU_ANON = 12;
export const LIST_BALLOON = 13;
export const LIST_COUNT = 14;

const bit = (s: number) => 1 << s;

/**
 * The frame states each kind may show, as a bit set. Balloon pages move through the states the driver
 * gives them (INFLATING until the host acks, BALLOON, DEFLATING before it tells the host); an isolated
 * page shows ISOLATED until migratepage tells the host to deflate it.
 */
export const allowedFrameStates: readonly number[] = [
  bit(FRAME_FREE),
  bit(FRAME_KERNEL),
  bit(FRAME_VIRTIO),
  bit(FRAME_ANON),
  bit(FRAME_FILE),
  bit(FRAME_SHMEM),
  bit(FRAME_INFLATING) | bit(FRAME_BALLOON) | bit(FRAME_DEFLATING),
  bit(FRAME_ISOLATED) | bit(FRAME_DEFLATING),
  bit(FRAME_ISOLATED) | bit(FRAME_DEFLATING),
  bit(FRAME_KERNEL),
];

/** The frame state a workload page of this kind shows. */
export function lruFrameState(kind: number): number {
  return kind === K_ANON ? FRAME_ANON : kind === K_FILE ? FRAME_FILE : FRAME_SHMEM;
}
