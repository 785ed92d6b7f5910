// Loads the core's WebAssembly module in Node (unit tests, the CLI, benchmarks).
import { readFileSync } from 'node:fs';

const wasmPath = new URL('../../asm/build/balloon.wasm', import.meta.url);
let compiled: WebAssembly.Module | undefined;

export function loadCoreModuleSync(): WebAssembly.Module {
  if (!compiled) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(wasmPath));
    } catch {
      throw new Error(`The WebAssembly core is not built (${wasmPath.pathname}): run \`npm run asbuild\``);
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

export async function loadCoreModule(): Promise<WebAssembly.Module> {
  return loadCoreModuleSync();
}
