/**
 * Lyric sections of a song with estimated times, so people can repaint "the chorus" instead of typing
 * seconds. ACE-Step has no alignment output, so times are an estimate: each section's share of the song
 * is proportional to its sung lines (an instrumental tag counts as two), which matches how the model
 * paces structured lyrics well enough to pick a region; the repaint modal shows the seconds it chose.
 */
export interface LyricSection {
  /** `verse`, `chorus 2`, …: the tag, numbered from its second occurrence. */
  name: string;
  tag: string;
  start: number;
  end: number;
  lines: string[];
}

const TAG = /^\s*\[([^\]]+)\]\s*$/;
const INSTRUMENTAL = new Set(['intro', 'outro', 'inst', 'solo', 'break', 'instrumental', 'interlude']);

export function lyricSections(lyrics: string, durationSeconds: number): LyricSection[] {
  const raw: { tag: string; lines: string[] }[] = [];
  for (const line of lyrics.split('\n')) {
    const match = TAG.exec(line);
    if (match) raw.push({ tag: match[1]!.trim().toLowerCase(), lines: [] });
    else if (line.trim()) {
      if (raw.length === 0) raw.push({ tag: 'verse', lines: [] });
      raw.at(-1)!.lines.push(line.trim());
    }
  }
  const weights = raw.map((s) => Math.max(s.lines.length, INSTRUMENTAL.has(s.tag.replace(/\s*\d+$/, '')) ? 2 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const seen = new Map<string, number>();
  let cursor = 0;
  return raw.map((section, index) => {
    const count = (seen.get(section.tag) ?? 0) + 1;
    seen.set(section.tag, count);
    const length = total > 0 ? (durationSeconds * weights[index]!) / total : 0;
    const start = cursor;
    cursor += length;
    return { name: count > 1 ? `${section.tag} ${count}` : section.tag, tag: section.tag, start: round(start), end: round(index === raw.length - 1 ? durationSeconds : cursor), lines: section.lines };
  });
}

/** Finds a section by name (`chorus`, `Chorus 2`, `[verse]`); the first when unnumbered. */
export function findSection(sections: readonly LyricSection[], name: string): LyricSection | undefined {
  const wanted = name.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return sections.find((s) => s.name === wanted) ?? sections.find((s) => s.tag === wanted);
}

const round = (seconds: number) => Math.round(seconds * 100) / 100;
