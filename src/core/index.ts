// The typed face of the WebAssembly core.
export interface CoreExports {
  memory: WebAssembly.Memory;
  needEvent(event: number, newIdx: number, old: number): number;
}

export function instantiateCore(module: WebAssembly.Module): CoreExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`balloon core: assertion failed at ${line}:${col}`);
      },
    },
  });
  return instance.exports as unknown as CoreExports;
}
