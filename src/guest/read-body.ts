// A response's whole body, saying how far it got: for the progress bar while the guest's images or a
// saved machine download.

/**
 * Reads `res` to its end; `onFraction` hears 0…1 as bytes arrive (never past 1: a server that undid a
 * gzip sends more bytes than its Content-Length says), and nothing when the length is unknown.
 */
export async function readBody(res: Response, onFraction: (f: number) => void): Promise<ArrayBuffer> {
  if (!res.body) return res.arrayBuffer();
  const total = Number(res.headers.get('content-length')) || 0;
  const parts: Uint8Array[] = [];
  let got = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    got += value.length;
    if (total) onFraction(Math.min(1, got / total));
  }
  return new Blob(parts as BlobPart[]).arrayBuffer();
}
