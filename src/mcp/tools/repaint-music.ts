/** repaint_music: regenerate one stretch of a song, keeping the rest (ACE-Step repaint). */
import { z } from 'zod';

import type { ToolContext } from '../shared/context.js';
import { registerGeneration } from '../shared/generation.js';
import { deliveryShape, generationOutput, seedSchema, songIdSchema } from '../shared/schemas.js';
import { GENERATION_ANNOTATIONS, LYRICS_DESCRIPTION, SONG_ID_DESCRIPTION, TAGS_DESCRIPTION } from './descriptions.js';

export function registerRepaintMusic(ctx: ToolContext): void {
  const { limits } = ctx.studio.info();
  registerGeneration(
    ctx,
    'repaint_music',
    {
      title: 'Repaint part of a song',
      description:
        'Regenerate one part of an existing song and keep the rest: give either start and end in seconds, or a lyric section name such as "chorus", "verse 2" or "bridge" (get_song lists the sections with their estimated times). Optionally change the tags or lyrics for that part. Returns a new song whose parent_id is the original.',
      inputSchema: {
        song_id: songIdSchema.describe(SONG_ID_DESCRIPTION),
        start: z.number().min(0).max(limits.maxDuration).optional().describe('Start of the part to redo, in seconds from the beginning.'),
        end: z.number().min(0).max(limits.maxDuration).optional().describe('End of the part to redo, in seconds (greater than start).'),
        section: z.string().trim().min(1).max(64).optional().describe('Instead of start/end: a lyric section, e.g. "chorus" (the first chorus), "chorus 2", "verse", "bridge".'),
        tags: z.string().trim().min(1).max(limits.maxTagChars).optional().describe(`New tags for the repainted part (default: the song's). ${TAGS_DESCRIPTION}`),
        lyrics: z.string().max(limits.maxLyricChars).optional().describe(`The whole song's lyrics with the repainted part changed (default: the song's). ${LYRICS_DESCRIPTION}`),
        variance: z.number().min(0).max(1).optional().describe('How much the part changes, 0–1 (default 0.5).'),
        seed: seedSchema.optional().describe('Seed of the new noise; omit for a random one.'),
        ...deliveryShape(ctx.limits),
      },
      outputSchema: generationOutput,
      annotations: GENERATION_ANNOTATIONS,
    },
    ({ song_id, start, end, section, tags, lyrics, variance, seed, ...delivery }) => ({
      operation: 'repaint',
      params: { songId: song_id, start, end, section, tags, lyrics, variance, seed },
      delivery,
    }),
  );
}
