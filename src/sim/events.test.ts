// The typed events: what the driver, kernel and device emit, where the timeline and lessons find it.
import { describe, expect, it } from 'vitest';
import { EventBus, type SimEvent } from './events.ts';
import { bundledScenario, newSim } from './testing.ts';

function eventsOf(file: string): SimEvent[] {
  const sim = newSim(bundledScenario(file), { trace: false, recordCalls: false, series: false });
  const seen: SimEvent[] = [];
  sim.events.onAny((e) => seen.push(e));
  sim.runToEnd();
  return seen;
}

const types = (es: SimEvent[]) => new Set(es.map((e) => e.type));

describe('EventBus', () => {
  it('stamps virtual time, calls listeners in order, and forgets the unsubscribed', () => {
    let now = 5;
    const bus = new EventBus(() => now);
    const got: string[] = [];
    const off = bus.on('target', (e) => got.push(`a ${e.us} ${e.numPages}`));
    bus.onAny((e) => got.push(`any ${e.type}`));
    bus.emit('target', { targetBytes: 1, numPages: 7 });
    off();
    now = 6;
    bus.emit('target', { targetBytes: 1, numPages: 8 });
    expect(got).toEqual(['a 5 7', 'any target', 'any target']);
  });
});

describe('what a run emits', () => {
  it('a round trip: the target, then the first inflate buffer popped before it is pushed, then actual', () => {
    const es = eventsOf('inflate-deflate.json');
    const target = es.findIndex((e) => e.type === 'target');
    const pop = es.findIndex((e) => e.type === 'buffer-popped' && e.queue === 'inflate');
    const push = es.findIndex((e) => e.type === 'used-push' && e.queue === 'inflate');
    const actual = es.findIndex((e) => e.type === 'actual' && e.actual > 0);
    expect(target).toBeGreaterThanOrEqual(0);
    expect(target).toBeLessThan(pop);
    expect(pop).toBeLessThan(push);
    expect(push).toBeLessThan(actual);
    expect(es.some((e) => e.type === 'buffer-popped' && e.queue === 'deflate')).toBe(true);
    // time never goes back
    for (let i = 1; i < es.length; i++) expect(es[i].us).toBeGreaterThanOrEqual(es[i - 1].us);
  });

  it('out of puff, from the driver', () => {
    expect(types(eventsOf('out-of-puff.json'))).toContain('out-of-puff');
  });

  it('the OOM notifier deflating, apart from the OOM killer', () => {
    const notify = eventsOf('deflate-on-oom.json').filter((e) => e.type === 'oom-notify');
    // 4.001871 s: the first OOM of deflate-on-oom.json (as the timeline test pins it)
    expect(notify[0]).toMatchObject({ us: 4_001_871, deflates: true });
    const kill = eventsOf('oom-kill.json');
    expect(
      kill.filter((e) => e.type === 'oom-notify').every((e) => e.type === 'oom-notify' && !e.deflates),
    ).toBe(true);
    const killed = kill.find((e) => e.type === 'oom-kill');
    expect(killed?.type === 'oom-kill' && killed.text).toMatch(/^Killed process \d+ /);
    expect(types(kill)).toContain('oom');
  });

  it('a migration, from compaction', () => {
    expect(types(eventsOf('compaction.json'))).toContain('migration');
  });

  it('a device error, and QEMU warnings', () => {
    const fault = eventsOf('fault-bad-gpa.json').find((e) => e.type === 'device-error');
    expect(fault).toBeDefined();
    expect(types(eventsOf('host-2m-pages.json'))).toContain('warning');
  });

  it('the stats polling interval and the guest’s answers', () => {
    const es = types(eventsOf('stats-polling.json'));
    expect(es).toContain('stats-interval');
    expect(es).toContain('stats-received');
    expect(es).toContain('buffer-popped');
  });
});
