// The whole machine's invariants, across the kernel, the driver, the device and the core: the
// balloon's page count agrees with the frame table, and the host discards only what was ballooned.
// The kernel's own invariants are in guest/invariants.ts. Tests and the soak call these; the app never
// does, so they stay out of its bundle.
import {
  FRAME_BALLOON,
  FRAME_DEFLATING,
  FRAME_INFLATING,
  FRAME_ISOLATED,
  HOST_DISCARDED,
} from '../core/abi.ts';
import type { BalloonCore } from '../core/core.ts';
import type { VirtioBalloon } from './driver/virtio_balloon.ts';
import { checkInvariants } from './guest/invariants.ts';
import type { GuestKernel } from './guest/kernel.ts';
import type { BalloonDevice } from './host/balloon-device.ts';
import type { Scenario } from './scenario.ts';

export interface Machine {
  readonly scenario: Scenario;
  readonly core: BalloonCore;
  readonly kernel: GuestKernel;
  readonly vb: VirtioBalloon;
  readonly device: BalloonDevice;
}

/** What is wrong with the state right now (empty when every invariant holds). */
export function machineInvariants(sim: Machine): string[] {
  const problems = checkInvariants(sim.kernel, { pagesInHand: 0 });
  const { core, vb } = sim;
  const ppp = sim.scenario.guest.pageKiB / 4;
  const inBalloon =
    core.stateCount(FRAME_BALLOON) +
    core.stateCount(FRAME_INFLATING) +
    core.stateCount(FRAME_DEFLATING) +
    core.stateCount(FRAME_ISOLATED);
  // num_pages counts pages on the list; a deflate in flight has taken its pages off already.
  const listed =
    inBalloon - core.stateCount(FRAME_DEFLATING) - core.stateCount(FRAME_ISOLATED) - vb.pagesInHand * ppp;
  // Compaction isolates up to 32 balloon pages at a time (off the list, still counted); a page inside
  // migratepage may have its new page on the list already while the old one is still isolated.
  const isolated = core.stateCount(FRAME_ISOLATED);
  const inMigration = sim.kernel.migrating * ppp;
  if (vb.num_pages !== listed + isolated && vb.num_pages !== listed + isolated - inMigration) {
    problems.push(
      `num_pages ${vb.num_pages} ≠ balloon pages on the list × PAGES_PER_PAGE (${listed} frames)`,
    );
  }
  if (vb.num_pages % ppp !== 0)
    problems.push(`num_pages ${vb.num_pages} is not a whole number of kernel pages`);
  if (sim.device.actual > vb.num_pages && vb.num_pfns === 0) {
    problems.push(`actual ${sim.device.actual} above num_pages ${vb.num_pages}`);
  }
  // The host discards only what the guest ballooned (with 4 KiB host pages, exactly that).
  if (core.hostPageFrames === 1) {
    const discarded = core.hostCounts()[HOST_DISCARDED];
    const hidden = new Set(vb.clobberedPfns);
    let notBalloon = 0;
    for (let f = 0; f < core.ramFrames; f++) {
      if (core.host[f] === HOST_DISCARDED && !hidden.has(f)) {
        const s = core.frames[f];
        if (s !== FRAME_BALLOON && s !== FRAME_INFLATING && s !== FRAME_DEFLATING && s !== FRAME_ISOLATED)
          notBalloon++;
      }
    }
    if (notBalloon > 0)
      problems.push(`${notBalloon} of ${discarded} discarded frames are in use by the guest`);
  }
  return problems;
}
