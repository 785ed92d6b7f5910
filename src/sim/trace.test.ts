import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// shared/ sits beside the repository: /work/shared for the worktrees, ../shared for CI's clone.
import { PFNS_GPA, stdCore } from '../core/testing.ts';
import { asGpa } from '../core/units.ts';
import {
  formatFields,
  parseFields,
  parseTrace,
  summarizeTrace,
  TraceRecorder,
  traceElemId,
  traceHandleOutput,
  VQ_DEFLATE,
  VQ_INFLATE,
  VQ_STATS,
} from './trace.ts';

const FIXTURE = new URL('../../../shared/fixtures/qemu-inflate.trace', import.meta.url);

const RAM_FRAMES_256_MIB = 65536;

function parsed(input: string | Iterable<string>) {
  const result = parseTrace(input);
  if (!result.ok) throw new Error(result.error);
  return result;
}

const argumentsOf = (line: string) => line.slice(line.indexOf(':') + 1);

describe('TraceRecorder: the exact text of design.md', () => {
  it('writes each event as QEMU 7.2 prints it', () => {
    const trace = new TraceRecorder();
    trace.balloonEvent(2_000_001, 134217728);
    trace.toTarget(2_000_001, 0x8000000, 32768);
    trace.getConfig(2_000_002, 32768, 0);
    trace.setConfig(2_000_003, 256, 0);
    trace.pop(2_000_004, VQ_INFLATE, 0x2000, 0, 1);
    traceHandleOutput(trace, 2_000_005, Uint32Array.of(0x9aef, 0x40000), RAM_FRAMES_256_MIB);
    trace.flush(2_000_006, VQ_INFLATE, 1);
    expect([...trace.lines()].map(argumentsOf)).toEqual([
      'balloon_event opaque 0x1 addr 134217728',
      'virtio_balloon_to_target balloon target: 0x8000000 num_pages: 32768',
      'virtio_balloon_get_config num_pages: 32768 actual: 0',
      'virtio_balloon_set_config actual: 256 oldactual: 0',
      'virtqueue_pop vq 0x1000 elem 0x2000 in_num 0 out_num 1',
      'virtio_balloon_handle_output section name: pc.ram gpa: 0x9aef000',
      'virtio_balloon_bad_addr 0x40000000',
      'virtqueue_flush vq 0x1000 count 1',
    ]);
  });

  it('prefixes every line with pid 1 and the virtual time as <seconds>.<6 digits>', () => {
    const trace = new TraceRecorder();
    trace.flush(2_000_001, VQ_STATS, 1);
    trace.flush(13_000_000_000, VQ_STATS, 1);
    expect([...trace.lines()]).toEqual([
      '1@2.000001:virtqueue_flush vq 0x3000 count 1',
      '1@13000.000000:virtqueue_flush vq 0x3000 count 1',
    ]);
  });

  it('prints addresses above 4 GiB exactly', () => {
    const trace = new TraceRecorder();
    traceHandleOutput(trace, 0, Uint32Array.of(0x123456, 0xffff_ffff), 0x400000);
    expect([...trace.lines()].map(argumentsOf)).toEqual([
      'virtio_balloon_handle_output section name: pc.ram gpa: 0x123456000',
      'virtio_balloon_bad_addr 0xffffffff000',
    ]);
  });

  it('keeps a batch as runs and prints every PFN of it in order, whichever way its runs go', () => {
    const pfns = Uint32Array.of(5, 6, 7, 12, 11, 10, 9, 40, 41, 40, 0xffff_fffe, 0xffff_ffff, 0, 1, 3, 2, 2);
    const trace = new TraceRecorder();
    traceHandleOutput(trace, 0, pfns, 0x400000);
    const gpa = (pfn: number) => `0x${(pfn * 4096).toString(16)}`;
    expect([...trace.lines()].map(argumentsOf)).toEqual(
      [...pfns].map((pfn) =>
        pfn < 0x400000
          ? `virtio_balloon_handle_output section name: pc.ram gpa: ${gpa(pfn)}`
          : `virtio_balloon_bad_addr ${gpa(pfn)}`,
      ),
    );
    expect(trace.length).toBe(pfns.length);
  });

  it('holds a 16 GiB round trip of batches in a few kilobytes of runs', () => {
    const trace = new TraceRecorder();
    const batch = new Uint32Array(256);
    for (let b = 0; b < 30720; b++) {
      // Inflate batches count down from the top of each run of pages, deflate batches count up.
      for (let i = 0; i < 256; i++) batch[i] = b % 2 ? b * 256 + i : b * 256 + 255 - i;
      traceHandleOutput(trace, b, batch, 0x400000);
    }
    expect(trace.length).toBe(30720 * 256);
    // One record (six doubles) and one run (two u32s) a batch, with room to grow: no PFNs kept.
    expect(trace.byteSize).toBeLessThan(2 * 30720 * (6 * 8 + 2 * 4));
  });

  it('gives each element a stable id from its queue and head descriptor', () => {
    expect(traceElemId(VQ_INFLATE, 0)).toBe(0x1000000);
    expect(traceElemId(VQ_DEFLATE, 1)).toBe(0x2000010);
    expect(traceElemId(VQ_STATS, 32767)).toBe(0x307fff0);
  });

  it('writes sim-only events and comments so that they parse back', () => {
    const trace = new TraceRecorder();
    trace.comment('Balloon Lab run');
    trace.deviceError(5, 'loop', 0, 'Looped descriptor');
    trace.driver(6, 'fill_balloon', { num_pfns: 256, ok: true });
    trace.custom(7, 'oom', {});
    expect([...trace.lines()]).toEqual([
      '# Balloon Lab run',
      '1@0.000005:balloonlab_device_error kind=loop queue=0 msg="Looped descriptor"',
      '1@0.000006:balloonlab_driver fn=fill_balloon num_pfns=256 ok=true',
      '1@0.000007:balloonlab_oom',
    ]);
    const events = parsed(trace.lines()).events;
    expect(events.map((e) => (e.event === 'balloonlab' ? [e.name, e.fields] : e.event))).toEqual([
      ['device_error', { kind: 'loop', queue: '0', msg: 'Looped descriptor' }],
      ['driver', { fn: 'fill_balloon', num_pfns: '256', ok: 'true' }],
      ['oom', {}],
    ]);
  });

  it('refuses what could not be read back: time going back, fractions, bad names, multi-line comments', () => {
    const trace = new TraceRecorder();
    trace.flush(10, VQ_INFLATE, 1);
    expect(() => trace.flush(9, VQ_INFLATE, 1)).toThrow(RangeError);
    expect(() => trace.flush(10.5, VQ_INFLATE, 1)).toThrow(RangeError);
    expect(() => trace.setConfig(11, -1, 0)).toThrow(RangeError);
    expect(() => trace.custom(11, 'Bad-Name', {})).toThrow(RangeError);
    expect(() => trace.custom(11, 'balloonlab_fault', {})).toThrow(/leave out the balloonlab_ prefix/);
    expect(() => trace.custom(11, 'ok', { 'bad key': 1 })).toThrow(RangeError);
    expect(() => trace.comment('two\nlines')).toThrow(RangeError);
    expect(trace.length).toBe(1);
  });
});

