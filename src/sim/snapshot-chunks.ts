// The big arrays of a snapshot (the kernel's per-page arrays, the core's linear memory), copied in
// chunks that consecutive snapshots share wherever the data did not change. A 16 GiB guest has about
// 65 MB of them; between two snapshots a few percent change, so each snapshot after the first costs a
// few megabytes and a few milliseconds.
//
// Which chunks changed: the per-page arrays say so themselves (PageLists.changed, set by every write);
// linear memory is compared with the base snapshot's copy, 4 KiB at a time (10 MB for 16 GiB).

/** The typed arrays a snapshot copies in chunks. */
export type ChunkData = Uint8Array | Int8Array | Uint16Array | Int32Array;

/** A copy of one chunk of an array, shared by every snapshot that holds the same bytes there. */
export interface Chunk {
  readonly data: ChunkData;
  /** Snapshots holding it; its bytes are counted while this is above 0. */
  refs: number;
}

/** Bytes of linear memory per compared chunk. */
export const MEMORY_CHUNK_BYTES = 1 << 12;

/** Keeps count of the bytes the chunks hold, so that a checkpoint store can stay under a cap. */
export class ChunkPool {
  /** Bytes held by chunks some snapshot refers to. */
  bytes = 0;

  private fresh(data: ChunkData): Chunk {
    this.bytes += data.byteLength;
    return { data, refs: 1 };
  }

  private share(c: Chunk): Chunk {
    c.refs++;
    return c;
  }

  /** A snapshot let go of these chunks. */
  release(chunks: readonly Chunk[]): void {
    for (const c of chunks) {
      c.refs--;
      if (c.refs === 0) this.bytes -= c.data.byteLength;
    }
  }

  /**
   * `live` in chunks of 2^shift entries: a new copy of each chunk `changed` marks, or of every chunk
   * when there is no base; the base's copy of the others.
   */
  copyMarked(live: ChunkData, shift: number, changed: Uint8Array, base: readonly Chunk[] | null): Chunk[] {
    const size = 1 << shift;
    const n = Math.ceil(live.length / size);
    const out = new Array<Chunk>(n);
    for (let j = 0; j < n; j++) {
      if (base && changed[j] === 0) out[j] = this.share(base[j]);
      else out[j] = this.fresh(live.slice(j * size, Math.min(live.length, (j + 1) * size)));
    }
    return out;
  }

  /** `live` (a whole number of 4-byte words) in MEMORY_CHUNK_BYTES chunks, sharing equal base chunks. */
  copyCompared(live: Uint8Array, base: readonly Chunk[] | null): Chunk[] {
    const n = Math.ceil(live.length / MEMORY_CHUNK_BYTES);
    const out = new Array<Chunk>(n);
    for (let j = 0; j < n; j++) {
      const from = j * MEMORY_CHUNK_BYTES;
      const len = Math.min(MEMORY_CHUNK_BYTES, live.length - from);
      const old = base?.[j];
      if (old && old.data.length === len && sameWords(live, from, old.data as Uint8Array)) {
        out[j] = this.share(old);
      } else {
        out[j] = this.fresh(live.slice(from, from + len));
      }
    }
    return out;
  }
}

/** Whether live[from … from + copy.length) holds the bytes of `copy`, compared a word at a time. */
function sameWords(live: Uint8Array, from: number, copy: Uint8Array): boolean {
  const words = copy.length >>> 2;
  const a = new Int32Array(live.buffer, live.byteOffset + from, words);
  const b = new Int32Array(copy.buffer, copy.byteOffset, words);
  for (let i = 0; i < words; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Writes the chunks of `target` into `live` (chunks of 2^shift entries) where they may differ: where
 * `target` holds another copy than `base` (the snapshot `live` last matched), or `changed` marks a
 * chunk written since. Calls `wrote(j)` for each chunk it wrote.
 */
export function restoreMarked(
  live: ChunkData,
  shift: number,
  target: readonly Chunk[],
  base: readonly Chunk[] | null,
  changed: Uint8Array,
  wrote?: (j: number) => void,
): void {
  for (let j = 0; j < target.length; j++) {
    if (base && base[j] === target[j] && changed[j] === 0) continue;
    live.set(target[j].data as never, j << shift);
    wrote?.(j);
  }
}

/** Writes every chunk of `target` into `live` (linear memory, MEMORY_CHUNK_BYTES at a time). */
export function restoreAll(live: Uint8Array, target: readonly Chunk[]): void {
  for (let j = 0; j < target.length; j++) live.set(target[j].data as Uint8Array, j * MEMORY_CHUNK_BYTES);
}
