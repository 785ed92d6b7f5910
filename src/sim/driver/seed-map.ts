// Where each ported function stands in the seed (../shared/seed/virtio_balloon.readable.c, Linux
// 4.15/4.16 drivers/virtio/virtio_balloon.c): first and last line. The driver view shows the port with
// these numbers beside it, and a test holds them against the seed file.
export const SEED_FUNCTIONS = {
  page_to_balloon_pfn: [98, 105],
  balloon_ack: [107, 112],
  tell_host: [114, 128],
  set_page_pfns: [130, 142],
  fill_balloon: [144, 192],
  release_pages_balloon: [194, 206],
  leak_balloon: [208, 242],
  update_stat: [244, 250],
  update_balloon_stats: [254, 295],
  stats_request: [297, 305],
  stats_handle_request: [307, 321],
  virtballoon_changed: [323, 332],
  towards_target: [334, 348],
  update_balloon_size: [350, 359],
  virtballoon_oom_notify: [375, 392],
  update_balloon_stats_func: [394, 401],
  update_balloon_size_func: [403, 420],
  init_vqs: [422, 458],
  virtballoon_migratepage: [479, 520],
  virtballoon_probe: [541, 611],
  remove_common: [613, 624],
  virtballoon_remove: [626, 646],
  virtballoon_freeze: [649, 659],
  virtballoon_restore: [661, 677],
  virtballoon_validate: [679, 683],
} as const satisfies Record<string, readonly [number, number]>;

export type DriverFunction = keyof typeof SEED_FUNCTIONS;
export const DRIVER_FUNCTIONS = Object.keys(SEED_FUNCTIONS) as DriverFunction[];