describe('TraceRecorder.handleOutputRuns', () => {
  it("prints the same lines from the core's runs as from the runs traceHandleOutput gathers", () => {
    const core = stdCore('wasm');
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.integer({ min: 0, max: 0x40000 }), fc.constantFrom(0, 1, 0xffff_fffe, 0xffff_ffff)),
          { maxLength: 300 },
        ),
        fc.boolean(),
        (seeds, runny) => {
          // Runs as batches have them, or scattered PFNs
          const pfns = runny
            ? seeds.flatMap((p, i) => [p, p + (i % 2 ? 1 : -1)].filter((x) => x >= 0 && x <= 0xffff_ffff))
            : seeds;
          pfns.forEach((p, k) => {
            core.writeU32(asGpa(PFNS_GPA + k * 4), p);
          });
          const a = new TraceRecorder();
          const b = new TraceRecorder();
          traceHandleOutput(a, 7, Uint32Array.from(pfns), 0x400000);
          const n = core.pfnRuns(PFNS_GPA, pfns.length);
          expect(n).toBeGreaterThanOrEqual(0);
          b.handleOutputRuns(7, core.pfnRunPairs, n, 0x400000);
          expect(b.length).toBe(a.length);
          expect(b.toText()).toBe(a.toText());
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('sim event fields', () => {
  it('round-trip any text value', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    fc.assert(
      fc.property(fc.dictionary(key, fc.string()), (fields) => {
        expect(parseFields(formatFields(fields))).toEqual(fields);
      }),
    );
  });

  it('explain what is wrong with malformed fields', () => {
    expect(parseFields('kind=loop msg="open')).toBe('unterminated quote in field "msg"');
    expect(parseFields('=x')).toBe('expected key=value at column 1');
    expect(parseFields('a="x"b=1')).toBe('expected a space after field "a" at column 6');
    expect(parseFields('a="\\q"')).toBe('unknown escape at column 4');
  });
});

describe('recorder → text → parser', () => {
  function recordInflateThenDeflate(): TraceRecorder {
    const trace = new TraceRecorder();
    trace.comment('inflate 2 batches, a stats round, deflate 2 batches');
    trace.pop(0, VQ_STATS, traceElemId(VQ_STATS, 0), 0, 1);
    trace.balloonEvent(1_000_000, 255 * 1024 * 1024);
    trace.toTarget(1_000_000, 255 * 1024 * 1024, 256);
    trace.getConfig(1_000_010, 256, 0);
    let actual = 0;
    for (const [i, vq] of [VQ_INFLATE, VQ_INFLATE, VQ_DEFLATE, VQ_DEFLATE].entries()) {
      if (i === 2) {
        trace.flush(2_500_000, VQ_STATS, 1);
        trace.pop(2_500_100, VQ_STATS, traceElemId(VQ_STATS, 0), 0, 1);
        trace.toTarget(2_600_000, 256 * 1024 * 1024, 0);
      }
      const t = 1_000_100 + i * 1_000_000;
      const pfns = Uint32Array.from({ length: 128 }, (_, k) => 0x8000 + (i % 2) * 128 + k);
      trace.pop(t, vq, traceElemId(vq, 0), 0, 1);
      traceHandleOutput(trace, t + 10, pfns, RAM_FRAMES_256_MIB);
      trace.flush(t + 20, vq, 1);
      const next = vq === VQ_INFLATE ? actual + 128 : actual - 128;
      trace.setConfig(t + 30, next, actual);
      actual = next;
    }
    return trace;
  }

  it('reads back every event with its values and absolute time', () => {
    const trace = recordInflateThenDeflate();
    const text = trace.toText();
    const result = parsed(text);
    expect(result.warnings).toEqual([]);
    expect(result.originUs).toBe(0);
    expect(result.events).toHaveLength(trace.length - 1); // less the comment
    expect(result.events[0]).toEqual({
      line: 2,
      pid: 1,
      us: 0,
      event: 'virtqueue_pop',
      vq: '0x3000',
      elem: '0x3000000',
      inNum: 0,
      outNum: 1,
    });
    expect(result.events.find((e) => e.event === 'virtio_balloon_to_target')).toMatchObject({
      us: 1_000_000,
      targetBytes: 255 * 1024 * 1024,
      numPages: 256,
    });
    expect(result.events.find((e) => e.event === 'virtio_balloon_handle_output')).toMatchObject({
      us: 1_000_110,
      section: 'pc.ram',
      gpa: 0x8000 * 4096,
    });
  });

  it('parses the same from the text and from the streamed lines', () => {
    const trace = recordInflateThenDeflate();
    expect(parsed(trace.lines())).toEqual(parsed(trace.toText()));
    expect([...trace.lines()]).toHaveLength(trace.length);
    expect(trace.toText().split('\n')).toHaveLength(trace.length + 1);
  });

  it('summarises a sim trace with the sim queue ids in their roles', () => {
    const summary = summarizeTrace(parsed(recordInflateThenDeflate().lines()).events);
    expect(summary.roles).toEqual({ inflate: '0x1000', deflate: '0x2000', stats: '0x3000' });
    expect(summary.batches.map((b) => [b.role, b.pfns.length])).toEqual([
      ['stats', 0],
      ['inflate', 128],
      ['inflate', 128],
      ['stats', 0],
      ['deflate', 128],
      ['deflate', 128],
    ]);
    expect(summary.actual.map((a) => a.actual)).toEqual([128, 256, 128, 0]);
    expect(summary.warnings).toEqual([]);
  });
});

describe('parseTrace', () => {
  it('names the line and what is wrong with it', () => {
    const cases: [string, string][] = [
      [
        '# header\n\nnot a trace line',
        'line 3: expected "<pid>@<seconds>.<6-digit microseconds>:<event> <arguments>", got "not a trace line"',
      ],
      [
        '1@0.000001:virtio_balloon_set_config actual: x',
        'line 1: virtio_balloon_set_config: expected arguments "actual: <n> oldactual: <n>", got "actual: x"',
      ],
      [
        '1@0.00001:virtqueue_flush vq 0x1 count 1',
        'line 1: expected "<pid>@<seconds>.<6-digit microseconds>:<event> <arguments>", got "1@0.00001:virtqueue_flush vq 0x1 count 1"',
      ],
      [
        '1@0.000001:virtio_balloon_bad_addr 0x100000000000000',
        'line 1: virtio_balloon_bad_addr: 0x100000000000000 is too large (more than 2^53)',
      ],
      [
        '1@0.000001:balloonlab_driver fn="fill',
        'line 1: balloonlab_driver: unterminated quote in field "fn"',
      ],
    ];
    for (const [text, error] of cases) expect(parseTrace(text)).toEqual({ ok: false, error });
  });

  it('keeps unknown QEMU events as text, with one warning per event name', () => {
    const text = [
      '7@1.000000:virtio_notify vdev 0x1 vq 0x2',
      '7@1.000001:virtqueue_flush vq 0x2 count 1',
      '7@1.000002:virtio_notify vdev 0x1 vq 0x2',
      '7@1.000003:virtio_set_status vdev 0x1 val 15',
    ].join('\r\n');
    const result = parsed(text);
    expect(result.events[0]).toEqual({
      line: 1,
      pid: 7,
      us: 0,
      event: 'unknown',
      name: 'virtio_notify',
      text: 'vdev 0x1 vq 0x2',
    });
    expect(result.warnings).toEqual([
      'line 1: unknown event "virtio_notify" kept as text (2 lines)',
      'line 4: unknown event "virtio_set_status" kept as text (1 line)',
    ]);
  });

  it('measures time from the earliest event and warns when threads interleave out of order', () => {
    const result = parsed(
      '5@10.000002:virtqueue_flush vq 0x1 count 1\n6@10.000001:virtqueue_flush vq 0x1 count 1',
    );
    expect(result.originUs).toBe(10_000_001);
    expect(result.events.map((e) => e.us)).toEqual([1, 0]);
    expect(result.warnings).toEqual(['line 2: time goes back (the trace interleaves threads)']);
  });

  it('accepts an empty trace and a trace of comments', () => {
    expect(parseTrace('')).toEqual({ ok: true, events: [], warnings: [], originUs: 0 });
    expect(parseTrace('# only\n  # comments\n')).toEqual({ ok: true, events: [], warnings: [], originUs: 0 });
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        parseTrace(text);
        parseTrace(`1@0.000000:${text}`);
        parseTrace(`1@0.000000:balloonlab_x ${text}`);
      }),
    );
  });
});

