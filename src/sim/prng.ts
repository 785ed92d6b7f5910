// The simulation's only source of randomness: sfc32 (Chris Doty-Humphrey's "Small Fast Chaotic"
// generator from PractRand), seeded through splitmix32. Both need only 32-bit integer operations, which
// JavaScript does exactly (`Math.imul`, `| 0`, `>>> 0`), so a seed gives the same stream in Node and in
// every browser.
//
// The whole state is four u32 numbers in a plain object. It lives inside the simulation's state, so a
// snapshot (structuredClone, JSON) saves it and a restored run draws exactly the numbers the original
// would have drawn next (boardgame.io keeps its PRNG state the same way).

export interface PrngState {
  a: number;
  b: number;
  c: number;
  /** sfc32's counter: guarantees a period of at least 2^32 whatever the other words hold. */
  d: number;
}

const GOLDEN_GAMMA = 0x9e3779b9;
// sfc32's authors discard the first outputs so that similar seeds give unrelated streams.
const WARM_UP_ROUNDS = 12;

/** A generator seeded from a 32-bit integer (scenario `seed`: 0 … 2^32 − 1). */
export function createPrng(seed: number): PrngState {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError(`PRNG seed must be an integer in 0 … 2^32 − 1, got ${seed}`);
  }
  // splitmix32 spreads one seed word over three state words with good avalanche.
  let x = seed | 0;
  const mix = (): number => {
    x = (x + GOLDEN_GAMMA) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const state: PrngState = { a: mix(), b: mix(), c: mix(), d: 1 };
  for (let i = 0; i < WARM_UP_ROUNDS; i++) nextU32(state);
  return state;
}

/** The next 32-bit unsigned integer; advances `state`. */
export function nextU32(state: PrngState): number {
  const { a, b, c, d } = state;
  const t = (((a + b) | 0) + d) | 0;
  state.d = (d + 1) >>> 0;
  state.a = (b ^ (b >>> 9)) >>> 0;
  state.b = (c + (c << 3)) >>> 0;
  const rotated = (c << 21) | (c >>> 11);
  state.c = (rotated + t) >>> 0;
  return t >>> 0;
}

/** A float in [0, 1) with 32 random bits. */
export function nextFloat(state: PrngState): number {
  return nextU32(state) / 0x1_0000_0000;
}

/**
 * An integer in [lo, hiExclusive), every value equally likely: draws that fall in the short last
 * stretch of the 2^32 range are drawn again instead of being folded in by `%` (which would favour
 * small values).
 */
export function nextInt(state: PrngState, lo: number, hiExclusive: number): number {
  const range = hiExclusive - lo;
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hiExclusive) || range < 1 || range > 0x1_0000_0000) {
    throw new RangeError(`nextInt: [${lo}, ${hiExclusive}) is not a range of 1 … 2^32 integers`);
  }
  const limit = 0x1_0000_0000 - (0x1_0000_0000 % range);
  for (;;) {
    const r = nextU32(state);
    if (r < limit) return lo + (r % range);
  }
}

/** A copy of the state for a snapshot; the generator goes on independently of it. */
export function savePrng(state: PrngState): PrngState {
  return { a: state.a, b: state.b, c: state.c, d: state.d };
}

/** A generator that continues exactly where the saved one stood. Refuses a state that is not four u32s. */
export function restorePrng(saved: PrngState): PrngState {
  for (const word of [saved.a, saved.b, saved.c, saved.d]) {
    if (!Number.isInteger(word) || word < 0 || word > 0xffff_ffff) {
      throw new RangeError(`restorePrng: state words must be u32 integers, got ${word}`);
    }
  }
  return savePrng(saved);
}
