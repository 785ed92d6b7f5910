// Events out of the core, for the visualisation: a ring of 16-byte records in linear memory that the
// caller drains after each call (no host call per event, no polling of copies).
//
//   ┌────────┬────────┬─────────────┬──────────────┬──────────────┬──────────────┐
//   │ 0 kind │ 1 queue│ 2..3 x (u16)│ 4..7 a (u32) │ 8..11 b (u32)│ 12..15 c(u32)│
//   └────────┴────────┴─────────────┴──────────────┴──────────────┴──────────────┘
//
// CTRL_EVENT_HEAD counts records written, CTRL_EVENT_TAIL records the caller has read; both run
// freely. When the ring is full a new record is dropped and counted, never overwriting unread ones.

import {
  CTRL_EVENT_HEAD,
  CTRL_EVENT_MASK,
  CTRL_EVENT_TAIL,
  CTRL_EVENTS_DROPPED,
  EVENT_CAPACITY,
  EVENT_SIZE,
} from './constants';
import { ctrlAdd, ctrlGet, ctrlSet, events } from './memory';

@inline export function wants(kind: u32): bool {
  return (ctrlGet(CTRL_EVENT_MASK) & (1 << kind)) != 0;
}

export function emit(kind: u32, queue: u32, x: u32, a: u32, b: u32, c: u32): void {
  if (!wants(kind)) return;
  const head = ctrlGet(CTRL_EVENT_HEAD);
  if (head - ctrlGet(CTRL_EVENT_TAIL) >= EVENT_CAPACITY) {
    ctrlAdd(CTRL_EVENTS_DROPPED, 1);
    return;
  }
  const p = events + <usize>((head & (EVENT_CAPACITY - 1)) * EVENT_SIZE);
  store<u8>(p, <u8>kind);
  store<u8>(p, <u8>queue, 1);
  store<u16>(p, <u16>x, 2);
  store<u32>(p, a, 4);
  store<u32>(p, b, 8);
  store<u32>(p, c, 12);
  ctrlSet(CTRL_EVENT_HEAD, head + 1);
}
