// Branded units: a 4 KiB balloon PFN, a kernel page number, a guest-physical address and a byte
// count are all numbers, and mixing them up is the classic balloon bug (16 KiB and 64 KiB guests send
// several PFNs per kernel page). The brands make the compiler catch it.

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A 4 KiB guest-physical frame number: what the balloon protocol sends (VIRTIO_BALLOON_PFN_SHIFT). */
export type Pfn = Brand<number, 'Pfn'>;
/** A kernel page number in the guest's own page size (4, 16 or 64 KiB). */
export type KernelPage = Brand<number, 'KernelPage'>;
/** A guest-physical address in bytes (< 2^53 here: guests are at most 16 GiB). */
export type Gpa = Brand<number, 'Gpa'>;
/** A descriptor index in a virtqueue's table. */
export type DescIdx = Brand<number, 'DescIdx'>;
/** A size in bytes. */
export type Bytes = Brand<number, 'Bytes'>;

export const asPfn = (n: number) => n as Pfn;
export const asGpa = (n: number) => n as Gpa;
export const asKernelPage = (n: number) => n as KernelPage;

export const pfnToGpa = (pfn: Pfn): Gpa => (pfn * 4096) as Gpa;
export const gpaToPfn = (gpa: Gpa): Pfn => Math.floor(gpa / 4096) as Pfn;

/** A guest-physical address as the two u32 halves the core's ABI takes. */
export function gpaHalves(gpa: Gpa): [lo: number, hi: number] {
  return [gpa % 2 ** 32, Math.floor(gpa / 2 ** 32)];
}
