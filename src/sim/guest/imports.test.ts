// The guest's rooms import the shared state (kernel-state.ts), not each other in a circle: no file
// of src/sim/guest reaches itself again through its imports, type-only imports included.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('./', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

/** The files of this folder that `file` imports (or re-exports from). */
function importsOf(file: string): string[] {
  const text = readFileSync(new URL(file, dir), 'utf8');
  return [...text.matchAll(/^(?:import|export)[^;]*?from '\.\/([^']+)';/gms)]
    .map((m) => m[1])
    .filter((f) => files.includes(f));
}

/** The import circles through `start`, as paths (empty when there are none). */
function circlesFrom(start: string, graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const walk = (file: string, path: string[]) => {
    for (const next of graph.get(file) ?? []) {
      if (next === start) found.push([...path, next].join(' → '));
      else if (!path.includes(next)) walk(next, [...path, next]);
    }
  };
  walk(start, [start]);
  return found;
}

describe('src/sim/guest imports', () => {
  it('has no circle', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    expect(graph.get('kernel.ts')).toContain('kernel-state.ts');
    expect(graph.get('oom.ts')).toContain('kernel-state.ts');
    expect(files.flatMap((f) => circlesFrom(f, graph))).toEqual([]);
  });
});
