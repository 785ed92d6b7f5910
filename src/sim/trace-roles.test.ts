// Trace import: the queues' roles from QEMU's queue order (inflate, deflate, stats addresses rising)
// and the direction of `actual`, for any real balloon trace — one with a deflate that no new target
// asked for (the OOM notifier), one with compaction's one-page migration batches — and for the trace
// of every bundled scenario.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledScenario, newSim } from './testing.ts';
import { parseTrace } from './trace-parse.ts';
import { summarizeTrace } from './trace-summary.ts';

const FIXTURE = new URL('../../../shared/fixtures/qemu-inflate.trace', import.meta.url);
const SCENARIOS = new URL('../../public/scenarios/index.json', import.meta.url);

function summaryOf(text: string | Iterable<string>) {
  const parsed = parseTrace(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return summarizeTrace(parsed.events);
}

// The real trace's three queues: QEMU 7.2's VirtQueue array, 0x98 bytes apart.
const IVQ = '0x56523e4ceab0';
const DVQ = '0x56523e4ceb48';
const SVQ = '0x56523e4cebe0';
const line = (us: number, text: string) => `32384@1795667100.${String(us).padStart(6, '0')}:${text}`;

describe('queue roles in real traces', () => {
  it('the real QEMU 7.2 trace: inflate, deflate and stats', () => {
    const s = summaryOf(readFileSync(FIXTURE, 'utf8'));
    expect(s.roles).toEqual({ inflate: IVQ, deflate: DVQ, stats: SVQ });
    expect(s.queues.every((q) => q.role !== 'unknown')).toBe(true);
    expect(s.warnings).toEqual([]);
  });

  it('a deflate with no new target (the OOM notifier): the deflate queue by the fall of actual', () => {
    // The target still says 4096 pages (inflate) when the guest deflates 256 pages and writes a
    // smaller actual; before, an inflate batch raised it.
    const text = [
      line(1, 'virtio_balloon_to_target balloon target: 0xf000000 num_pages: 4096'),
      line(2, `virtqueue_pop vq ${IVQ} elem 0x7f0000001000 in_num 0 out_num 1`),
      line(3, 'virtio_balloon_handle_output section name: pc.ram gpa: 0x80ef000'),
      line(4, `virtqueue_flush vq ${IVQ} count 1`),
      line(5, 'virtio_balloon_set_config actual: 1 oldactual: 0'),
      line(6, `virtqueue_pop vq ${DVQ} elem 0x7f0000002000 in_num 0 out_num 1`),
      line(7, 'virtio_balloon_handle_output section name: pc.ram gpa: 0x80ef000'),
      line(8, `virtqueue_flush vq ${DVQ} count 1`),
      line(9, 'virtio_balloon_set_config actual: 0 oldactual: 1'),
    ].join('\n');
    expect(summaryOf(text).roles).toEqual({ inflate: IVQ, deflate: DVQ });
    // The deflate alone (a trace cut after the inflate) is still the deflate queue.
    const alone = summaryOf(text.split('\n').slice(5).join('\n'));
    expect(alone.roles).toEqual({ deflate: DVQ });
  });

  it('one-page migration batches (no config write between them): roles from the queue order', () => {
    const lines = [line(1, `virtqueue_pop vq ${SVQ} elem 0x7f0000003000 in_num 0 out_num 1`)];
    for (let k = 0; k < 4; k++) {
      const t = 10 + k * 10;
      lines.push(
        line(t, `virtqueue_pop vq ${IVQ} elem 0x7f0000001000 in_num 0 out_num 1`),
        line(
          t + 1,
          `virtio_balloon_handle_output section name: pc.ram gpa: 0x${(0x9000 + k).toString(16)}000`,
        ),
        line(t + 2, `virtqueue_flush vq ${IVQ} count 1`),
        line(t + 3, `virtqueue_pop vq ${DVQ} elem 0x7f0000002000 in_num 0 out_num 1`),
        line(
          t + 4,
          `virtio_balloon_handle_output section name: pc.ram gpa: 0x${(0x100 + k).toString(16)}000`,
        ),
        line(t + 5, `virtqueue_flush vq ${DVQ} count 1`),
      );
    }
    const s = summaryOf(lines.join('\n'));
    expect(s.roles).toEqual({ inflate: IVQ, deflate: DVQ, stats: SVQ });
    expect(s.batches.filter((b) => b.role === 'deflate').map((b) => b.pfns.length)).toEqual([1, 1, 1, 1]);
  });

  it('migration deflates alone beside the stats queue: one stride below it is the deflate queue', () => {
    const text = [
      line(1, `virtqueue_pop vq ${SVQ} elem 0x7f0000003000 in_num 0 out_num 1`),
      line(2, `virtqueue_pop vq ${DVQ} elem 0x7f0000002000 in_num 0 out_num 1`),
      line(3, 'virtio_balloon_handle_output section name: pc.ram gpa: 0x100000'),
      line(4, `virtqueue_flush vq ${DVQ} count 1`),
    ].join('\n');
    expect(summaryOf(text).roles).toEqual({ deflate: DVQ, stats: SVQ });
  });

  it('an "Out of puff" retry writes the same actual: no vote, the roles stand', () => {
    const text = [
      line(1, `virtqueue_pop vq ${IVQ} elem 0x7f0000001000 in_num 0 out_num 1`),
      line(2, 'virtio_balloon_handle_output section name: pc.ram gpa: 0x80ef000'),
      line(3, `virtqueue_flush vq ${IVQ} count 1`),
      line(4, 'virtio_balloon_set_config actual: 1 oldactual: 1'),
    ].join('\n');
    const s = summaryOf(text);
    expect(s.roles).toEqual({});
    expect(s.warnings.join()).toMatch(/neither the direction of actual nor its place/);
  });

  it('reads the real bad_addr line, and the labelled one older exports wrote', () => {
    const parsed = parseTrace(
      [line(1, 'virtio_balloon_bad_addr 0x1000000000'), line(2, 'virtio_balloon_bad_addr gpa: 0x2000')].join(
        '\n',
      ),
    );
    expect(
      parsed.ok && parsed.events.map((e) => (e.event === 'virtio_balloon_bad_addr' ? e.gpa : -1)),
    ).toEqual([0x1000000000, 0x2000]);
  });
});

function* firstPfnOfEachBuffer(lines: Iterable<string>): Generator<string> {
  let kept = false;
  for (const l of lines) {
    if (l.includes(':virtio_balloon_handle_output ')) {
      if (kept) continue;
      kept = true;
    } else if (l.includes(':virtqueue_pop ')) kept = false;
    yield l;
  }
}

describe('the trace of every bundled scenario reads back with every queue identified', () => {
  const index = JSON.parse(readFileSync(SCENARIOS, 'utf8')) as { scenarios: { file: string }[] };
  const ROLE_BY_SIM_ID: Record<string, string> = {
    '0x1000': 'inflate',
    '0x2000': 'deflate',
    '0x3000': 'stats',
  };
  it.each(index.scenarios.map((s) => s.file))('%s', (file) => {
    const sim = newSim(bundledScenario(file), { recordCalls: false, series: false });
    sim.runToEnd();
    // big-guest.json's trace is 600 MB, 15 million PFN lines: the roles need no more than the first
    // PFN line of each buffer, so the others are left out of what is parsed.
    const s = summaryOf(
      file === 'big-guest.json' ? firstPfnOfEachBuffer(sim.trace.lines()) : sim.trace.lines(),
    );
    expect(s.queues.length).toBeGreaterThan(0);
    for (const q of s.queues) expect(q.role, `vq ${q.vq}`).toBe(ROLE_BY_SIM_ID[q.vq]);
    expect(s.warnings).toEqual([]);
  });
});
