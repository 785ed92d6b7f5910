// The raw ABI of the core: exactly the exports of asm/index.ts, as JavaScript sees them (booleans as
// 0/1, u32 results wrapped to i32). The WebAssembly module and its TypeScript twin both implement it;
// the typed face (core.ts) works over either.

export * from '../../asm/constants.ts';

export interface CoreAbi {
  readonly memory: { readonly buffer: ArrayBuffer };
  init(nFrames: number, hostPageFrames: number, windowFrame: number, windowFrames: number): number;
  layout(region: number): number;
  ctrlRead(field: number): number;
  dirtyClear(): void;
  frameSetRange(first: number, n: number, state: number): number;
  stateCount(state: number): number;
  hostTouch(first: number, n: number): number;
  hostCount(state: number): number;
  needEvent(event: number, newIdx: number, old: number): number;
  deviceReset(flags: number): void;
  vqSetup(
    q: number,
    size: number,
    descLo: number,
    descHi: number,
    availLo: number,
    availHi: number,
    usedLo: number,
    usedHi: number,
    features: number,
  ): number;
  vqAddBuf(q: number, lo: number, hi: number, len: number, write: number): number;
  vqAddSgs(
    q: number,
    outNum: number,
    inNum: number,
    tableLo: number,
    tableHi: number,
    indirect: number,
  ): number;
  vqKickPrepare(q: number): number;
  vqGetBuf(q: number): number;
  vqSetCallbacks(q: number, enable: number): number;
  vqPop(q: number): number;
  vqPush(q: number, head: number, len: number): number;
  vqNeedInterrupt(q: number): number;
  vqSetNotification(q: number, enable: number): void;
  vqPending(q: number): number;
  pfnEncode(at: number, nRuns: number, pagesPerPage: number, lo: number, hi: number, state: number): number;
  pfnSetStates(n: number, lo: number, hi: number, state: number): number;
  pfnRuns(n: number, lo: number, hi: number): number;
  balloonHandle(q: number, deflate: number, maxElems: number): number;
  statsPop(q: number): number;
}

/** The names of every ABI function, for tests that drive both implementations alike. */
export const abiFunctions = [
  'init',
  'layout',
  'ctrlRead',
  'dirtyClear',
  'frameSetRange',
  'stateCount',
  'hostTouch',
  'hostCount',
  'needEvent',
  'deviceReset',
  'vqSetup',
  'vqAddBuf',
  'vqAddSgs',
  'vqKickPrepare',
  'vqGetBuf',
  'vqSetCallbacks',
  'vqPop',
  'vqPush',
  'vqNeedInterrupt',
  'vqSetNotification',
  'vqPending',
  'pfnEncode',
  'pfnSetStates',
  'pfnRuns',
  'balloonHandle',
  'statsPop',
] as const satisfies readonly (keyof CoreAbi)[];
