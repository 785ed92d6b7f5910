import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVER_FUNCTIONS, SEED_FUNCTIONS } from '../../sim/view.ts';
import { DRIVER_SOURCE, driverSource, findFunctions, seedLabel } from './source.ts';

describe('the driver port as the driver view shows it', () => {
  it('is the file itself', () => {
    const file = readFileSync(new URL('../../sim/driver/virtio_balloon.ts', import.meta.url), 'utf8');
    expect(DRIVER_SOURCE).toBe(file);
  });

  it('finds the declaration and body of every seed function', () => {
    const { lines, spans } = driverSource();
    for (const fn of DRIVER_FUNCTIONS) {
      const span = spans.get(fn);
      expect(span, fn).toBeDefined();
      expect(lines[span!.start]).toContain(`${fn}`);
      expect(lines[span!.start]).not.toMatch(/this\./);
      expect(lines[span!.end].trim()).toMatch(/^\}[;,]?$/);
      expect(span!.end).toBeGreaterThan(span!.start);
    }
  });

  it('finds members, generators and local functions, and skips calls', () => {
    const src = [
      'class A {',
      '  b(): void {',
      '    this.c();',
      '  }',
      '',
      '  *c(): Task {',
      '    const d = (x: number) => {',
      '      return x;',
      '    };',
      '    d(1);',
      '  }',
      '}',
    ].join('\n');
    const spans = findFunctions(src, ['b', 'c', 'd', 'e']);
    expect(spans.get('b')).toEqual({ fn: 'b', start: 1, end: 3 });
    expect(spans.get('c')).toEqual({ fn: 'c', start: 5, end: 10 });
    expect(spans.get('d')).toEqual({ fn: 'd', start: 6, end: 8 });
    expect(spans.has('e')).toBe(false);
  });

  it('spans fill_balloon from its declaration to its closing brace', () => {
    const { lines, spans } = driverSource();
    const span = spans.get('fill_balloon')!;
    expect(lines[span.start]).toBe('  *fill_balloon(num: number): Task<number> {');
    expect(lines.slice(span.start, span.end).join('\n')).toContain('return num_allocated_pages;');
    expect(spans.get('update_stat')!.start).toBeGreaterThan(spans.get('update_balloon_stats')!.start);
  });

  it('labels each function with its seed lines', () => {
    expect(seedLabel('fill_balloon')).toBe('seed lines 144–192');
    expect(seedLabel('tell_host')).toBe(
      `seed lines ${SEED_FUNCTIONS.tell_host[0]}–${SEED_FUNCTIONS.tell_host[1]}`,
    );
    expect(seedLabel('nope')).toBeNull();
  });
});