describe('the real QEMU 7.2 trace (shared/fixtures/qemu-inflate.trace)', () => {
  const result = parsed(readFileSync(FIXTURE, 'utf8'));
  const summary = summarizeTrace(result.events);
  const batchesOf = (role: string) => summary.batches.filter((b) => b.role === role);

  it('parses with real pids and host pointers, without warnings', () => {
    expect(result.warnings).toEqual([]);
    expect(result.events).toHaveLength(8354);
    expect(new Set(result.events.map((e) => e.pid))).toEqual(new Set([32380, 32384]));
    expect(result.originUs).toBe(1_795_667_093_963_308);
    expect(result.events[0]).toMatchObject({ line: 9, us: 0, event: 'virtqueue_pop', vq: '0x56523e4cebe0' });
  });

  it('tells the three queues apart', () => {
    expect(summary.roles).toEqual({
      inflate: '0x56523e4ceab0',
      deflate: '0x56523e4ceb48',
      stats: '0x56523e4cebe0',
    });
    expect(summary.warnings).toEqual([]);
    expect(summary.targets.map((t) => [t.targetBytes, t.numPages])).toEqual([
      [240 * 1024 * 1024, 4096],
      [256 * 1024 * 1024, 0],
    ]);
  });

  it('has 16 inflate buffers of 256 PFNs, with actual rising by 256 after each to 4096', () => {
    const inflate = batchesOf('inflate');
    expect(inflate.map((b) => b.pfns.length)).toEqual(new Array(16).fill(256));
    expect(inflate.every((b) => b.flushUs !== undefined && b.badGpas.length === 0)).toBe(true);
    const rising = summary.actual.slice(0, 16);
    expect(rising.map((a) => a.actual)).toEqual(Array.from({ length: 16 }, (_, i) => 256 * (i + 1)));
    expect(rising.every((a) => a.actual - a.oldActual === 256)).toBe(true);
  });

  it('then 16 deflate buffers giving back exactly the pages the inflate took', () => {
    const deflate = batchesOf('deflate');
    expect(deflate).toHaveLength(16);
    expect(deflate[0].popUs).toBeGreaterThan(batchesOf('inflate')[15].flushUs!);
    const pages = (role: string) => [...batchesOf(role).flatMap((b) => [...b.pfns])].sort((a, b) => a - b);
    expect(pages('deflate')).toEqual(pages('inflate'));
    expect(pages('inflate').every((pfn) => pfn < RAM_FRAMES_256_MIB)).toBe(true);
    expect(summary.actual.slice(16).map((a) => a.actual)).toEqual(
      Array.from({ length: 16 }, (_, i) => 3840 - 256 * i),
    );
  });

  it('pops the stats queue about once a second', () => {
    const pops = batchesOf('stats').map((b) => b.popUs);
    // The first pop is the guest's initial buffer; after that the 1 s polling timer paces them.
    const intervals = pops.slice(2).map((t, i) => t - pops[i + 1]);
    expect(intervals.length).toBeGreaterThanOrEqual(10);
    for (const interval of intervals) expect(Math.abs(interval - 1_000_000)).toBeLessThan(50_000);
  });
});

