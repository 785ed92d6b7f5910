// Saved machines of the real guest: a restore takes about a second where a cold boot takes half a
// minute. One is found, in this order, in the browser's IndexedDB (saved after the first cold boot in
// this browser) or next to the images (public/guest/saved/, written by `npm run guest -- --save-state`).
// The key names everything a state depends on; a state of anything else is never restored.
import { readBody } from './read-body.ts';

/** v86's version (package.json): its state layout changes between versions. */
export const V86_VERSION = '0.5.462';
/** Bump when RealBalloonDevice.saveState changes shape, or a saved machine would go wrong when restored. */
export const DEVICE_STATE_VERSION = 2;

export function stateKey(memoryMiB: number, features: readonly number[], bzImageSha256: string): string {
  const f = [...features].sort((a, b) => a - b).join('.');
  return `v86-${V86_VERSION}-dev${DEVICE_STATE_VERSION}-${memoryMiB}mib-f${f || 'none'}-${bzImageSha256.slice(0, 12)}`;
}

export const saveStateFile = (key: string) => `${key}.state.gz`;

const DB = 'balloon-lab-guest';
const STORE = 'states';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function idb<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = run(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

async function gunzip(bytes: ArrayBuffer | Blob): Promise<ArrayBuffer> {
  const blob = bytes instanceof Blob ? bytes : new Blob([bytes]);
  return new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
}

/** The saved machine for `key`, or undefined when there is none (a cold boot then). */
export async function loadState(
  key: string,
  url: string,
  progress: (fraction: number, text: string) => void,
): Promise<ArrayBuffer | undefined> {
  try {
    const kept = await idb<Blob | undefined>('readonly', (s) => s.get(key) as IDBRequest<Blob | undefined>);
    if (kept instanceof Blob) {
      progress(0.5, 'Restoring the guest saved in this browser');
      return await gunzip(kept);
    }
  } catch {
    // No IndexedDB (a private window, say): the server's copy, or a cold boot.
  }
  const res = await fetch(url).catch(() => null);
  if (!res?.ok) return undefined;
  const body = await readBody(res, (f) => progress(f, 'Fetching the saved guest'));
  progress(1, 'Restoring the guest');
  // A server may have undone the gzip already (Content-Encoding: gzip, as Vite's does for .gz files).
  const head = new Uint8Array(body, 0, 2);
  return head[0] === 0x1f && head[1] === 0x8b ? gunzip(body) : body;
}

/** Keeps a machine saved after a cold boot, compressed, for the next visit. */
export async function storeState(key: string, state: ArrayBuffer): Promise<void> {
  const gz = await new Response(new Blob([state]).stream().pipeThrough(new CompressionStream('gzip'))).blob();
  await idb('readwrite', (s) => s.put(gz, key));
}

/** Forgets the machine kept for `key` (one that could not be restored). */
export async function forgetState(key: string): Promise<void> {
  await idb('readwrite', (s) => s.delete(key)).catch(() => {});
}
