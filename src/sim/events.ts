// What happened in the machine, as typed events on one bus: the driver, the guest kernel and the
// device emit them where the thing happens (at the same virtual time, in the same order as the trace
// line or log line that records it); the observer (timeline, series), the summary, the narration and
// lessons listen. Nobody reads the kernel log to find out what happened.

/** Each event's data, by type. Every event also carries `type` and `us` (virtual time). */
export interface SimEventData {
  // ── The device (QEMU) ──
  /** virtio_balloon_to_target: QMP balloon set num_pages (the target, in 4 KiB pages). */
  target: { targetBytes: number; numPages: number };
  /** qom-set guest-stats-polling-interval changed the period (seconds; 0: off). */
  'stats-interval': { seconds: number };
  /** The device popped a buffer from a queue (virtqueue_pop): `pfns` is 0 for a stats buffer. */
  'buffer-popped': { queue: QueueName; head: number; pfns: number };
  /** The device put a buffer on the used ring and notified the guest (virtio_notify). */
  'used-push': { queue: QueueName };
  /** virtio_balloon_set_config: the guest wrote `actual` (4 KiB pages). */
  actual: { actual: number; old: number };
  /** The guest's stats arrived: guest-stats changed. */
  'stats-received': Record<never, never>;
  /** The device refused a buffer (virtio_error) and needs a reset. */
  'device-error': { kind: string; message: string; queue: number };
  /** A warning QEMU prints on its stderr. */
  warning: { message: string };
  // ── The driver ──
  /** fill_balloon could not get a page: "Out of puff!", then msleep. */
  'out-of-puff': { pages: number };
  /** virtballoon_oom_notify ran; it deflates only when DEFLATE_ON_OOM was negotiated. */
  'oom-notify': { deflates: boolean };
  // ── The guest kernel ──
  /** out_of_memory chose a victim ("Out of memory: Kill process …"). */
  oom: { pid: number; name: string; text: string };
  /** The OOM killer killed it ("Killed process …"). */
  'oom-kill': { pid: number; name: string; text: string };
  /** Compaction moved a balloon page (BALLOON_MIGRATE): kernel pages. */
  migration: { from: number; to: number };
}

export type QueueName = 'inflate' | 'deflate' | 'stats';
export type SimEventType = keyof SimEventData;
export type SimEventOf<K extends SimEventType> = { type: K; us: number } & SimEventData[K];
export type SimEvent = { [K in SimEventType]: SimEventOf<K> }[SimEventType];

type Listener = (e: SimEvent) => void;

/** A small synchronous observer: listeners run at emit(), in the order they subscribed. */
export class EventBus {
  // Listener arrays are replaced, never changed in place: emit() walks the array it found, and a
  // listener that subscribes or unsubscribes meanwhile changes the next emit, not this one.
  private readonly byType = new Map<SimEventType, Listener[]>();
  private any: Listener[] = [];

  constructor(private readonly now: () => number) {}

  on<K extends SimEventType>(type: K, fn: (e: SimEventOf<K>) => void): () => void {
    this.byType.set(type, [...(this.byType.get(type) ?? []), fn as Listener]);
    return () => this.byType.set(type, without(this.byType.get(type) ?? [], fn as Listener));
  }

  onAny(fn: (e: SimEvent) => void): () => void {
    this.any = [...this.any, fn];
    return () => {
      this.any = without(this.any, fn);
    };
  }

  emit<K extends SimEventType>(type: K, data: SimEventData[K]): void {
    const list = this.byType.get(type);
    const any = this.any;
    if (!list?.length && any.length === 0) return;
    const e = { type, us: this.now(), ...data } as SimEvent;
    if (list) for (let i = 0; i < list.length; i++) list[i](e);
    for (let i = 0; i < any.length; i++) any[i](e);
  }
}

/** The list without the first `fn` in it (a new array). */
function without(list: Listener[], fn: Listener): Listener[] {
  const i = list.indexOf(fn);
  return i < 0 ? list : [...list.slice(0, i), ...list.slice(i + 1)];
}
