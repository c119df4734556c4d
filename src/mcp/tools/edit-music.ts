/** edit_music: change a song's lyrics or style while keeping its melody and arrangement (ACE-Step edit). */
import { z } from 'zod';

import type { ToolContext } from '../shared/context.js';
import { registerGeneration } from '../shared/generation.js';
import { deliveryShape, generationOutput, seedSchema, songIdSchema } from '../shared/schemas.js';
import { GENERATION_ANNOTATIONS, LYRICS_DESCRIPTION, SONG_ID_DESCRIPTION, TAGS_DESCRIPTION } from './descriptions.js';

export function registerEditMusic(ctx: ToolContext): void {
  const { limits } = ctx.studio.info();
  registerGeneration(
    ctx,
    'edit_music',
    {
      title: 'Edit lyrics or style',
      description:
        'Edit an existing song: give new lyrics (same structure tags, different words) and/or new tags. mode "only_lyrics" (default) keeps the melody and arrangement and changes the words; mode "remix" keeps the song\'s shape but lets the style change more. Returns a new song whose parent_id is the original.',
      inputSchema: {
        song_id: songIdSchema.describe(SONG_ID_DESCRIPTION),
        lyrics: z.string().max(limits.maxLyricChars).optional().describe(`The new lyrics for the whole song. ${LYRICS_DESCRIPTION}`),
        tags: z.string().trim().min(1).max(limits.maxTagChars).optional().describe(`New style tags. ${TAGS_DESCRIPTION}`),
        mode: z.enum(['only_lyrics', 'remix']).optional().describe('only_lyrics (default): same music, new words. remix: freer change of style.'),
        seed: seedSchema.optional().describe('Seed of the edit noise; omit for a random one.'),
        ...deliveryShape(ctx.limits),
      },
      outputSchema: generationOutput,
      annotations: GENERATION_ANNOTATIONS,
    },
    ({ song_id, lyrics, tags, mode, seed, ...delivery }) => ({ operation: 'edit', params: { songId: song_id, lyrics, tags, mode, seed }, delivery }),
  );
}
