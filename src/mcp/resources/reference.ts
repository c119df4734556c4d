/**
 * acejam://reference/tags: what the model understands: style tag vocabulary, the lyric structure tags
 * ACE-Step v1 has single tokens for, and the languages its lyric tokenizer knows (spec §1.3).
 */
import type { ToolContext } from '../shared/context.js';

export const REFERENCE_URI = 'acejam://reference/tags';

/** Structure tags with a single token in ACE-Step v1's lyric vocabulary. */
export const STRUCTURE_TAGS = ['intro', 'verse', 'pre-chorus', 'chorus', 'bridge', 'hook', 'inst', 'solo', 'break', 'outro'] as const;

/** Language tokens of the lyric tokenizer (code → name); the first ten are the best trained. */
export const LANGUAGES: readonly (readonly [string, string])[] = [
  ['en', 'English'],
  ['zh', 'Chinese (sung as pinyin)'],
  ['ru', 'Russian'],
  ['es', 'Spanish'],
  ['ja', 'Japanese (sung as romaji)'],
  ['de', 'German'],
  ['fr', 'French'],
  ['pt', 'Portuguese'],
  ['it', 'Italian'],
  ['ko', 'Korean (romanised)'],
  ['pl', 'Polish'],
  ['tr', 'Turkish'],
  ['nl', 'Dutch'],
  ['cs', 'Czech'],
  ['ar', 'Arabic'],
  ['hu', 'Hungarian'],
  ['hi', 'Hindi'],
];

const TAG_GROUPS: Record<string, string[]> = {
  genre: ['pop', 'rock', 'indie rock', 'hip hop', 'rap', 'trap', 'r&b', 'soul', 'funk', 'disco', 'jazz', 'blues', 'country', 'folk', 'acoustic', 'electronic', 'edm', 'house', 'deep house', 'techno', 'trance', 'drum and bass', 'dubstep', 'synthwave', 'lofi hip hop', 'ambient', 'classical', 'orchestral', 'cinematic', 'metal', 'punk', 'reggae', 'latin', 'reggaeton', 'bossa nova', 'afrobeat', 'k-pop', 'j-pop', 'c-pop', 'gospel', 'musical theatre'],
  instruments: ['piano', 'electric piano', 'acoustic guitar', 'electric guitar', 'distorted guitar', 'bass guitar', 'synth bass', '808', 'drums', 'drum machine', 'strings', 'violin', 'cello', 'brass', 'saxophone', 'trumpet', 'flute', 'synthesizer', 'pads', 'arpeggiator', 'organ', 'choir', 'harp', 'ukulele', 'banjo', 'taiko'],
  mood: ['happy', 'uplifting', 'energetic', 'melancholic', 'sad', 'dreamy', 'dark', 'aggressive', 'romantic', 'chill', 'relaxing', 'epic', 'nostalgic', 'groovy', 'mysterious', 'playful'],
  vocals: ['male vocals', 'female vocals', 'duet', 'choir', 'rap verses', 'auto-tune', 'breathy vocals', 'powerful vocals', 'falsetto', 'spoken word', 'instrumental (no vocals)'],
  'tempo and production': ['60 bpm', '90 bpm', '120 bpm', '140 bpm', '174 bpm', 'slow', 'mid-tempo', 'fast', 'lo-fi', 'hi-fi', 'live recording', 'vinyl crackle', 'reverb', 'punchy mix', 'minimal'],
};

export function referenceMarkdown(): string {
  const groups = Object.entries(TAG_GROUPS)
    .map(([group, tags]) => `- **${group}**: ${tags.join(', ')}`)
    .join('\n');
  return `# acejam: writing tags and lyrics for ACE-Step v1

## Tags (the \`tags\` argument)
A comma-separated list; order does not matter much, 5–12 tags work best. Any words work (the text
encoder is UMT5), these are the kinds the model learned most from:
${groups}

Example: \`synth-pop, 80s, female vocals, bright synths, gated drums, 118 bpm, nostalgic\`

## Structure tags (in \`lyrics\`)
One per section, alone on its line, before the section's lines:
${STRUCTURE_TAGS.map((t) => `\`[${t}]\``).join(' ')}.
Use the plain tag (\`[verse]\`, not \`[verse 1]\`): numbered tags are not single tokens. acejam numbers
repeated sections itself for repaint_music ("chorus 2"). \`[inst]\`, \`[solo]\` and \`[break]\` mark
instrumental passages; empty lyrics (or only \`[instrumental]\`) make an instrumental song.

\`\`\`
[intro]

[verse]
Streetlights hum a song I used to know
Every window holds a different glow

[chorus]
Take me where the city never sleeps
Hold the night and everything it keeps

[outro]
\`\`\`

## Languages
Each lyric line's language is detected on its own. Known languages:
${LANGUAGES.map(([code, name]) => `\`${code}\` ${name}`).join(', ')}.
The first ten sing best. With \`lyrics_mode: "fixed"\` a line may start with an explicit \`[fr]\`-style
prefix to force its language.

## Durations
1–240 s. Allow about 2–4 s per sung line, plus intro and outro; a verse and chorus fit in 30–45 s.
`;
}

export function registerReferenceResource(ctx: ToolContext): void {
  ctx.server.registerResource(
    'tag-reference',
    REFERENCE_URI,
    {
      title: 'Tags, structure tags and languages',
      description: 'How to write tags and lyrics for acejam: style tag vocabulary, lyric structure tags, supported languages, durations.',
      mimeType: 'text/markdown',
    },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: referenceMarkdown() }] }),
  );
}
