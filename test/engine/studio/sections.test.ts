import { describe, expect, it } from 'vitest';

import { findSection, lyricSections } from '../../../src/engine/studio/sections.js';

const lyrics = '[Intro]\n\n[Verse]\nline one\nline two\n\n[Chorus]\nhey\nhey\n[verse]\nthree\nfour\n[chorus]\nhey\nhey\n[outro]';

describe('lyric sections', () => {
  it('numbers repeated tags and spreads the duration by sung lines', () => {
    const sections = lyricSections(lyrics, 100);
    expect(sections.map((s) => s.name)).toEqual(['intro', 'verse', 'chorus', 'verse 2', 'chorus 2', 'outro']);
    // weights: intro 2, verse 2, chorus 2, verse 2, chorus 2, outro 2 → 100/12·2 each
    expect(sections[1]).toMatchObject({ start: 16.67, end: 33.33, lines: ['line one', 'line two'] });
    expect(sections.at(-1)!.end).toBe(100);
    expect(sections[0]!.start).toBe(0);
  });

  it('finds a section by name, tag or bracketed tag', () => {
    const sections = lyricSections(lyrics, 60);
    expect(findSection(sections, 'Chorus 2')?.name).toBe('chorus 2');
    expect(findSection(sections, '[chorus]')?.name).toBe('chorus');
    expect(findSection(sections, 'bridge')).toBeUndefined();
  });

  it('treats untagged lyrics as one verse, and no lyrics as no sections', () => {
    expect(lyricSections('la la\nla', 30).map((s) => [s.name, s.start, s.end])).toEqual([['verse', 0, 30]]);
    expect(lyricSections('', 30)).toEqual([]);
  });
});
