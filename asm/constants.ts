// The core's ABI: numbers shared by the AssemblyScript core (asm/) and its TypeScript face and twin
// (src/core/ imports this very file). Plain numeric constants only, so that both compilers read the
// same values and there is one place to change them. (For TypeScript, u32 and i32 are aliases of
// number: src/core/as-types.d.ts.)

// ── Sizes and limits ────────────────────────────────────────────────────────────────────────────────
export const PAGE_SHIFT: u32 = 12; // VIRTIO_BALLOON_PFN_SHIFT: balloon PFNs always name 4 KiB frames
export const PAGE_SIZE: u32 = 4096;
export const MAX_FRAMES: u32 = 4194304; // 16 GiB of guest RAM in 4 KiB frames
export const MAX_HOST_PAGE_FRAMES: u32 = 512; // 2 MiB host pages
export const MAX_WINDOW_FRAMES: u32 = 65536; // the backed window of guest memory: at most 256 MiB (a real guest's whole RAM)
export const MAX_QUEUES: u32 = 4; // inflateq, deflateq, statsq, and one spare
export const MAX_QUEUE_SIZE: u32 = 32768; // virtio 1.x §2.7: Queue Size is a power of two ≤ 32768
export const MAX_SEGS: u32 = 1024; // QEMU's VIRTQUEUE_MAX_SIZE: scatter-gather entries in one element
// An element's buffers together map at most this much (they may overlap): QEMU would run out of
// resources long before, and it bounds the work one element can cost. Above it: ERR_BAD_GPA.
export const ELEM_MAX_BYTES: u32 = 64 * 1024 * 1024;
export const PFNS_MAX: u32 = 256; // VIRTIO_BALLOON_ARRAY_PFNS_MAX
export const RUN_DESCENDING: u32 = 0x80000000; // pfnEncode: this run of pages counts down
export const STATS_NR: u32 = 10; // QEMU 7.2's VIRTIO_BALLOON_S_NR: tags 0..9 are kept, others ignored
export const STATS_SLOTS: u32 = 16; // room for every tag Linux knows (0..15)
export const STAT_ENTRY_SIZE: u32 = 10; // struct virtio_balloon_stat { le16 tag; le64 val; } (packed)
export const EVENT_CAPACITY: u32 = 4096; // records in the event ring (a power of two)
export const EVENT_SIZE: u32 = 16;
export const DIRTY_CHUNK_SHIFT: u32 = 10; // one dirty byte per 1024 frames (4 MiB of guest memory)
export const SCRATCH_SIZE: u32 = 65536; // caller → core arguments: page lists, scatter-gather lists
export const ELEM_SIZE: u32 = 16384 + 64 + 16; // MAX_SEGS segment records, a bitmap, a stats entry
export const ELEM_PBP: u32 = 16384; // the partly-ballooned-page bitmap (MAX_HOST_PAGE_FRAMES bits)
export const ELEM_STAT_TMP: u32 = 16448; // one stats entry assembled across segments

// ── Guest frame states (one byte per 4 KiB guest-physical frame) ───────────────────────────────────
export const FRAME_FREE: u32 = 0; // on the buddy allocator's free lists
export const FRAME_KERNEL: u32 = 1; // reserved at boot: kernel text, data, page tables
export const FRAME_ANON: u32 = 2; // anonymous memory of a workload
export const FRAME_FILE: u32 = 3; // page cache (clean, reclaimable)
export const FRAME_SHMEM: u32 = 4; // shared memory / tmpfs (reclaimable only to swap)
export const FRAME_BALLOON: u32 = 5; // in the balloon, inflate acknowledged by the host
export const FRAME_INFLATING: u32 = 6; // on an inflate request the host has not acknowledged yet
export const FRAME_DEFLATING: u32 = 7; // on a deflate request the host has not acknowledged yet
export const FRAME_ISOLATED: u32 = 8; // a balloon page isolated by compaction, being migrated
export const FRAME_VIRTIO: u32 = 9; // kernel data the device reads: rings, pfns[], the stats buffer
export const FRAME_STATE_COUNT: u32 = 16;
export const FRAME_KEEP: u32 = 255; // pfnEncode/pfnSetStates: leave the frames' states as they are