describe('a large recording', () => {
  it('keeps 4096 batches of 256 PFNs as typed arrays and streams their million lines', () => {
    const trace = new TraceRecorder();
    const pfns = new Uint32Array(256);
    let t = 0;
    for (let batch = 0; batch < 4096; batch++) {
      for (let i = 0; i < 256; i++) pfns[i] = batch * 256 + i;
      trace.pop(t, VQ_INFLATE, traceElemId(VQ_INFLATE, batch % 128), 0, 1);
      traceHandleOutput(trace, t, pfns, 4096 * 256);
      trace.flush(t + 1100, VQ_INFLATE, 1);
      trace.setConfig(t + 1100, (batch + 1) * 256, batch * 256);
      t += 1150;
    }
    const lines = 4096 * (256 + 3);
    expect(trace.length).toBe(lines);
    expect(trace.stringCount).toBe(0);
    // 1M PFNs are 4 MiB as u32s; 16k other events are ~0.8 MB of records. The text would be ~75 MB.
    expect(trace.byteSize).toBeLessThan(6_000_000);

    let count = 0;
    let chars = 0;
    let last = '';
    for (const line of trace.lines()) {
      count++;
      chars += line.length + 1;
      last = line;
    }
    expect(count).toBe(lines);
    expect(chars).toBeGreaterThan(10 * trace.byteSize);
    expect(last).toBe('1@4.710350:virtio_balloon_set_config actual: 1048576 oldactual: 1048320');

    let chunkChars = 0;
    for (const chunk of trace.chunks()) {
      expect(chunk.endsWith('\n')).toBe(true);
      chunkChars += chunk.length;
    }
    expect(chunkChars).toBe(chars);
  });
});
