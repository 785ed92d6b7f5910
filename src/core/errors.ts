// What each device error means, in QEMU's words where QEMU has them (hw/virtio/virtio.c,
// virtio_error), so that a trace or a message can be held against a real QEMU log.
import {
  DRV_ERR_ID_OOB,
  DRV_ERR_NOT_HEAD,
  ERR_AVAIL_JUMP,
  ERR_BAD_GPA,
  ERR_BALLOON_WRITABLE,
  ERR_COUNT,
  ERR_HEAD_OOB,
  ERR_INDIRECT_MAP,
  ERR_INDIRECT_NESTED,
  ERR_INDIRECT_NEXT,
  ERR_INDIRECT_SIZE,
  ERR_LOOP,
  ERR_NEXT_OOB,
  ERR_ORDER,
  ERR_PFN_LEN,
  ERR_TOO_MANY_SEGS,
  ERR_VQ_SIZE_EXCEEDED,
  ERR_ZERO_LEN,
} from './abi.ts';

export interface DeviceErrorKind {
  /** Stable name, used in traces (`balloonlab_device_error kind=…`) and scenario faults. */
  readonly name: string;
  /** The message with its arguments filled in. */
  format(arg0: number, arg1: number): string;
  /** True when the message is QEMU's own wording; false for checks QEMU does not make. */
  readonly qemu: boolean;
  /** False for a code the core no longer raises (kept so the ABI's numbers do not move). */
  readonly raised?: false;
}

const hex64 = (lo: number, hi: number) =>
  `0x${(BigInt(hi >>> 0) * 2n ** 32n + BigInt(lo >>> 0)).toString(16)}`;

export const deviceErrors: Readonly<Record<number, DeviceErrorKind>> = {
  [ERR_AVAIL_JUMP]: {
    name: 'avail-jump',
    // QEMU's own wording says "used index" although it is the avail index that moved.
    format: (from, to) => `Guest moved used index from ${from} to ${to}`,
    qemu: true,
    // The rule: virtio 1.x §2.7.6: avail.idx may run at most Queue Size ahead of the device
  },
  [ERR_VQ_SIZE_EXCEEDED]: {
    name: 'size-exceeded',
    format: () => 'Virtqueue size exceeded',
    qemu: true,
    // The rule: no more than Queue Size buffers in flight
  },
  [ERR_HEAD_OOB]: {
    name: 'head-oob',
    format: (head) => `Guest says index ${head} is available`,
    qemu: true,
    // The rule: avail.ring[] entries name a descriptor below Queue Size
  },
  [ERR_NEXT_OOB]: {
    name: 'next-oob',
    format: (next) => `Desc next is ${next}`,
    qemu: true,
    // The rule: virtio 1.x §2.7.5: desc.next names a descriptor of the same table
  },
  [ERR_LOOP]: {
    name: 'loop',
    format: () => 'Looped descriptor',
    qemu: true,
    // The rule: virtio 1.x §2.7.5.2: a chain is never longer than its table
  },
  [ERR_INDIRECT_SIZE]: {
    name: 'indirect-bad-size',
    format: () => 'Invalid size for indirect buffer table',
    qemu: true,
    // The rule: virtio 1.x §2.7.5.3: an indirect table is a non-empty array of 16-byte descriptors
  },
  [ERR_INDIRECT_MAP]: {
    name: 'indirect-map',
    format: () => 'Cannot map indirect buffer',
    qemu: true,
    // The rule: the indirect table lies in guest memory
  },
  [ERR_INDIRECT_NESTED]: {
    name: 'indirect-nested',
    format: (i) => `Nested indirect descriptor (entry ${i} of an indirect table has INDIRECT)`,
    qemu: false,
    // The rule: virtio 1.x §2.7.5.3.1: the driver MUST NOT set INDIRECT within an indirect table
  },
  [ERR_INDIRECT_NEXT]: {
    name: 'indirect-next',
    format: (i) => `Descriptor ${i} has both INDIRECT and NEXT`,
    qemu: false,
    // The rule: virtio 1.x §2.7.5.3.1: the driver MUST NOT set both INDIRECT and NEXT
  },
  [ERR_ORDER]: {
    name: 'order',
    format: () => 'Incorrect order for descriptors',
    qemu: true,
    // The rule: virtio 1.x §2.7.4.2: device-readable descriptors come before device-writable ones
  },
  [ERR_ZERO_LEN]: {
    name: 'zero-len',
    format: () => 'virtio: zero sized buffers are not allowed',
    qemu: true,
    // The rule: every buffer has a length
  },
  [ERR_BAD_GPA]: {
    name: 'bad-gpa',
    format: (lo, hi) => `virtio: bogus descriptor or out of resources (addr ${hex64(lo, hi)})`,
    qemu: true,
    // The rule: a buffer lies inside guest memory the device can map
  },
  [ERR_TOO_MANY_SEGS]: {
    name: 'too-many-segs',
    format: () => 'virtio: too many write descriptors in indirect table',
    qemu: true,
    // The rule: QEMU maps at most VIRTQUEUE_MAX_SIZE (1024) buffers per element (QEMU's wording)
  },
  // The next two are never raised: QEMU ignores a device-writable balloon buffer and the trailing
  // bytes short of a PFN (virtio_balloon_handle_output reads the readable buffers 4 bytes at a time),
  // and so does the core. The codes stay so that the ABI's numbers do not move.
  [ERR_BALLOON_WRITABLE]: {
    name: 'balloon-writable',
    format: (head) => `Balloon buffer ${head} is device-writable; balloon buffers are driver→device only`,
    qemu: false,
    // The rule: virtio 1.x §5.5.6: inflateq, deflateq and statsq buffers are device-readable (not raised: QEMU ignores them)
    raised: false,
  },
  [ERR_PFN_LEN]: {
    name: 'pfn-len',
    format: (head, len) => `Balloon buffer ${head} is ${len} bytes, not a whole number of 4-byte PFNs`,
    qemu: false,
    // The rule: virtio 1.x §5.5.6: PFNs are 32-bit (not raised: QEMU ignores the trailing bytes)
    raised: false,
  },
};

/** Every device error kind has a name and message: the fuzzer checks no code escapes this table. */
export function deviceErrorKind(code: number): DeviceErrorKind | undefined {
  return code > 0 && code < ERR_COUNT ? deviceErrors[code] : undefined;
}

export const driverErrors: Readonly<Record<number, { name: string; format(id: number): string }>> = {
  // Linux virtio_ring.c, BAD_RING()
  [DRV_ERR_ID_OOB]: { name: 'id-oob', format: (id) => `id ${id} out of range` },
  [DRV_ERR_NOT_HEAD]: { name: 'not-head', format: (id) => `id ${id} is not a head!` },
};
