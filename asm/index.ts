// Balloon Lab's WebAssembly core: the byte-exact parts of virtio-balloon.
// Every export is a plain number-in, number-out function; see src/core/ for the typed face.

/**
 * vring_need_event (virtio 1.x §2.7.10, "used_event"/"avail_event" suppression):
 * with VIRTIO_F_EVENT_IDX a side notifies only when it moves its index from `old` to `newIdx`
 * past the other side's event index. All three are free-running u16 indices.
 */
export function needEvent(event: u32, newIdx: u32, old: u32): bool {
  return <u16>(newIdx - event - 1) < <u16>(newIdx - old);
}
