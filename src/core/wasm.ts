// Instantiates the WebAssembly core. One compiled module serves any number of instances, each with
// its own linear memory, so several simulations can run side by side.
import type { CoreAbi } from './abi.ts';

export function instantiateWasmCore(module: WebAssembly.Module): CoreAbi {
  const instance = new WebAssembly.Instance(module, {
    env: {
      // Release builds have no assertions; this fires only if memory could not grow at start-up.
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new Error(`balloon core aborted at asm ${line}:${col}`);
      },
    },
  });
  return instance.exports as unknown as CoreAbi;
}
