// The one module that touches v86's insides (docs/real-guest.md, "The seam into v86"). v86 0.5's
// release build keeps its own property names; everything below is one of them, so an upgrade that
// renames one fails here, by name (v86-seam.test.ts), and nowhere else.

/** A split virtqueue as v86 keeps it: the addresses the driver wrote through the common config. */
export interface V86Queue {
  size: number;
  enabled: boolean;
  desc_addr: number;
  avail_addr: number;
  used_addr: number;
}

/** v86's virtio-PCI device (src/virtio.js): what Balloon Lab's device uses of it. */
export interface V86VirtIO {
  queues: V86Queue[];
  device_status: number;
  raise_irq(type: number): void;
  notify_config_changes(): void;
  needs_reset(): void;
  is_feature_negotiated(bit: number): boolean;
  get_state(): unknown[];
  set_state(state: unknown[]): void;
}

/** v86's CPU: guest RAM (guest-physical address = index) and the device table. */
export interface V86Cpu {
  mem8: Uint8Array;
  devices: Record<string, { virtio?: V86VirtIO } | undefined>;
}

/** One field of a device's config space: v86 calls read/write on a guest access. */
export interface V86ConfigField {
  bytes: 1 | 2 | 4;
  name: string;
  read(): number;
  write(value: number): void;
}

export interface BalloonSeamOptions {
  /** Feature bits offered (VERSION_1, 32, is required by v86's transport). */
  features: number[];
  queueSizes: number[];
  onNotify(queue: number): void;
  onDriverOk(): void;
  config: V86ConfigField[];
}

/** VIRTIO_PCI_ISR_QUEUE: raise_irq's "a queue has used buffers". */
export const ISR_QUEUE = 1;

export function cpuOf(emulator: unknown): V86Cpu {
  const cpu = (emulator as { v86?: { cpu?: V86Cpu } }).v86?.cpu;
  if (!cpu?.mem8 || !cpu.devices) throw new Error('v86: emulator.v86.cpu (mem8, devices) not found');
  return cpu;
}

/**
 * v86's VirtIO class, taken from a virtio device the emulator made (its virtio console: the emulator
 * must be created with `virtio_console: true`). v86 exports no such class.
 */
function virtioClass(cpu: V86Cpu): new (cpu: V86Cpu, options: unknown) => V86VirtIO {
  const made = cpu.devices.virtio_console?.virtio;
  if (!made) throw new Error('v86: no virtio device to take the VirtIO class from (virtio_console: true)');
  for (const name of [
    'queues',
    'raise_irq',
    'notify_config_changes',
    'needs_reset',
    'get_state',
    'set_state',
  ] as const) {
    if (!(name in made)) throw new Error(`v86: VirtIO has no "${name}" (v86 changed?)`);
  }
  return made.constructor as new (
    cpu: V86Cpu,
    options: unknown,
  ) => V86VirtIO;
}

/**
 * Registers a virtio-balloon device with v86's PCI bus, in the slot and ports v86's own balloon would
 * use (create the emulator with `virtio_balloon: false`, before the BIOS runs).
 */
export function createBalloon(cpu: V86Cpu, o: BalloonSeamOptions): V86VirtIO {
  const VirtIO = virtioClass(cpu);
  if (cpu.devices.virtio_balloon) throw new Error('v86: its own balloon is there (virtio_balloon: false)');
  return new VirtIO(cpu, {
    name: 'virtio-balloon',
    pci_id: 0x58, // 00:0b.0, v86's balloon slot
    device_id: 0x1045,
    subsystem_device_id: 5,
    common: {
      initial_port: 0xd800,
      queues: o.queueSizes.map((size, i) => ({ size_supported: size, notify_offset: i })),
      features: o.features,
      on_driver_ok: () => o.onDriverOk(),
    },
    notification: {
      initial_port: 0xd900,
      single_handler: false,
      // One notify register a queue (notify_offset i), so the handler knows its queue.
      handlers: o.queueSizes.map((_, i) => () => o.onNotify(i)),
    },
    isr_status: { initial_port: 0xd700 },
    device_specific: { initial_port: 0xd600, struct: o.config },
  });
}

/** What Balloon Lab's device keeps, as v86's state code saves it: arrays, numbers and typed arrays. */
export interface StateCarried {
  readonly virtio: V86VirtIO;
  saveState(): unknown[];
  restoreState(s: unknown[]): void;
}

/**
 * v86's save_state and restore_state go through cpu.devices.virtio_balloon (state slot 84) when it is
 * there: put an object there that saves the transport (v86's VirtIO) and the device beside it. Its
 * own balloon is absent (virtio_balloon: false), so the slot is free.
 */
export function carryState(cpu: V86Cpu, device: StateCarried): void {
  (cpu.devices as Record<string, unknown>).virtio_balloon = new StateCarrier(device);
}

// A class, not an object literal: v86's state code logs every plain object it is handed.
class StateCarrier {
  constructor(private readonly device: StateCarried) {}
  get_state(): unknown[] {
    return [this.device.virtio, ...this.device.saveState()];
  }
  set_state(s: unknown[]): void {
    this.device.virtio.set_state(s[0] as unknown[]);
    this.device.restoreState(s.slice(1));
  }
}
