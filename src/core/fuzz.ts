// Differential fuzzing of the core: random guests and random operation sequences, including a buggy
// guest's raw writes into the rings, run on the WebAssembly module and on its TypeScript twin side by
// side. Every call must return the same value and leave the same bytes, and nothing may trap.
// Used by the property test (src/core/differential.test.ts) and by `npm run fuzz`.
import fc from 'fast-check';
import {
  type CoreAbi,
  CTRL_DRIVER_ERROR,
  CTRL_ERROR_CODE,
  CTRL_EVENT_HEAD,
  CTRL_EVENT_TAIL,
  CTRL_SIZE,
  DESC_EXTRA_SIZE,
  DEVICE_F_VERSION_1,
  ELEM_SIZE,
  EVENT_CAPACITY,
  EVENT_SIZE,
  FRAME_KEEP,
  MAX_QUEUE_SIZE,
  MAX_QUEUES,
  PAGE_SIZE,
  QUEUE_RECORD,
  REGION_CTRL,
  REGION_ELEM,
  REGION_EVENTS,
  REGION_QUEUES,
  REGION_SCRATCH,
  REGION_WINDOW,
  SG_SIZE,
  VQ_F_EVENT_IDX,
  VQ_F_INDIRECT,
} from './abi.ts';
import { deviceErrorKind, driverErrors } from './errors.ts';
import {
  availIdx,
  availRingBytes,
  availSlot,
  descAddrHi,
  descAt,
  descFlags,
  descLen,
  descNext,
  descTableBytes,
  usedIdx,
  usedRingBytes,
  usedSlot,
} from './ring-layout.ts';

// ── What a case is made of ─────────────────────────────────────────────────────────────────────────

export interface FuzzSetup {
  ramFrames: number;
  hostPageFrames: number;
  windowFrames: number;
  windowAt: number; // 0..1: where the window sits in RAM
  queues: { size: number; eventIdx: boolean; indirect: boolean }[];
}

/** An address chosen relative to the case's layout, so that op lists do not depend on the setup. */
export type AddrSel =
  | { base: 'pfns' | 'stats' | 'spare' | 'window' | 'ring' | 'edge'; off: number }
  | { base: 'wild'; lo: number; hi: number };

export type Op =
  | { t: 'add'; q: number; at: AddrSel; len: number; write: boolean }
  | {
      t: 'sgs';
      q: number;
      out: number;
      segs: { at: AddrSel; len: number }[];
      indirect: boolean;
      table: AddrSel;
    }
  | { t: 'kick' | 'get' | 'pop' | 'stats' | 'irq'; q: number }
  | { t: 'cb' | 'notify'; q: number; on: boolean }
  | { t: 'push'; q: number; head: number; len: number }
  | { t: 'handle'; q: number; deflate: boolean; max: number }
  | {
      t: 'poke';
      q: number;
      field:
        | 'avail-idx'
        | 'avail-ring'
        | 'desc-flags'
        | 'desc-next'
        | 'desc-len'
        | 'desc-addr'
        | 'used-idx'
        | 'used-id'
        | 'any';
      i: number;
      value: number;
    }
  | { t: 'pfns'; values: number[]; outside: boolean }
  | { t: 'encode'; at: number; runs: [first: number, count: number][]; ppp: number; state: number }
  | { t: 'set-states'; n: number; state: number }
  | { t: 'runs'; n: number }
  | { t: 'frames'; first: number; n: number; state: number }
  | { t: 'touch'; first: number; n: number }
  | { t: 'dirty' | 'drain' }
  | { t: 'long-sgs'; q: number; n: number; loopTo: number }
  | { t: 'republish'; q: number; times: number }
  | { t: 'reset'; version1: boolean; resetup: boolean }
  | { t: 'mask'; mask: number };

// ── Arbitraries ────────────────────────────────────────────────────────────────────────────────────

