// Feature bits (virtio 1.x §2.2, §5.5.3, §6) as the transport negotiates them: 64-bit, held as bigint.
export const VIRTIO_BALLOON_F_MUST_TELL_HOST = 0;
export const VIRTIO_BALLOON_F_STATS_VQ = 1;
export const VIRTIO_BALLOON_F_DEFLATE_ON_OOM = 2;
export const VIRTIO_BALLOON_F_FREE_PAGE_HINT = 3;
export const VIRTIO_BALLOON_F_PAGE_POISON = 4;
export const VIRTIO_BALLOON_F_REPORTING = 5;
export const VIRTIO_RING_F_INDIRECT_DESC = 28;
export const VIRTIO_RING_F_EVENT_IDX = 29;
export const VIRTIO_F_VERSION_1 = 32;
/** VIRTIO_F_ACCESS_PLATFORM; the seed's era calls it VIRTIO_F_IOMMU_PLATFORM. */
export const VIRTIO_F_IOMMU_PLATFORM = 33;

export const featureNames: Readonly<Record<number, string>> = {
  [VIRTIO_BALLOON_F_MUST_TELL_HOST]: 'MUST_TELL_HOST',
  [VIRTIO_BALLOON_F_STATS_VQ]: 'STATS_VQ',
  [VIRTIO_BALLOON_F_DEFLATE_ON_OOM]: 'DEFLATE_ON_OOM',
  [VIRTIO_BALLOON_F_FREE_PAGE_HINT]: 'FREE_PAGE_HINT',
  [VIRTIO_BALLOON_F_PAGE_POISON]: 'PAGE_POISON',
  [VIRTIO_BALLOON_F_REPORTING]: 'REPORTING',
  [VIRTIO_RING_F_INDIRECT_DESC]: 'INDIRECT_DESC',
  [VIRTIO_RING_F_EVENT_IDX]: 'EVENT_IDX',
  [VIRTIO_F_VERSION_1]: 'VERSION_1',
  [VIRTIO_F_IOMMU_PLATFORM]: 'ACCESS_PLATFORM',
};

export const bit = (b: number): bigint => 1n << BigInt(b);

// hasFeature is asked once or twice a batch (virtio_has_feature in the driver's paths): a bigint AND
// allocates, so the last feature set asked about is kept as two 32-bit halves.
let lastFeatures = 0n;
let lastLo = 0;
let lastHi = 0;
export function hasFeature(features: bigint, b: number): boolean {
  if (features !== lastFeatures) {
    lastFeatures = features;
    lastLo = Number(BigInt.asUintN(32, features));
    lastHi = Number(BigInt.asUintN(32, features >> 32n));
  }
  return b >= 0 && b < 64 && ((b < 32 ? lastLo >>> b : lastHi >>> (b - 32)) & 1) === 1;
}

export function featureList(features: bigint): string[] {
  const out: string[] = [];
  for (let b = 0; b < 64; b++) if (hasFeature(features, b)) out.push(featureNames[b] ?? `bit${b}`);
  return out;
}

/** What the virtio core's split ring supports, offered to every driver (Linux vring_transport_features). */
export const RING_TRANSPORT_FEATURES =
  bit(VIRTIO_RING_F_INDIRECT_DESC) |
  bit(VIRTIO_RING_F_EVENT_IDX) |
  bit(VIRTIO_F_VERSION_1) |
  bit(VIRTIO_F_IOMMU_PLATFORM);

// Device status bits (virtio 1.x §2.1).
export const VIRTIO_CONFIG_S_ACKNOWLEDGE = 1;
export const VIRTIO_CONFIG_S_DRIVER = 2;
export const VIRTIO_CONFIG_S_DRIVER_OK = 4;
export const VIRTIO_CONFIG_S_FEATURES_OK = 8;
export const VIRTIO_CONFIG_S_NEEDS_RESET = 64;
export const VIRTIO_CONFIG_S_FAILED = 128;

export function statusNames(status: number): string[] {
  const names: [number, string][] = [
    [VIRTIO_CONFIG_S_ACKNOWLEDGE, 'ACKNOWLEDGE'],
    [VIRTIO_CONFIG_S_DRIVER, 'DRIVER'],
    [VIRTIO_CONFIG_S_FEATURES_OK, 'FEATURES_OK'],
    [VIRTIO_CONFIG_S_DRIVER_OK, 'DRIVER_OK'],
    [VIRTIO_CONFIG_S_NEEDS_RESET, 'DEVICE_NEEDS_RESET'],
    [VIRTIO_CONFIG_S_FAILED, 'FAILED'],
  ];
  return names.filter(([b]) => (status & b) !== 0).map(([, n]) => n);
}
