// Loads the core's WebAssembly module in the browser. Vite turns the `?url` import into a hashed asset
// next to the bundle, so the built site works from any static host.
import wasmUrl from '../../asm/build/balloon.wasm?url';

let compiled: Promise<WebAssembly.Module> | undefined;

export function loadCoreModule(): Promise<WebAssembly.Module> {
  compiled ??= fetch(wasmUrl).then(async (res) => {
    if (!res.ok) throw new Error(`Cannot load the WebAssembly core (${wasmUrl}): HTTP ${res.status}`);
    return WebAssembly.compile(await res.arrayBuffer());
  });
  return compiled;
}
