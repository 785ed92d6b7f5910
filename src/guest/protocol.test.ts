import { describe, expect, it } from 'vitest';
import { offerText, parseOffer } from './protocol.ts';

describe('the features the real guest’s device offers, as the URL and npm run guest name them', () => {
  it('reads names into sorted feature bits, each once, and writes them back', () => {
    expect(parseOffer('deflate-on-oom, stats,stats')).toEqual([1, 2]);
    expect(parseOffer('must-tell-host')).toEqual([0]);
    expect(parseOffer('')).toEqual([]);
    expect(offerText([2, 1])).toBe('stats,deflate-on-oom');
    expect(parseOffer(offerText([0, 1, 2]))).toEqual([0, 1, 2]);
  });

  it('names an unknown feature and lists the ones there are', () => {
    expect(parseOffer('stats,free-page-hint')).toBe(
      '"free-page-hint" is not a feature the device can offer (stats, deflate-on-oom, must-tell-host)',
    );
  });
});
