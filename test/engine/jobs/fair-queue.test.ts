/** The waiting room's order: round-robin between users, priority within a user, positions, removal. */
import { describe, expect, it } from 'vitest';

import { FairQueue, type FairItem } from '../../../src/engine/jobs/fair-queue.js';

let seq = 0;
const job = (user: string, name: string, priority = 0): FairItem => ({ id: name, user, priority, seq: seq++ });
const drain = (queue: FairQueue<FairItem>) => {
  const out: string[] = [];
  for (let item = queue.pick(); item; item = queue.pick()) out.push(item.id);
  return out;
};

describe('FairQueue', () => {
  it('runs B second when A has ten jobs (A1 already running)', () => {
    const queue = new FairQueue<FairItem>();
    queue.add(job('A', 'A1'));
    expect(queue.pick()?.id).toBe('A1');
    for (let i = 2; i <= 10; i++) queue.add(job('A', `A${i}`));
    queue.add(job('B', 'B1'));
    expect(queue.position('B1')).toBe(1);
    expect(drain(queue)).toEqual(['B1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'A10']);
  });

  it('interleaves users round by round, in order of arrival', () => {
    const queue = new FairQueue<FairItem>();
    for (const name of ['A1', 'A2', 'A3']) queue.add(job('A', name));
    for (const name of ['B1', 'B2']) queue.add(job('B', name));
    queue.add(job('C', 'C1'));
    expect(queue.ordered().map((i) => i.id)).toEqual(['A1', 'B1', 'C1', 'A2', 'B2', 'A3']);
    expect(drain(queue)).toEqual(['A1', 'B1', 'C1', 'A2', 'B2', 'A3']);
  });

  it('lets a newcomer join the current round, but not a user already served in it', () => {
    const queue = new FairQueue<FairItem>();
    for (const name of ['A1', 'A2']) queue.add(job('A', name));
    for (const name of ['B1', 'B2']) queue.add(job('B', name));
    expect(queue.pick()?.id).toBe('A1'); // round 0: A served, B next
    queue.add(job('C', 'C1')); // joins round 0
    queue.add(job('A', 'A3'));
    expect(drain(queue)).toEqual(['B1', 'C1', 'A2', 'B2', 'A3']);
  });

  it('does not let a user who just ran rejoin the same round by emptying their lane', () => {
    const queue = new FairQueue<FairItem>();
    queue.add(job('A', 'A1'));
    queue.add(job('B', 'B1'));
    queue.add(job('B', 'B2'));
    expect(queue.pick()?.id).toBe('A1');
    queue.add(job('A', 'A2')); // A's lane was empty, but A was served in this round already
    expect(queue.position('A2')).toBe(3); // round 1, after B2 (B has been waiting longer)
    expect(drain(queue)).toEqual(['B1', 'B2', 'A2']);
  });

  it('orders a user’s own jobs by priority, never ahead of other users', () => {
    const queue = new FairQueue<FairItem>();
    queue.add(job('A', 'A-low', 0));
    queue.add(job('A', 'A-high', 5));
    queue.add(job('B', 'B1'));
    expect(drain(queue)).toEqual(['A-high', 'B1', 'A-low']);
  });

  it('keeps positions and counts right through removals', () => {
    const queue = new FairQueue<FairItem>();
    for (const name of ['A1', 'A2']) queue.add(job('A', name));
    queue.add(job('B', 'B1'));
    expect([queue.position('A1'), queue.position('B1'), queue.position('A2')]).toEqual([1, 2, 3]);
    expect(queue.remove('A1')?.id).toBe('A1');
    expect(queue.remove('A1')).toBeUndefined();
    expect([queue.position('A1'), queue.position('A2'), queue.position('B1')]).toEqual([null, 1, 2]);
    expect([queue.size, queue.countOf('A'), queue.countOf('B'), queue.countOf('Z')]).toEqual([2, 1, 1, 0]);
    expect(() => queue.add(job('A', 'A2'))).toThrow(/already queued/);
  });

  it('matches pick order with ordered() on a random workload', () => {
    const queue = new FairQueue<FairItem>();
    let state = 7;
    const rand = (n: number) => ((state = (state * 1103515245 + 12345) >>> 0) % n);
    let n = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = rand(4); i > 0; i--) queue.add(job(`U${rand(6)}`, `J${n++}`, rand(3)));
      const expected = queue.ordered()[0]?.id;
      expect(queue.pick()?.id).toBe(expected);
    }
    const order = queue.ordered().map((i) => i.id);
    expect(drain(queue)).toEqual(order);
  });
});
