// The components rendered to static markup in Node (no DOM): what they draw for a given core state.
// How it looks is checked in the browser; here only what is there and how much of it.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { makeCore, PFNS_GPA, stdCore, stdRings } from '../../core/testing.ts';
import { asGpa } from '../../core/units.ts';
import { DriverView, formatVirtualTime, RECENT_CALLS, recentCalls } from './DriverView.tsx';
import { driverSource } from './source.ts';
import type { InspectorQueue } from './types.ts';
import { VirtqueueInspector } from './VirtqueueInspector.tsx';

const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0;

describe('VirtqueueInspector', () => {
  function guest() {
    const core = stdCore('twin');
    const queues: InspectorQueue[] = ['inflate', 'deflate'].map((name, index) => ({
      index,
      name,
      ring: { size: 8, ...stdRings(index, 8) },
    }));
    for (const q of queues) core.setupQueue(q.index, q.ring);
    core.writeU32(PFNS_GPA, 0x123);
    core.addBuf(0, PFNS_GPA, 4);
    return { core, queues };
  }

  it('is a labelled region whose tables have captions and column headers', () => {
    const { core, queues } = guest();
    const html = renderToStaticMarkup(
      createElement(VirtqueueInspector, {
        core,
        queues,
        version: 1,
        mode: 'step',
        pfns: { gpa: PFNS_GPA, count: 1 },
      }),
    );
    expect(html).toContain('aria-label="Virtqueue inspector"');
    const tables = count(html, /<table/g);
    expect(tables).toBe(4); // indices, descriptors, avail ring, used ring of the inflate tab
    expect(count(html, /<caption/g)).toBe(tables);
    expect(html).toContain('role="tablist"');
    expect(html).toContain('available, not yet popped');
    expect(html).toContain('role="img" aria-label="pfns[] slots: 1 of 256 filled"');
  });

  it('reads only the indices in summary mode', () => {
    const { core, queues } = guest();
    const html = renderToStaticMarkup(
      createElement(VirtqueueInspector, { core, queues, version: 1, mode: 'summary' }),
    );
    expect(count(html, /<table/g)).toBe(1);
    expect(html).toContain('data-testid="vqi.summary.inflate"');
    expect(html).not.toContain('Descriptor table');
  });

  it('draws at most 64 rows of a 32768-entry queue', () => {
    const core = makeCore('twin');
    core.init({ ramFrames: 16_384, hostPageFrames: 1, windowFrame: 256, windowFrames: 256 });
    const size = 32_768;
    const ring = { size, desc: asGpa(0x100000), avail: asGpa(0x180000), used: asGpa(0x190008) };
    core.setupQueue(0, ring);
    for (let i = 0; i < 20_000; i++) core.addBuf(0, asGpa(0x1f0000), 4);
    const html = renderToStaticMarkup(
      createElement(VirtqueueInspector, {
        core,
        queues: [{ index: 0, name: 'inflate', ring }],
        version: 1,
        mode: 'step',
      }),
    );
    expect(count(html, /data-row-index=/g)).toBe(3 * 64);
    expect(html).toContain('data-row-index="19999"'); // the newest buffer's descriptor is in view
  });

  it('shows the selection its caller keeps, and what that descriptor carried', () => {
    const { core, queues } = guest();
    const render = (selection: { queue: number; desc: number } | null) =>
      renderToStaticMarkup(
        createElement(VirtqueueInspector, { core, queues, version: 1, mode: 'step', selection }),
      );
    const html = render({ queue: 0, desc: 0 });
    expect(html).toContain('aria-label="What descriptor 0 carried"');
    expect(html).toContain('aria-pressed="true"');
    expect(html).toMatch(/<li class="vqi-num"[^>]*>0x123</);
    expect(html).not.toContain('Show them on the memory map');
    const withMap = renderToStaticMarkup(
      createElement(VirtqueueInspector, {
        core,
        queues,
        version: 1,
        mode: 'step',
        selection: { queue: 0, desc: 0 },
        onShowPfns: () => undefined,
      }),
    );
    expect(withMap).toContain('>Show them on the memory map</button>');
    // null is the caller saying "nothing selected", not "keep your own"
    expect(render(null)).not.toContain('What descriptor');
    // a selection on another queue's tab selects nothing here
    expect(render({ queue: 1, desc: 0 })).not.toContain('What descriptor');
  });

  it('says so when a queue is not set up', () => {
    const core = stdCore('twin');
    const html = renderToStaticMarkup(
      createElement(VirtqueueInspector, {
        core,
        queues: [{ index: 0, name: 'inflate', ring: { size: 8, ...stdRings(0, 8) } }],
        version: 0,
        mode: 'step',
      }),
    );
    expect(html).toContain('not set up');
  });
});

describe('DriverView', () => {
  const calls = Array.from({ length: 30 }, (_, k) => ({
    us: 1000 * k,
    fn: k % 2 ? 'tell_host' : 'fill_balloon',
    detail: k % 2 ? 'inflate 256 pfns' : 'num=256',
  }));

  it('lists the last calls up to the current one', () => {
    expect(recentCalls(30, 29)).toEqual({ start: 30 - RECENT_CALLS, end: 30 });
    expect(recentCalls(30, 3)).toEqual({ start: 0, end: 4 });
    expect(recentCalls(30, -1)).toEqual({ start: 0, end: 0 });
    expect(recentCalls(5, 99)).toEqual({ start: 0, end: 5 });
    expect(recentCalls(0, 0)).toEqual({ start: 0, end: 0 });
  });

  it('writes virtual time as seconds with microseconds', () => {
    expect(formatVirtualTime(1_234_567)).toBe('1.234567 s');
    expect(formatVirtualTime(0)).toBe('0.000000 s');
  });

  it('narrates the current call (said by the lab’s one live region, not here) and marks its function', () => {
    const html = renderToStaticMarkup(createElement(DriverView, { calls, cursor: 5 }));
    expect(html).toMatch(
      /data-testid="driver.narration"[^>]*>It hands the batch of 256 PFNs to the host through the inflate queue/,
    );
    expect(html).not.toContain('aria-live');
    expect(html).toContain('(seed lines 114–128)');
    expect(count(html, /data-mark="run"/g)).toBeGreaterThan(5);
    expect(count(html, /aria-current="step"/g)).toBe(1);
    expect(count(html, /data-call=/g)).toBe(6);
  });

  it('puts only a window of the source in the DOM, always with the running function', () => {
    const html = renderToStaticMarkup(createElement(DriverView, { calls, cursor: 5 }));
    const { lines, spans } = driverSource();
    const tellHost = spans.get('tell_host')!;
    expect(lines.length).toBeGreaterThan(500);
    expect(count(html, /data-line=/g)).toBeLessThan(150);
    expect(html).toContain(`data-line="${tellHost.start}"`);
    expect(html).toContain(`data-line="${tellHost.end}"`);
  });

  it('waits quietly before the first call', () => {
    const html = renderToStaticMarkup(createElement(DriverView, { calls, cursor: -1 }));
    expect(html).toContain('Nothing has run yet.');
    expect(html).not.toContain('data-mark=');
  });
});
