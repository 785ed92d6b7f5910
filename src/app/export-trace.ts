// "Export trace": the run's trace in QEMU's format as a file, for a run of any length. A 16 GiB round
// trip is ~8 million lines, past what one JavaScript string can hold, so the text is never one string:
// the recorder's ~64 KiB chunks become Blob parts, gathered into a Blob every few MiB (a Blob of Blobs
// copies nothing), and the page gets a frame between batches of chunks.

const CHUNKS_PER_PART = 64; // ~4 MiB of text per intermediate Blob
const CHUNKS_PER_FRAME = 256;

export async function traceBlob(
  trace: { chunks(): Iterable<string> },
  onProgress?: (chars: number) => void,
): Promise<Blob> {
  const parts: Blob[] = [];
  let pending: string[] = [];
  let chars = 0;
  let n = 0;
  for (const chunk of trace.chunks()) {
    pending.push(chunk);
    chars += chunk.length;
    n++;
    if (pending.length === CHUNKS_PER_PART) {
      parts.push(new Blob(pending));
      pending = [];
    }
    if (n % CHUNKS_PER_FRAME === 0) {
      onProgress?.(chars);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  if (pending.length) parts.push(new Blob(pending));
  return new Blob(parts, { type: 'text/plain' });
}

/** Saves a Blob under `name` through the browser's download. */
export function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  // The download has taken its reference by the next task.
  setTimeout(() => URL.revokeObjectURL(a.href), 0);
}