// ── Host backing states (one byte per 4 KiB frame, changed in host-page units) ─────────────────────
export const HOST_UNTOUCHED: u32 = 0; // never faulted in: not part of the VM's RSS
export const HOST_RESIDENT: u32 = 1; // backed by host memory
export const HOST_DISCARDED: u32 = 2; // given back by the balloon (MADV_DONTNEED)
export const HOST_WANTED: u32 = 3; // deflated (MADV_WILLNEED): backed again at the guest's next touch
export const HOST_STATE_COUNT: u32 = 4;

// ── Regions of linear memory (argument of layout()) ────────────────────────────────────────────────
export const REGION_CTRL: u32 = 0;
export const REGION_QUEUES: u32 = 1;
export const REGION_EVENTS: u32 = 2;
export const REGION_SCRATCH: u32 = 3;
export const REGION_ELEM: u32 = 4;
export const REGION_FRAMES: u32 = 5;
export const REGION_HOST: u32 = 6;
export const REGION_DIRTY: u32 = 7;
export const REGION_WINDOW: u32 = 8;
export const REGION_COUNT: u32 = 9;

// ── CTRL: global fields (byte offsets, all little-endian u32 unless noted) ─────────────────────────
export const CTRL_SIZE: u32 = 1024;
export const CTRL_RAM_FRAMES: u32 = 0;
export const CTRL_HOST_PAGE_FRAMES: u32 = 4;
export const CTRL_WINDOW_FRAME: u32 = 8; // first frame of the backed window
export const CTRL_WINDOW_FRAMES: u32 = 12;
export const CTRL_DEVICE_STATUS: u32 = 16; // virtio device status bits the core owns (DEVICE_NEEDS_RESET)
export const CTRL_DEVICE_FLAGS: u32 = 20; // DEVICE_F_*
export const CTRL_ERROR_CODE: u32 = 24; // ERR_*: the first device error since the last reset
export const CTRL_ERROR_QUEUE: u32 = 28;
export const CTRL_ERROR_ARG0: u32 = 32;
export const CTRL_ERROR_ARG1: u32 = 36;
export const CTRL_EVENT_MASK: u32 = 40; // bit (1 << EV_*) enables that event kind
export const CTRL_EVENT_HEAD: u32 = 44; // records written (free-running)
export const CTRL_EVENT_TAIL: u32 = 48; // records read by the caller (free-running)
export const CTRL_EVENTS_DROPPED: u32 = 52;
export const CTRL_USED_LEN: u32 = 56; // vqGetBuf: the used length of the returned buffer
export const CTRL_ELEM_OUT: u32 = 60; // vqPop: device-readable segments of the element
export const CTRL_ELEM_IN: u32 = 64; // vqPop: device-writable segments
export const CTRL_ELEM_OUT_BYTES: u32 = 68;
export const CTRL_ELEM_IN_BYTES: u32 = 72;
export const CTRL_ELEM_DESCS: u32 = 76; // descriptors the element used (direct + indirect)
export const CTRL_PFNS_HANDLED: u32 = 80; // balloonHandle: PFNs applied (cumulative)
export const CTRL_PFNS_BAD: u32 = 84; // PFNs outside RAM, skipped (virtio_balloon_bad_addr)
export const CTRL_FRAMES_DISCARDED: u32 = 88; // 4 KiB frames whose backing was discarded
export const CTRL_FRAMES_WANTED: u32 = 92; // 4 KiB frames hinted back (MADV_WILLNEED)
export const CTRL_PBP_DROPPED: u32 = 96; // partly ballooned host pages given up (another host page came)
export const CTRL_STATS_MASK: u32 = 100; // bit t set: tag t has been received since reset
export const CTRL_STATS_UNKNOWN: u32 = 104; // entries with a tag ≥ STATS_NR, ignored
export const CTRL_DRIVER_ERROR: u32 = 108; // DRV_ERR_*: the first driver-side ring error
export const CTRL_STATE_COUNTS: u32 = 128; // u32[FRAME_STATE_COUNT]
export const CTRL_HOST_COUNTS: u32 = 192; // u32[HOST_STATE_COUNT]
export const CTRL_STATS: u32 = 256; // u64[STATS_SLOTS]: the last value of each stats tag

