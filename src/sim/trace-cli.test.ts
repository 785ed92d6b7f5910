// `npm run trace -- <file> [--json]` (scripts/trace.ts), run as a user runs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledScenario, newSim } from './testing.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../../shared/fixtures/qemu-inflate.trace', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function trace(...args: string[]) {
  const r = spawnSync(TSX, ['scripts/trace.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run trace', () => {
  it('prints the real trace: its queue roles, batches, targets and actual over time', () => {
    const r = trace(FIXTURE);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/vq 0x56523e4ceab0 {2}inflate {2}16 buffers, 4096 PFNs/);
    expect(r.stdout).toMatch(/vq 0x56523e4ceb48 {2}deflate {2}16 buffers, 4096 PFNs/);
    expect(r.stdout).toMatch(/vq 0x56523e4cebe0 {2}stats {4}15 buffers, 0 PFNs/);
    expect(r.stdout).toContain('target 251658240 bytes, num_pages 4096');
    expect(r.stdout).toContain('actual 4096 (was 3840)');
    expect(r.stdout).toContain('errors and warnings (0)');
  });

  it('--json: the same as data', () => {
    const r = trace(FIXTURE, '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.roles).toEqual({
      inflate: '0x56523e4ceab0',
      deflate: '0x56523e4ceb48',
      stats: '0x56523e4cebe0',
    });
    const inflate = j.batches.filter((b: { role: string }) => b.role === 'inflate');
    expect(inflate).toHaveLength(16);
    expect(inflate.every((b: { pfns: number }) => b.pfns === 256)).toBe(true);
    expect(j.actual.at(-1)).toMatchObject({ actual: 0, old: 256 });
  });

  it('reads a trace the simulation exported, every queue identified', () => {
    const sim = newSim(bundledScenario('deflate-on-oom.json'), { recordCalls: false, series: false });
    sim.runToEnd();
    const dir = mkdtempSync(join(tmpdir(), 'balloonlab-trace-'));
    const file = join(dir, 'oom.trace');
    writeFileSync(file, sim.trace.toText());
    const j = JSON.parse(trace(file, '--json').stdout);
    expect(j.roles).toEqual({ inflate: '0x1000', deflate: '0x2000', stats: '0x3000' });
    expect(j.warnings).toEqual([]);
  });

  it('bad input: a clear message naming the problem, and exit status 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'balloonlab-trace-'));
    const bad = join(dir, 'bad.trace');
    writeFileSync(bad, '# a comment\n1@0.000001:virtqueue_pop vq 0x1000 elem zz in_num 0 out_num 1\n');
    const empty = join(dir, 'empty.trace');
    writeFileSync(empty, '# nothing but a comment\n');
    const cases: [string[], RegExp][] = [
      [[bad], /is not a balloon trace: line 2: virtqueue_pop: expected arguments/],
      [[empty], /holds no trace lines/],
      [[join(dir, 'missing.trace')], /cannot read .*missing\.trace/],
      [[], /no trace file given/],
      [[bad, '--yaml'], /unknown option --yaml/],
    ];
    for (const [args, message] of cases) {
      const r = trace(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });
});