const qArb = fc.integer({ min: 0, max: 4 }); // 3 and 4: a spare queue that is not set up, and no queue
const u32Arb = fc.integer({ min: 0, max: 0xffffffff });
const lenArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 1, max: 256 }).map((k) => k * 4) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 3, 10, 20, 1022, 4096, 0xffffffff) },
  { weight: 1, arbitrary: u32Arb },
);
const addrArb: fc.Arbitrary<AddrSel> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({ base: fc.constant('pfns' as const), off: fc.integer({ min: 0, max: 255 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      base: fc.constantFrom(
        'stats' as const,
        'spare' as const,
        'window' as const,
        'ring' as const,
        'edge' as const,
      ),
      off: fc.nat(1 << 24),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      base: fc.constant('wild' as const),
      lo: u32Arb,
      hi: fc.oneof(fc.constantFrom(0, 0, 1, 3, 4), u32Arb),
    }),
  },
);

export const setupArb: fc.Arbitrary<FuzzSetup> = fc
  .record({
    ramExp: fc.integer({ min: 9, max: 14 }),
    hpf: fc.constantFrom(1, 1, 1, 16, 512),
    windowFrames: fc.integer({ min: 1, max: 8 }),
    windowAt: fc.double({ min: 0, max: 1, noNaN: true }),
    queues: fc.array(
      fc.record({
        size: fc.constantFrom(1, 1, 2, 2, 4, 8, 8, 16, 64, 256),
        eventIdx: fc.boolean(),
        indirect: fc.boolean(),
      }),
      { minLength: 3, maxLength: 3 },
    ),
  })
  .map(({ ramExp, hpf, windowFrames, windowAt, queues }) => ({
    ramFrames: 1 << ramExp,
    hostPageFrames: hpf,
    windowFrames,
    windowAt,
    queues,
  }));

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('add' as const),
      q: qArb,
      at: addrArb,
      len: lenArb,
      write: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('sgs' as const),
      q: qArb,
      out: fc.integer({ min: 0, max: 4 }),
      segs: fc.array(fc.record({ at: addrArb, len: lenArb }), { minLength: 0, maxLength: 6 }),
      indirect: fc.boolean(),
      table: addrArb,
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      t: fc.constantFrom('kick' as const, 'get' as const, 'pop' as const, 'stats' as const, 'irq' as const),
      q: qArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constantFrom('cb' as const, 'notify' as const), q: qArb, on: fc.boolean() }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('push' as const),
      q: qArb,
      head: fc.oneof(fc.integer({ min: 0, max: 8 }), u32Arb),
      len: lenArb,
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('handle' as const),
      q: qArb,
      deflate: fc.boolean(),
      max: fc.oneof(fc.integer({ min: 0, max: 4 }), u32Arb),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('poke' as const),
      q: fc.integer({ min: 0, max: 2 }),
      field: fc.constantFrom(
        'avail-idx' as const,
        'avail-ring' as const,
        'desc-flags' as const,
        'desc-next' as const,
        'desc-len' as const,
        'desc-addr' as const,
        'used-idx' as const,
        'used-id' as const,
        'any' as const,
      ),
      i: fc.nat(300),
      value: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 0xffff }), u32Arb),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('pfns' as const),
      values: fc.array(u32Arb, { maxLength: 64 }),
      outside: fc.boolean(),
    }),
  },
  {
    // Runs of consecutive PFNs, up or down, as the allocator hands out (the cores' word-at-a-time
    // paths), up to and past the end of RAM, the u32 wrap and across dirty chunks, with a stray PFN
    // between runs now and then.
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('pfns' as const),
      values: fc
        .array(
          fc.tuple(
            fc.oneof(fc.nat(1 << 16), fc.integer({ min: 0xffffff00, max: 0xffffffff })),
            fc.integer({ min: 1, max: 300 }),
            fc.boolean(),
            fc.boolean(),
          ),
          { maxLength: 4 },
        )
        .map((runs) =>
          runs
            .flatMap(([first, n, stray, down]) => [
              ...Array.from({ length: n }, (_, k) => (down ? first - k : first + k) >>> 0),
              ...(stray ? [first ^ 0x55] : []),
            ])
            .slice(0, 256),
        ),
      outside: fc.constant(true),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('encode' as const),
      at: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(255, 256, 257)),
      runs: fc.array(
        fc.tuple(
          u32Arb,
          fc.oneof(
            fc.integer({ min: 0, max: 20 }),
            fc.constantFrom(256, 257, 0xffffffff),
            // RUN_DESCENDING (asm/constants.ts): a run that counts down
            fc.integer({ min: 1, max: 256 }).map((n) => (0x80000000 | n) >>> 0),
          ),
        ),
        {
          maxLength: 12,
        },
      ),
      ppp: fc.constantFrom(1, 4, 16, 3, 0, 32),
      state: fc.constantFrom(0, 5, 6, 7, 15, 16, FRAME_KEEP),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('set-states' as const),
      n: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(256, 257)),
      state: fc.constantFrom(0, 5, 9, 16),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('runs' as const),
      n: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(256, 1024, 8192, 8193, 0xffff_ffff)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('frames' as const),
      first: fc.nat(1 << 15),
      n: fc.nat(5000),
      state: fc.integer({ min: 0, max: 17 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('touch' as const), first: fc.nat(1 << 15), n: fc.nat(5000) }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constantFrom('dirty' as const, 'drain' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('republish' as const),
      q: fc.integer({ min: 0, max: 2 }),
      times: fc.integer({ min: 1, max: 9 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant('reset' as const), version1: fc.boolean(), resetup: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('long-sgs' as const),
      q: fc.integer({ min: 0, max: 2 }),
      n: fc.oneof(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1020, max: 1100 })),
      loopTo: fc.integer({ min: -1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('mask' as const),
      mask: fc.oneof(fc.constant(0xffffffff), u32Arb),
    }),
  },
);

