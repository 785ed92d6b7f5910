import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bit, featureList, hasFeature, VIRTIO_BALLOON_F_STATS_VQ, VIRTIO_F_VERSION_1 } from './features.ts';

describe('hasFeature', () => {
  it('answers as the bigint test (features & 1 << b) does, for any 64-bit set and bit, one set after another', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: -2, max: 70 })), {
          maxLength: 20,
        }),
        (asks) => {
          for (const [features, b] of asks) {
            const want = b >= 0 && (features & (1n << BigInt(b))) !== 0n;
            expect(hasFeature(features, b)).toBe(want);
          }
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });

  it('reads the high half: VERSION_1 is bit 32', () => {
    const f = bit(VIRTIO_F_VERSION_1) | bit(VIRTIO_BALLOON_F_STATS_VQ);
    expect(hasFeature(f, VIRTIO_F_VERSION_1)).toBe(true);
    expect(hasFeature(f, 0)).toBe(false);
    expect(featureList(f)).toEqual(['STATS_VQ', 'VERSION_1']);
  });
});
