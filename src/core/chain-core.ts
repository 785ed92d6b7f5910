// BalloonCore with the driver-side operations the simulation's own driver never uses: chains of
// several buffers and indirect tables (addSgs), interrupt suppression (setCallbacks,
// setNotification) and the core's event log (eventMask, drainEvents). The core does all of them; they
// live in this subclass so that the app, whose driver puts one buffer at a time, does not ship them.
// The core's tests, the fuzzer and the inspector's tests use it.
import {
  CTRL_EVENT_HEAD,
  CTRL_EVENT_MASK,
  CTRL_EVENT_TAIL,
  EVENT_CAPACITY,
  EVENT_SIZE,
  SCRATCH_SIZE,
  SG_SIZE,
} from './abi.ts';
import { BalloonCore, CoreArgumentError, type CoreEvent, type Segment } from './core.ts';
import { asGpa, type Gpa, gpaHalves } from './units.ts';
import { instantiateWasmCore } from './wasm.ts';

export class ChainCore extends BalloonCore {
  static override fromWasm(module: WebAssembly.Module): ChainCore {
    return new ChainCore(instantiateWasmCore(module));
  }

  /** Which events the core records (EV_* bits). */
  set eventMask(mask: number) {
    this.ctrlView.setUint32(CTRL_EVENT_MASK, mask >>> 0, true);
  }
  get eventMask(): number {
    return this.ctrl(CTRL_EVENT_MASK);
  }

  /** Calls visit for each event the core recorded since the last drain; returns how many. */
  drainEvents(visit: (e: CoreEvent) => void): number {
    let tail = this.ctrl(CTRL_EVENT_TAIL);
    const head = this.ctrl(CTRL_EVENT_HEAD);
    let n = 0;
    while (tail !== head) {
      const p = (tail & (EVENT_CAPACITY - 1)) * EVENT_SIZE;
      const ev = this.events;
      visit({
        kind: ev.getUint8(p),
        queue: ev.getUint8(p + 1),
        x: ev.getUint16(p + 2, true),
        a: ev.getUint32(p + 4, true),
        b: ev.getUint32(p + 8, true),
        c: ev.getUint32(p + 12, true),
      });
      tail = (tail + 1) >>> 0;
      n++;
    }
    this.ctrlView.setUint32(CTRL_EVENT_TAIL, tail, true);
    return n;
  }

  /** Adds a chain (readable buffers first); through an indirect table at `table` if given. */
  addSgs(q: number, out: readonly Segment[], inBufs: readonly Segment[], table?: Gpa): number {
    const all = [...out, ...inBufs];
    if (!(all.length > 0 && all.length <= SCRATCH_SIZE / SG_SIZE))
      throw new CoreArgumentError('addSgs: 1 to 4096 buffers');
    all.forEach((s, k) => {
      const [lo, hi] = gpaHalves(s.gpa);
      this.scratch.setUint32(k * SG_SIZE, lo, true);
      this.scratch.setUint32(k * SG_SIZE + 4, hi, true);
      this.scratch.setUint32(k * SG_SIZE + 8, s.len >>> 0, true);
      this.scratch.setUint32(k * SG_SIZE + 12, 0, true);
    });
    const [tl, th] = gpaHalves(table ?? asGpa(0));
    return this.abi.vqAddSgs(q, out.length, inBufs.length, tl, th, table === undefined ? 0 : 1);
  }

  /** virtqueue_enable_cb / disable_cb: whether the device may interrupt for used buffers. */
  setCallbacks(q: number, enable: boolean): boolean {
    return this.abi.vqSetCallbacks(q, enable ? 1 : 0) !== 0;
  }

  /** The device side: whether it wants kicks (VRING_USED_F_NO_NOTIFY / avail_event). */
  setNotification(q: number, enable: boolean): void {
    this.abi.vqSetNotification(q, enable ? 1 : 0);
  }
}