// ── Running a case on both implementations ─────────────────────────────────────────────────────────

interface Layout {
  windowGpa: number;
  windowSize: number;
  rings: { desc: number; avail: number; used: number; size: number }[];
  pfns: number;
  stats: number;
  spare: number;
}

function planLayout(s: FuzzSetup): Layout {
  const windowFrame = Math.min(s.ramFrames - s.windowFrames, Math.floor(s.windowAt * s.ramFrames));
  const windowGpa = windowFrame * PAGE_SIZE;
  const windowSize = s.windowFrames * PAGE_SIZE;
  // The three parts, plus slack for aligning the used ring (4) and the next queue (16).
  const spaceFor = (size: number) => descTableBytes(size) + availRingBytes(size) + usedRingBytes(size) + 36;
  const reserved = 1024 + 256 + 1024; // pfns, stats, spare
  let off = 0;
  const rings = s.queues.map((q) => {
    let size = q.size;
    while (size > 1 && off + spaceFor(size) + reserved > windowSize) size >>= 1;
    const desc = off;
    const avail = desc + descTableBytes(size);
    const used = (avail + availRingBytes(size) + 3) & ~3;
    off = (used + usedRingBytes(size) + 15) & ~15;
    return { desc: windowGpa + desc, avail: windowGpa + avail, used: windowGpa + used, size };
  });
  return {
    windowGpa,
    windowSize,
    rings,
    pfns: windowGpa + off,
    stats: windowGpa + off + 1024,
    spare: windowGpa + off + 1280,
  };
}

function resolve(a: AddrSel, l: Layout): [lo: number, hi: number] {
  let gpa: number;
  switch (a.base) {
    case 'wild':
      return [a.lo >>> 0, a.hi >>> 0];
    case 'pfns':
      gpa = l.pfns + (a.off % 256) * 4;
      break;
    case 'stats':
      gpa = l.stats + (a.off % 256);
      break;
    case 'spare':
      gpa = l.spare + (a.off % 1024);
      break;
    case 'ring':
      gpa = l.rings[a.off % 3].desc + (a.off % 64);
      break;
    case 'edge':
      gpa = l.windowGpa + l.windowSize - (a.off % 40);
      break;
    default:
      gpa = l.windowGpa + (a.off % l.windowSize);
  }
  return [gpa % 2 ** 32, Math.floor(gpa / 2 ** 32)];
}