// ── QUEUES: one record per queue ───────────────────────────────────────────────────────────────────
export const QUEUE_RECORD: u32 = 128;
export const Q_SIZE: u32 = 0; // u32: 0 = not set up
export const Q_FEATURES: u32 = 4; // u32: VQ_F_*
export const Q_DESC: u32 = 8; // u32: window offset of the descriptor table
export const Q_AVAIL: u32 = 12; // u32: window offset of the available ring
export const Q_USED: u32 = 16; // u32: window offset of the used ring
export const Q_FREE_HEAD: u32 = 20; // u16 driver: first free descriptor
export const Q_NUM_FREE: u32 = 24; // u32 driver: free descriptors
export const Q_AVAIL_SHADOW: u32 = 28; // u16 driver: the avail idx it last published
export const Q_NUM_ADDED: u32 = 32; // u32 driver: buffers added since the last kick decision
export const Q_LAST_USED: u32 = 36; // u16 driver: used entries consumed
export const Q_AVAIL_FLAGS_SHADOW: u32 = 40; // u16 driver
export const Q_LAST_AVAIL: u32 = 44; // u16 device: available entries consumed
export const Q_USED_IDX: u32 = 48; // u16 device: the used idx it last published
export const Q_INUSE: u32 = 52; // u32 device: popped, not yet pushed
export const Q_SIGNALLED_USED: u32 = 56; // u16 device: used idx at the last interrupt
export const Q_SIGNALLED_VALID: u32 = 60; // u32 device: 0 until the first interrupt decision
export const Q_DRIVER_BROKEN: u32 = 64; // u32 driver: set by a bad used entry (Linux's BAD_RING)
// Driver-private shadow of each descriptor (desc_extra): u16 next, u16 flags, u16 chain length, u16 pad.
export const DESC_EXTRA_SIZE: u32 = 8;

export const VQ_F_EVENT_IDX: u32 = 1; // VIRTIO_RING_F_EVENT_IDX negotiated
export const VQ_F_INDIRECT: u32 = 2; // VIRTIO_RING_F_INDIRECT_DESC negotiated

// ── Split virtqueue layout (virtio 1.x §2.7) ───────────────────────────────────────────────────────
export const DESC_SIZE: u32 = 16; // le64 addr; le32 len; le16 flags; le16 next
export const VRING_DESC_F_NEXT: u32 = 1;
export const VRING_DESC_F_WRITE: u32 = 2;
export const VRING_DESC_F_INDIRECT: u32 = 4;
export const VRING_AVAIL_F_NO_INTERRUPT: u32 = 1;
export const VRING_USED_F_NO_NOTIFY: u32 = 1;

// ── ELEM: the element vqPop took, one record per segment ───────────────────────────────────────────
export const SEG_SIZE: u32 = 16; // u32 window offset; u32 len; u32 flags (VRING_DESC_F_WRITE); u32 pad
// SCRATCH layout of a scatter-gather list for vqAddSgs: le64 gpa; le32 len; le32 pad.
export const SG_SIZE: u32 = 16;

