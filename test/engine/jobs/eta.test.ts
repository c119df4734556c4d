/** The ETA model (moving average of seconds per cost unit per pack + provider) and the queue simulation. */
import { describe, expect, it } from 'vitest';

import { EtaModel, etaKey, firstStartEta, queueEtas } from '../../../src/engine/jobs/eta.js';

describe('EtaModel', () => {
  it('starts unknown (or at the prior), then follows a moving average per key', () => {
    const model = new EtaModel({ alpha: 0.5 });
    const key = etaKey('tiny', 'cpu');
    expect(key).toBe('tiny/cpu');
    expect(model.estimate(key, 100)).toBeNull();
    model.record(key, 100, 10); // 0.1 s per unit
    expect(model.estimate(key, 200)).toBeCloseTo(20);
    model.record(key, 100, 30); // 0.3 → average 0.2
    expect(model.secondsPerCost(key)).toBeCloseTo(0.2);
    expect(model.estimate(etaKey('base', 'cuda'), 100)).toBeNull();
    expect(new EtaModel({ initial: 0.05 }).estimate(key, 100)).toBeCloseTo(5);
    expect(() => new EtaModel({ alpha: 0 })).toThrow(RangeError);
  });
});

describe('queueEtas', () => {
  it('places waiting jobs on the earliest free slot', () => {
    expect(queueEtas([4], [10, 10], 1)).toEqual([14, 24]);
    expect(queueEtas([4], [10, 10, 10], 2)).toEqual([10, 14, 20]);
    expect(queueEtas([], [5, 5], 1)).toEqual([5, 10]);
  });

  it('gives null from the first unknown on', () => {
    expect(queueEtas([null], [10], 1)).toEqual([null]);
    expect(queueEtas([2], [10, null, 10], 1)).toEqual([12, null, null]);
  });

  it('knows when the next slot frees', () => {
    expect(firstStartEta([30, 12], 2)).toBe(12);
    expect(firstStartEta([30], 2)).toBe(0);
    expect(firstStartEta([null], 1)).toBeNull();
  });
});