function setupQueues(c: CoreAbi, s: FuzzSetup, l: Layout): void {
  l.rings.forEach((r, q) => {
    const f = (s.queues[q].eventIdx ? VQ_F_EVENT_IDX : 0) | (s.queues[q].indirect ? VQ_F_INDIRECT : 0);
    const half = (g: number): [number, number] => [g % 2 ** 32, Math.floor(g / 2 ** 32)];
    c.vqSetup(q, r.size, ...half(r.desc), ...half(r.avail), ...half(r.used), f);
  });
}

function dv(c: CoreAbi): DataView {
  return new DataView(c.memory.buffer);
}

/** Applies one op; returns what the call returned (all ABI results are numbers). */
function apply(c: CoreAbi, op: Op, s: FuzzSetup, l: Layout): number {
  const d = dv(c);
  const win = (gpa: number) => c.layout(REGION_WINDOW) + (gpa - l.windowGpa);
  switch (op.t) {
    case 'add': {
      const [lo, hi] = resolve(op.at, l);
      return c.vqAddBuf(op.q, lo, hi, op.len, op.write ? 1 : 0);
    }
    case 'sgs': {
      const scratch = c.layout(REGION_SCRATCH);
      op.segs.forEach((sg, k) => {
        const [lo, hi] = resolve(sg.at, l);
        d.setUint32(scratch + k * SG_SIZE, lo, true);
        d.setUint32(scratch + k * SG_SIZE + 4, hi, true);
        d.setUint32(scratch + k * SG_SIZE + 8, sg.len >>> 0, true);
      });
      const out = Math.min(op.out, op.segs.length);
      const [tl, th] = resolve(op.table, l);
      return c.vqAddSgs(op.q, out, op.segs.length - out, tl, th, op.indirect ? 1 : 0);
    }
    case 'kick':
      return c.vqKickPrepare(op.q);
    case 'get':
      return c.vqGetBuf(op.q);
    case 'pop':
      return c.vqPop(op.q);
    case 'stats':
      return c.statsPop(op.q);
    case 'irq':
      return c.vqNeedInterrupt(op.q);
    case 'cb':
      return c.vqSetCallbacks(op.q, op.on ? 1 : 0);
    case 'notify':
      c.vqSetNotification(op.q, op.on ? 1 : 0);
      return 0;
    case 'push':
      return c.vqPush(op.q, op.head, op.len);
    case 'handle':
      return c.balloonHandle(op.q, op.deflate ? 1 : 0, op.max);
    case 'poke': {
      const r = l.rings[op.q];
      const i = op.i % r.size;
      const v = op.value;
      switch (op.field) {
        case 'avail-idx':
          d.setUint16(
            win(availIdx(r.avail)),
            (d.getUint16(win(availIdx(r.avail)), true) + (v % 12) - 2) & 0xffff,
            true,
          );
          break;
        case 'avail-ring':
          d.setUint16(win(availSlot(r.avail, i)), v % 4 === 0 ? v & 0xffff : v % r.size, true);
          break;
        case 'desc-flags':
          d.setUint16(win(descFlags(descAt(r.desc, i))), v & 7, true);
          break;
        case 'desc-next':
          d.setUint16(win(descNext(descAt(r.desc, i))), v % 4 === 0 ? v & 0xffff : v % r.size, true);
          break;
        case 'desc-len':
          d.setUint32(win(descLen(descAt(r.desc, i))), v >>> 0, true);
          break;
        case 'desc-addr':
          d.setUint32(win(v & 1 ? descAddrHi(descAt(r.desc, i)) : descAt(r.desc, i)), v >>> 0, true);
          break;
        case 'used-idx':
          d.setUint16(
            win(usedIdx(r.used)),
            (d.getUint16(win(usedIdx(r.used)), true) + (v % 5)) & 0xffff,
            true,
          );
          break;
        case 'used-id':
          d.setUint32(win(usedSlot(r.used, i)), v % 3 === 0 ? v >>> 0 : v % r.size, true);
          break;
        default:
          d.setUint8(win(l.windowGpa + ((op.i * 7919 + v) % l.windowSize)), v & 0xff);
      }
      return 0;
    }
    case 'pfns':
      op.values.forEach((v, k) => {
        d.setUint32(win(l.pfns + k * 4), op.outside ? v >>> 0 : v % s.ramFrames, true);
      });
      return 0;
    case 'encode': {
      const scratch = c.layout(REGION_SCRATCH);
      op.runs.forEach(([first, count], k) => {
        d.setUint32(
          scratch + k * 8,
          first % 3 === 0 ? first >>> 0 : first % Math.max(1, s.ramFrames / 4),
          true,
        );
        d.setUint32(scratch + k * 8 + 4, count >>> 0, true);
      });
      const [lo, hi] = resolve({ base: 'pfns', off: 0 }, l);
      return c.pfnEncode(op.at, op.runs.length, op.ppp, lo, hi, op.state);
    }
    case 'set-states': {
      const [lo, hi] = resolve({ base: 'pfns', off: 0 }, l);
      return c.pfnSetStates(op.n, lo, hi, op.state);
    }
    case 'runs': {
      const [lo, hi] = resolve({ base: 'pfns', off: 0 }, l);
      return c.pfnRuns(op.n, lo, hi);
    }
    case 'frames':
      return c.frameSetRange(op.first % (s.ramFrames + 8), op.n, op.state);
    case 'touch':
      return c.hostTouch(op.first % (s.ramFrames + 8), op.n);
    case 'dirty':
      c.dirtyClear();
      return 0;
    case 'drain': {
      const ctrl = c.layout(REGION_CTRL);
      d.setUint32(ctrl + CTRL_EVENT_TAIL, d.getUint32(ctrl + CTRL_EVENT_HEAD, true), true);
      return 0;
    }
    case 'long-sgs': {
      // A long indirect chain at the start of the window (over whatever lies there); loopTo ≥ 0 makes
      // its last entry point back into it.
      const scratch = c.layout(REGION_SCRATCH);
      const [plo, phi] = resolve({ base: 'pfns', off: 0 }, l);
      for (let k = 0; k < op.n; k++) {
        d.setUint32(scratch + k * SG_SIZE, plo, true);
        d.setUint32(scratch + k * SG_SIZE + 4, phi, true);
        d.setUint32(scratch + k * SG_SIZE + 8, 4, true);
      }
      const [tlo, thi] = resolve({ base: 'window', off: 0 }, l);
      const head = c.vqAddSgs(op.q, op.n, 0, tlo, thi, 1);
      if (head >= 0 && op.loopTo >= 0 && l.windowSize >= descTableBytes(op.n)) {
        const last = win(descAt(l.windowGpa, op.n - 1));
        d.setUint16(descFlags(last), 1, true);
        d.setUint16(descNext(last), op.loopTo, true);
      }
      return head;
    }
    case 'republish': {
      // A buggy driver makes the last head available again, without adding anything.
      const r = l.rings[op.q];
      for (let k = 0; k < op.times; k++) {
        const idx = d.getUint16(win(availIdx(r.avail)), true);
        const prev = d.getUint16(win(availSlot(r.avail, (idx - 1) & (r.size - 1))), true);
        d.setUint16(win(availSlot(r.avail, idx & (r.size - 1))), prev, true);
        d.setUint16(win(availIdx(r.avail)), (idx + 1) & 0xffff, true);
        c.vqPop(op.q);
      }
      return 0;
    }
    case 'reset':
      c.deviceReset(op.version1 ? DEVICE_F_VERSION_1 : 0);
      if (op.resetup) setupQueues(c, s, l);
      return 0;
    case 'mask': {
      d.setUint32(c.layout(REGION_CTRL) + 40, op.mask >>> 0, true);
      return 0;
    }
  }
}

