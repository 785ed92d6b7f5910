// Power management and hot-unplug, as the guest's PM core and virtio core run them around the
// driver: suspend (freeze the freezable workqueue, then the driver), resume (reset, renegotiate, the
// driver's restore, thaw), and removing the device.
import type { VirtioBalloon } from './driver/virtio_balloon.ts';
import { type Scheduler, type Task, WaitQueue, type Workqueue, waitEvent } from './sched.ts';
import { VIRTIO_CONFIG_S_ACKNOWLEDGE } from './virtio/features.ts';
import type { VirtioTransport } from './virtio/transport.ts';

export class PowerManagement {
  /** Suspended (from the freeze step until resume has run). */
  frozen = false;
  /** The device was removed; it does not come back. */
  unplugged = false;
  private suspending = false;
  private readonly pm = new WaitQueue('pm');

  constructor(
    private readonly sched: Scheduler,
    private readonly transport: VirtioTransport,
    private readonly vb: VirtioBalloon,
    private readonly wq: Workqueue,
  ) {}

  /** The freeze step: the balloon gives everything back. */
  freeze(): void {
    this.frozen = true;
    this.sched.spawn('pm: freeze', this.suspend());
  }

  /** The restore step: after any suspend still in progress. */
  restore(): void {
    this.sched.spawn('pm: restore', this.resume());
  }

  /** The unplug step: the driver deflates and lets go. */
  unplug(): void {
    this.unplugged = true;
    this.sched.spawn('unplug', this.remove());
  }

  /** The PM core freezes the freezable workqueue (letting running work finish), then the driver. */
  private *suspend(): Task {
    this.suspending = true;
    yield* this.wq.freezeSync([this.vb.update_balloon_size_work, this.vb.update_balloon_stats_work]);
    yield* this.vb.virtballoon_freeze();
    this.suspending = false;
    this.sched.wakeUp(this.pm);
  }

  /** Resume waits for a suspend still in progress: the PM core never runs the two at once. */
  private *resume(): Task {
    yield* waitEvent(this.pm, () => !this.suspending);
    this.frozen = false;
    this.deviceRestore();
  }

  /** virtio_device_restore: reset, renegotiate, then the driver's restore; the workqueue thaws. */
  private deviceRestore(): void {
    const t = this.transport;
    const features = t.driverFeatures;
    t.reset();
    t.setStatus(VIRTIO_CONFIG_S_ACKNOWLEDGE);
    t.setStatus(t.getStatus() | 2);
    t.setGuestFeatures(features);
    if (t.isModern()) t.setStatus(t.getStatus() | 8);
    this.vb.virtballoon_restore();
    this.wq.thaw([this.vb.update_balloon_size_work, this.vb.update_balloon_stats_work]);
  }

  private *remove(): Task {
    yield* this.vb.virtballoon_remove();
    // virtio_dev_remove: the driver reset the device; acknowledge its existence again.
    this.transport.setStatus(VIRTIO_CONFIG_S_ACKNOWLEDGE);
    // The guest let go of the device: QEMU unrealizes it.
    this.onRemoved?.();
  }

  /** Called once the guest has let go of an unplugged device (the simulation unrealizes it). */
  onRemoved: (() => void) | null = null;
}
