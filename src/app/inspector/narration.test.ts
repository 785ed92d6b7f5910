import { describe, expect, it } from 'vitest';
import { bundledScenario, newSim } from '../../sim/testing.ts';
import { DRIVER_FUNCTIONS } from '../../sim/view.ts';
import { hasNarration, narrate } from './narration.ts';

describe('narrate', () => {
  it.each(DRIVER_FUNCTIONS)('has a sentence of its own for %s', (fn) => {
    expect(hasNarration(fn)).toBe(true);
    const s = narrate(fn);
    expect(s).toMatch(/^[A-Z].*[.!]$/);
    expect(s).not.toContain(fn);
    expect(s.length).toBeLessThan(220);
  });

  it('gives every function a different sentence', () => {
    const sentences = new Set(DRIVER_FUNCTIONS.map((fn) => narrate(fn)));
    expect(sentences.size).toBe(DRIVER_FUNCTIONS.length);
  });

  it('puts the numbers of the call into the sentence', () => {
    expect(narrate('fill_balloon', 'num=256')).toBe(
      'The driver takes up to 256 free pages from the guest to put in the balloon.',
    );
    expect(narrate('fill_balloon', 'num=100')).toContain('up to 100 free pages');
    expect(narrate('fill_balloon', 'num=1000')).toContain('The host wants 1000 in all; one batch holds 256.');
    expect(narrate('tell_host', 'inflate 256 pfns')).toBe(
      'It hands the batch of 256 PFNs to the host through the inflate queue and waits for the host to ' +
        'acknowledge it.',
    );
    expect(narrate('tell_host', 'deflate 12 pfns')).toContain('through the deflate queue');
    expect(narrate('update_balloon_size', 'actual=512')).toContain('actual = 512');
    expect(narrate('update_balloon_size', 'actual=512')).toContain('512 pages (2 MiB)');
    expect(narrate('leak_balloon', 'num=40')).toContain('up to 40 pages');
    expect(narrate('set_page_pfns', '1 pages')).toContain('of the page');
    expect(narrate('release_pages_balloon', '7 pages')).toContain('the 7 pages');
    expect(narrate('virtballoon_migratepage', '812 → 4097')).toContain('move page 812');
  });

  it('leaves the numbers out when the detail does not parse', () => {
    expect(narrate('tell_host', 'garbled')).toContain('batch of PFNs');
    expect(narrate('update_balloon_size')).not.toContain('undefined');
    expect(narrate('fill_balloon', '')).toContain('up to 256');
  });

  it('narrates running out of puff, however the event is spelled', () => {
    for (const name of ['out_of_puff', 'Out of puff!', 'out-of-puff']) {
      expect(hasNarration(name)).toBe(true);
      expect(narrate(name)).toMatch(/^Out of puff! .* 200 ms/);
    }
  });

  it('says in one line that fill_balloon ran out of puff, with how many pages and how long it sleeps', () => {
    expect(narrate('fill_balloon', "Out of puff! Can't get 1 pages; msleep(200)")).toBe(
      'Out of puff! The guest could not get 1 page for the balloon: the driver ends this batch early and ' +
        'retries in 200 ms.',
    );
    expect(narrate('fill_balloon', "Out of puff! Can't get 16 pages; msleep(50)")).toMatch(
      /could not get 16 pages .* retries in 50 ms\.$/,
    );
    expect(narrate('out_of_puff', "Out of puff! Can't get 1 pages; msleep(200)")).toContain('get 1 page ');
    expect(narrate('fill_balloon', 'num=256')).not.toContain('puff');
  });

  it('still says something for a function it does not know', () => {
    expect(hasNarration('virtballoon_shrinker_scan')).toBe(false);
    expect(narrate('virtballoon_shrinker_scan', 'x=1')).toBe(
      'The driver runs virtballoon_shrinker_scan (x=1).',
    );
  });
});

describe('the narration of a run that runs out of puff', () => {
  it('has the driver view say so at each "Out of puff!", with the numbers, until the sleep ends', () => {
    const sim = newSim(bundledScenario('out-of-puff.json'));
    const puffs = sim.log.lines;
    let seen = 0;
    while (sim.step()) {
      const logged = puffs.filter((l) => l.text.includes('Out of puff!')).length;
      if (logged === seen) continue;
      seen = logged;
      // the current line of the driver view, right after fill_balloon logged it
      const now = sim.calls.at(-1)!;
      expect(now.fn).toBe('fill_balloon');
      expect(now.us).toBe(sim.nowUs);
      expect(narrate(now.fn, now.detail)).toBe(
        'Out of puff! The guest could not get 1 page for the balloon: the driver ends this batch early and ' +
          'retries in 200 ms.',
      );
    }
    expect(seen).toBeGreaterThan(5);
  });

  it('counts 16 pages a kernel page on a guest with 64 KiB pages', () => {
    const s = bundledScenario('out-of-puff.json');
    const sim = newSim({ ...s, guest: { ...s.guest, pageKiB: 64 } });
    sim.runToEnd();
    const puff = sim.calls.find((c) => c.detail?.startsWith('Out of puff'));
    expect(narrate(puff!.fn, puff!.detail)).toContain('could not get 16 pages');
  });
});
