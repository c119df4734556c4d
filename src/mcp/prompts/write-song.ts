/**
 * write_song: a prompt that walks a model from an idea to good tags and structured lyrics, then to a
 * compose_music call. Prompt arguments are strings; language and length complete from fixed lists.
 */
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { z } from 'zod';

import { LANGUAGES, REFERENCE_URI, STRUCTURE_TAGS } from '../resources/reference.js';
import type { ToolContext } from '../shared/context.js';

const LENGTHS = ['30', '60', '90', '120', '180', '240'];

export function writeSongText(args: { idea: string; style?: string | undefined; language?: string | undefined; duration?: string | undefined; vocals?: string | undefined }): string {
  const seconds = Number(args.duration) > 0 ? Math.min(240, Math.max(1, Number(args.duration))) : 60;
  const lines = Math.max(4, Math.round(seconds / 3.5));
  return `Write a song for acejam (ACE-Step v1) and then make it with the compose_music tool.

Idea: ${args.idea}
${args.style ? `Style: ${args.style}\n` : ''}${args.language ? `Language of the lyrics: ${args.language}\n` : ''}${args.vocals ? `Vocals: ${args.vocals}\n` : ''}Length: about ${seconds} s (room for roughly ${lines} sung lines).

1. Tags: 5–12 comma-separated tags covering genre, 2–4 instruments, mood, tempo (e.g. "96 bpm") and the
   vocal style ("female vocals", "male rap", or "instrumental"). Concrete beats vague: "warm rhodes piano"
   rather than "nice sound".
2. Lyrics: sections marked with structure tags, each alone on its line: ${STRUCTURE_TAGS.map((t) => `[${t}]`).join(' ')}.
   A typical shape is [intro] [verse] [pre-chorus] [chorus] [verse] [chorus] [bridge] [chorus] [outro];
   shorten it to fit the length. Write short singable lines (6–10 syllables) with a clear rhyme, a
   chorus that repeats its hook, and no stage directions or rhyme-scheme notes inside the lyrics. Use the
   plain tag ([verse], never [verse 1]). For an instrumental, leave lyrics empty.
3. Call compose_music with tags, lyrics and duration ${seconds}. Keep the seed it reports: the same seed
   reproduces the song. Then offer retake_music (a new take), repaint_music (redo a section by name, e.g.
   "chorus"), extend_music or edit_music (new words, same music).

The resource ${REFERENCE_URI} lists tag ideas and the languages the model sings.`;
}

export function registerWriteSongPrompt(ctx: ToolContext): void {
  const languages = LANGUAGES.map(([, name]) => name.replace(/ \(.*\)$/, ''));
  ctx.server.registerPrompt(
    'write_song',
    {
      title: 'Write a song',
      description: 'Turn an idea into good acejam tags and structured lyrics ([verse], [chorus], …), then compose it.',
      argsSchema: {
        idea: z.string().describe('What the song is about, e.g. "a road trip with old friends at sunset"'),
        style: z.string().optional().describe('Genre or mood, e.g. "indie folk, warm, acoustic"'),
        language: completable(z.string().optional().describe('Language of the lyrics, e.g. English, Spanish, Japanese'), (value) =>
          languages.filter((name) => name.toLowerCase().startsWith((value ?? '').toLowerCase())),
        ),
        duration: completable(z.string().optional().describe('Length in seconds (1–240), default 60'), (value) => LENGTHS.filter((n) => n.startsWith(value ?? ''))),
        vocals: z.string().optional().describe('Vocal style, e.g. "female vocals", "male rap", "choir", "instrumental"'),
      },
    },
    (args) => ({
      description: `Write and compose: ${args.idea}`,
      messages: [{ role: 'user', content: { type: 'text', text: writeSongText(args) } }],
    }),
  );
}