// ── Device errors (QEMU's virtio_error messages in src/core/errors.ts) ─────────────────────────────
export const ERR_NONE: u32 = 0;
export const ERR_AVAIL_JUMP: u32 = 1; // avail.idx moved more than the queue size
export const ERR_VQ_SIZE_EXCEEDED: u32 = 2; // QS elements already in flight
export const ERR_HEAD_OOB: u32 = 3; // head index from the avail ring ≥ QS
export const ERR_NEXT_OOB: u32 = 4; // desc.next ≥ table size
export const ERR_LOOP: u32 = 5; // chain longer than its table
export const ERR_INDIRECT_SIZE: u32 = 6; // indirect table length 0 or not a multiple of 16
export const ERR_INDIRECT_MAP: u32 = 7; // indirect table outside guest memory
export const ERR_INDIRECT_NESTED: u32 = 8; // INDIRECT inside an indirect table
export const ERR_INDIRECT_NEXT: u32 = 9; // INDIRECT together with NEXT
export const ERR_ORDER: u32 = 10; // device-readable after device-writable
export const ERR_ZERO_LEN: u32 = 11; // zero-sized buffer
export const ERR_BAD_GPA: u32 = 12; // buffer outside guest memory
export const ERR_TOO_MANY_SEGS: u32 = 13; // more than MAX_SEGS segments
export const ERR_BALLOON_WRITABLE: u32 = 14; // balloon buffers must be device-readable only
export const ERR_PFN_LEN: u32 = 15; // inflate/deflate segment length not a multiple of 4
export const ERR_COUNT: u32 = 16;

// Driver-side ring errors (Linux's BAD_RING): the driver marks its queue broken.
export const DRV_ERR_NONE: u32 = 0;
export const DRV_ERR_ID_OOB: u32 = 1; // "id %u out of range"
export const DRV_ERR_NOT_HEAD: u32 = 2; // "id %u is not a head!"

// Return codes (negative numbers from functions that otherwise return an index or a count).
export const RC_EMPTY: i32 = -1; // nothing available / no used buffer
export const RC_ERROR: i32 = -2; // a device error was raised by this call (see CTRL_ERROR_*)
export const RC_BROKEN: i32 = -3; // the device needs a reset, or the queue is not set up
export const RC_NO_SPACE: i32 = -4; // driver: not enough free descriptors (-ENOSPC)
export const RC_BAD_ARG: i32 = -5; // an argument out of range: nothing was changed

// Device status bits (virtio 1.x §2.1) and device flags.
export const STATUS_ACKNOWLEDGE: u32 = 1;
export const STATUS_DRIVER: u32 = 2;
export const STATUS_DRIVER_OK: u32 = 4;
export const STATUS_FEATURES_OK: u32 = 8;
export const STATUS_DEVICE_NEEDS_RESET: u32 = 64;
export const STATUS_FAILED: u32 = 128;
export const DEVICE_F_VERSION_1: u32 = 1; // errors set DEVICE_NEEDS_RESET (legacy devices only break)
export const DEVICE_F_BROKEN: u32 = 2; // refuses work until deviceReset

// ── Events (records in the event ring) ────────────────────────────────────────────────────────────
// Record: u8 kind; u8 queue; u16 x; u32 a; u32 b; u32 c.
export const EV_POP: u32 = 1; // x = out segments, a = head, b = in segments, c = descriptors used
export const EV_PUSH: u32 = 2; // a = head, b = used length
export const EV_PFN: u32 = 3; // a = pfn applied by the device (off by default: one per page)
export const EV_BAD_PFN: u32 = 4; // a = pfn outside RAM, skipped
export const EV_DISCARD: u32 = 5; // a = first frame, b = frames: host backing discarded
export const EV_WILLNEED: u32 = 6; // a = first frame, b = frames: host backing hinted back
export const EV_ERROR: u32 = 7; // x = ERR_*, a = arg0, b = arg1
export const EV_STATS: u32 = 8; // a = head, b = entries, c = entries with unknown tags
export const EV_DRIVER_ERROR: u32 = 9; // x = DRV_ERR_*, a = arg
export const EV_PBP_DROP: u32 = 10; // a = first frame of the partly ballooned host page given up
// On by default: everything but the per-page kinds (EV_PFN, EV_DISCARD, EV_WILLNEED), which a 16 GiB
// round trip would turn into millions of records; the frame and host tables show those changes anyway.
export const EVENT_MASK_DEFAULT =
  (1 << EV_POP) |
  (1 << EV_PUSH) |
  (1 << EV_BAD_PFN) |
  (1 << EV_ERROR) |
  (1 << EV_STATS) |
  (1 << EV_DRIVER_ERROR) |
  (1 << EV_PBP_DROP);
