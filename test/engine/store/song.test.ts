import { describe, expect, it } from 'vitest';

import { isSongId, newSongId, SONG_ID_PATTERN } from '../../../src/engine/store/song.js';

describe('newSongId', () => {
  it('draws 100k distinct ids of 10 base62 characters, using all 62', () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = newSongId();
      expect(id).toMatch(/^[0-9A-Za-z]{10}$/);
      seen.add(id);
      for (const c of id) chars.add(c);
    }
    expect(seen.size).toBe(100_000);
    expect(chars.size).toBe(62);
  });

  it('draws each character uniformly (rejection sampling: no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) for (const c of newSongId()) counts.set(c, (counts.get(c) ?? 0) + 1);
    // 200k characters, 62 cells: chi-square with 61 degrees of freedom; p < 1e-6 above ~130.
    const expected = 200_000 / 62;
    const chi2 = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(130);
  });

  it('recognises ids', () => {
    expect(isSongId('aZ09bY18cX')).toBe(true);
    expect(SONG_ID_PATTERN.test('aZ09bY18c')).toBe(false);
    expect(isSongId('aZ09bY18c-')).toBe(false);
    expect(isSongId('../../etc/')).toBe(false);
  });
});