/** The bytes that must agree after every op: CTRL, queue records, the popped element, the window. */
function quickRegions(l: Layout): [region: number, offset: number, len: number][] {
  return [
    [REGION_CTRL, 0, CTRL_SIZE],
    [REGION_QUEUES, 0, MAX_QUEUES * QUEUE_RECORD],
    [REGION_ELEM, 0, ELEM_SIZE],
    [REGION_WINDOW, 0, l.windowSize],
  ];
}

function firstDifference(a: CoreAbi, b: CoreAbi, regions: [number, number, number][]): string | null {
  for (const [region, off, len] of regions) {
    const pa = a.layout(region) + off;
    const pb = b.layout(region) + off;
    const x = new Uint8Array(a.memory.buffer, pa, len);
    const y = new Uint8Array(b.memory.buffer, pb, len);
    if (Buffer.compare(x, y) !== 0) {
      const i = x.findIndex((v, k) => v !== y[k]);
      return `region ${region} byte ${off + i}: wasm ${x[i]} vs twin ${y[i]}`;
    }
  }
  return null;
}

/** Everything the core owns, compared once at the end of a case. */
function fullRegions(s: FuzzSetup, l: Layout, a: CoreAbi): [number, number, number][] {
  const ctrl = a.layout(REGION_CTRL);
  const end = a.layout(REGION_WINDOW) + l.windowSize;
  void s;
  return [
    [REGION_CTRL, 0, end - ctrl],
    [REGION_EVENTS, 0, EVENT_CAPACITY * EVENT_SIZE],
    [REGION_QUEUES, MAX_QUEUES * QUEUE_RECORD, MAX_QUEUES * MAX_QUEUE_SIZE * DESC_EXTRA_SIZE],
  ];
}

