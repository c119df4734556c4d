import { describe, expect, it } from 'vitest';

import { MB, planBudget } from '../../../src/engine/artifacts/budget.js';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const song = (id: string, daysOld: number, ...shas: string[]) => ({ id, createdAt: NOW - daysOld * DAY, artifacts: Object.fromEntries(shas.map((s, i) => [`a${i}`, { sha256: s }])) });

describe('planBudget', () => {
  const sizes = new Map([['a', 2 * MB], ['b', 2 * MB], ['c', 2 * MB], ['w', MB / 2]]);
  const songs = [song('s3', 1, 'c'), song('s1', 20, 'a', 'w'), song('s2', 10, 'b', 'w')]; // deliberately unsorted

  it('keeps everything with no retention and no budget', () => {
    expect(planBudget({ retentionDays: 0, diskBudgetMb: 0 }, songs, sizes, NOW)).toEqual({ songIds: [], sha256s: [], bytesFreed: 0, bytesKept: 6.5 * MB });
  });

  it('drops songs older than the retention, freeing only unshared files', () => {
    const plan = planBudget({ retentionDays: 15, diskBudgetMb: 0 }, songs, sizes, NOW);
    expect(plan).toEqual({ songIds: ['s1'], sha256s: ['a'], bytesFreed: 2 * MB, bytesKept: 4.5 * MB });
  });

  it('drops the oldest songs until the kept bytes fit the budget', () => {
    expect(planBudget({ retentionDays: 0, diskBudgetMb: 5 }, songs, sizes, NOW).songIds).toEqual(['s1']);
    const plan = planBudget({ retentionDays: 0, diskBudgetMb: 2 }, songs, sizes, NOW);
    expect(plan.songIds).toEqual(['s1', 's2']);
    expect(plan.sha256s).toEqual(['a', 'b', 'w']);
    expect(plan.bytesKept).toBe(2 * MB);
    expect(planBudget({ retentionDays: 0, diskBudgetMb: 1 }, songs, sizes, NOW).songIds).toEqual(['s1', 's2', 's3']);
  });

  it('counts missing files as zero bytes', () => {
    expect(planBudget({ retentionDays: 0, diskBudgetMb: 1 }, [song('x', 1, 'gone')], new Map(), NOW).songIds).toEqual([]);
  });
});
