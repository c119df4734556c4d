/** get_song: one song's recipe, lineage, files and lyric sections. */
import { z } from 'zod';

import type { ToolContext } from '../shared/context.js';
import { guarded } from '../shared/errors.js';
import { describeSong, renderSong, songIdSchema, songOutput, waveformUri } from '../shared/schemas.js';
import { READ_ANNOTATIONS } from './descriptions.js';

export function registerGetSong(ctx: ToolContext): void {
  ctx.server.registerTool(
    'get_song',
    {
      title: 'Get a song',
      description:
        'Look up a song by id: its tags, lyrics, seeds, parent, resolved parameters, files and its lyric sections with estimated start and end times (use them with repaint_music). The audio itself is at the returned resource_uri.',
      inputSchema: { song_id: songIdSchema.describe('The song id, e.g. "a1B2c3D4e5".') },
      outputSchema: z.object({
        song: songOutput,
        sections: z.array(z.object({ name: z.string(), start: z.number(), end: z.number() })).describe('lyric sections with estimated times in seconds'),
      }),
      annotations: READ_ANNOTATIONS,
    },
    async ({ song_id }) =>
      guarded('get_song', ctx.logger, async () => {
        const song = await ctx.studio.getSong(song_id, ctx.actor);
        const sections = (await ctx.studio.sections(song.id)).map(({ name, start, end }) => ({ name, start, end }));
        const sectionText = sections.length ? `\nSections: ${sections.map((s) => `${s.name} ${s.start.toFixed(1)}–${s.end.toFixed(1)} s`).join(', ')}` : '';
        return {
          content: [
            { type: 'text', text: `Song ${describeSong(song)}\nTags: ${song.tags}${sectionText}` },
            { type: 'resource_link', uri: song.uri, name: song.id, description: 'the audio and its JSON recipe' },
            { type: 'resource_link', uri: waveformUri(song.id), name: `${song.id}-waveform.png`, mimeType: 'image/png' },
          ],
          structuredContent: { song: renderSong(song), sections },
        };
      }),
  );
}