export interface CaseOutcome {
  /** Null when both agreed throughout. */
  failure: string | null;
  /** Device error names raised in this case, and driver error names. */
  errors: string[];
}

export interface CorePair {
  wasm: CoreAbi;
  twin: CoreAbi;
}

export function runCase(pair: CorePair, s: FuzzSetup, ops: readonly Op[]): CaseOutcome {
  const { wasm, twin } = pair;
  const l = planLayout(s);
  const windowFrame = l.windowGpa / PAGE_SIZE;
  const errors: string[] = [];
  for (const c of [wasm, twin]) {
    if (c.init(s.ramFrames, s.hostPageFrames, windowFrame, s.windowFrames) !== 0) {
      return { failure: `init refused a valid setup: ${JSON.stringify(s)}`, errors };
    }
    setupQueues(c, s, l);
  }
  let lastError = 0;
  let lastDriverError = 0;
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k];
    let ra: number;
    let rb: number;
    try {
      ra = apply(wasm, op, s, l);
    } catch (e) {
      return { failure: `op ${k} ${JSON.stringify(op)}: the wasm module trapped: ${String(e)}`, errors };
    }
    try {
      rb = apply(twin, op, s, l);
    } catch (e) {
      return { failure: `op ${k} ${JSON.stringify(op)}: the twin threw: ${String(e)}`, errors };
    }
    if (ra !== rb)
      return { failure: `op ${k} ${JSON.stringify(op)}: wasm returned ${ra}, twin ${rb}`, errors };
    const diff = firstDifference(wasm, twin, quickRegions(l));
    if (diff) return { failure: `op ${k} ${JSON.stringify(op)}: memory differs at ${diff}`, errors };
    const code = wasm.ctrlRead(CTRL_ERROR_CODE);
    if (code !== lastError && code !== 0) {
      const kind = deviceErrorKind(code);
      if (!kind)
        return { failure: `op ${k} ${JSON.stringify(op)}: unnamed device error code ${code}`, errors };
      errors.push(kind.name);
    }
    lastError = code;
    const drv = wasm.ctrlRead(CTRL_DRIVER_ERROR);
    if (drv !== lastDriverError && drv !== 0) {
      const kind = driverErrors[drv];
      if (!kind) return { failure: `op ${k}: unnamed driver error code ${drv}`, errors };
      errors.push(`driver:${kind.name}`);
    }
    lastDriverError = drv;
  }
  const diff = firstDifference(wasm, twin, fullRegions(s, l, wasm));
  if (diff) return { failure: `after ${ops.length} ops: memory differs at ${diff}`, errors };
  return { failure: null, errors };
}

export const caseArb = fc.tuple(setupArb, fc.array(opArb, { minLength: 1, maxLength: 80, size: 'max' }));
