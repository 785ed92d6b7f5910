// The virtio transport between the guest's driver and the host's device (virtio-pci, as QEMU exposes
// it): device status, feature negotiation, the device-specific config space, queue setup, kicks and
// interrupts. Both sides call it; it holds what the registers would hold.
//
// Timing: a kick reaches the device kickUs after the guest's write (the VM exit), an interrupt reaches
// the guest interruptUs after the device raised it.
import type { BalloonCore } from '../../core/core.ts';
import type { Costs } from '../costs.ts';
import type { Scheduler } from '../sched.ts';
import {
  hasFeature,
  VIRTIO_CONFIG_S_DRIVER_OK,
  VIRTIO_CONFIG_S_FEATURES_OK,
  VIRTIO_CONFIG_S_NEEDS_RESET,
  VIRTIO_F_VERSION_1,
} from './features.ts';

/** What the transport needs from the device model (QEMU's VirtioDeviceClass hooks). */
export interface DeviceModel {
  /** Features the device offers (host_features). */
  readonly hostFeatures: bigint;
  /** The guest is about to read the config space: refresh it (virtio_balloon_get_config). */
  getConfig(config: DataView): void;
  /** The guest wrote the config space (virtio_balloon_set_config). */
  setConfig(config: DataView): void;
  /** The guest kicked queue q (the queue's handle_output). */
  handleOutput(q: number): void;
  /** The driver wrote the status register. */
  setStatus(status: number): void;
  /** Device reset (status 0 written). */
  reset(): void;
}

/** What the transport needs from the driver side (the virtio core's interrupt handlers). */
export interface DriverSide {
  configChanged(): void;
  vringInterrupt(q: number): void;
}

export const BALLOON_CONFIG_SIZE = 8; // le32 num_pages; le32 actual (virtio 1.x §5.5.4)

export class VirtioTransport {
  private driverStatus = 0;
  /** Features the driver wrote to the device (QEMU's guest_features; cleared by a reset). */
  guestFeatures = 0n;
  /** The driver's own record of what it negotiated (Linux's vdev->features; survives a reset). */
  driverFeatures = 0n;
  readonly config = new DataView(new ArrayBuffer(BALLOON_CONFIG_SIZE));
  driver: DriverSide | null = null;
  device!: DeviceModel;

  constructor(
    private readonly sched: Scheduler,
    private readonly core: BalloonCore,
    private readonly costs: Costs,
  ) {}

  // ── Guest side: virtio_config_ops ──────────────────────────────────────────────────────────────

  /** Status as the driver reads it: its own bits plus DEVICE_NEEDS_RESET when the device is broken. */
  getStatus(): number {
    return this.driverStatus | (this.core.deviceStatus & VIRTIO_CONFIG_S_NEEDS_RESET);
  }

  setStatus(status: number): void {
    if (status === 0) {
      this.reset();
      return;
    }
    // FEATURES_OK sticks only if the device accepts the features (modern devices).
    if (status & VIRTIO_CONFIG_S_FEATURES_OK && (this.guestFeatures & ~this.device.hostFeatures) !== 0n) {
      status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
    }
    this.driverStatus = status;
    this.device.setStatus(status);
  }

  reset(): void {
    this.driverStatus = 0;
    this.guestFeatures = 0n;
    // The core sets DEVICE_NEEDS_RESET on an error only for a VERSION_1 device, as virtio_error does
    // (QEMU asks the negotiated features; a driver negotiates VERSION_1 exactly when it is offered).
    this.core.resetDevice(hasFeature(this.device.hostFeatures, VIRTIO_F_VERSION_1));
    this.device.reset();
  }

  getFeatures(): bigint {
    return this.device.hostFeatures;
  }

  /** virtio_finalize_features: the driver's features, written to the device. */
  setGuestFeatures(features: bigint): void {
    this.guestFeatures = features;
    this.driverFeatures = features;
    this.driverBits = Number(features & 0xffffffffn);
    this.driverBitsHi = Number(features >> 32n);
  }

  private driverBits = 0;
  private driverBitsHi = 0;

  /** virtio_has_feature on the driver's side, without BigInt (it sits on per-page paths). */
  driverHas(b: number): boolean {
    return b < 32 ? ((this.driverBits >>> b) & 1) === 1 : ((this.driverBitsHi >>> (b - 32)) & 1) === 1;
  }

  isModern(): boolean {
    return hasFeature(this.driverFeatures, VIRTIO_F_VERSION_1);
  }

  /**
   * virtio_cread32 of the device-specific config space (always little-endian for the balloon). A
   * modern device is read with one 32-bit access; a legacy one byte by byte (virtio_pci_legacy's
   * vp_get: ioread8 per byte), and QEMU refreshes the config (get_config) on every access.
   */
  cread32(offset: number): number {
    if (!this.legacyDevice) {
      this.device.getConfig(this.config);
      return this.config.getUint32(offset, true);
    }
    let value = 0;
    for (let i = 0; i < 4; i++) {
      this.device.getConfig(this.config);
      value += this.config.getUint8(offset + i) * 2 ** (8 * i);
    }
    return value;
  }

  /**
   * virtio_cwrite32: one 32-bit access on a modern device; byte by byte on a legacy one (vp_set:
   * iowrite8 per byte), each byte a set_config of its own, so the device sees three values in between.
   */
  cwrite32(offset: number, value: number): void {
    if (!this.legacyDevice) {
      this.config.setUint32(offset, value >>> 0, true);
      this.device.setConfig(this.config);
      return;
    }
    for (let i = 0; i < 4; i++) {
      this.config.setUint8(offset + i, (value >>> (8 * i)) & 0xff);
      this.device.setConfig(this.config);
    }
  }

  /** A device without VERSION_1 (legacy only: the driver uses virtio_pci_legacy). */
  private get legacyDevice(): boolean {
    return !hasFeature(this.device.hostFeatures, VIRTIO_F_VERSION_1);
  }

  /**
   * vp_notify: the guest's write to the notify register exits to QEMU, which runs the queue's handler
   * there and then, before the vCPU resumes (that is why, in a real trace, the stats buffer primed by
   * init_vqs is popped before the probe's first config read). QEMU does not wait for DRIVER_OK.
   */
  notify(q: number): void {
    this.device.handleOutput(q);
  }

  // ── Device side ────────────────────────────────────────────────────────────────────────────────

  /** virtio_notify_config: the config-change interrupt. */
  notifyConfig(): void {
    if (!(this.driverStatus & VIRTIO_CONFIG_S_DRIVER_OK)) return;
    this.sched.after(this.costs.interruptUs, () => this.driver?.configChanged());
  }

  /** virtio_notify: a used-buffer interrupt, unless the driver suppressed it. */
  notifyQueue(q: number): void {
    if (!this.core.needInterrupt(q)) return;
    this.sched.after(this.costs.interruptUs, () => this.driver?.vringInterrupt(q));
  }
}
