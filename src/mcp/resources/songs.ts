/**
 * acejam://songs/{id}: a song as a resource. A read returns the audio (mime type from its format) and,
 * as a second content item, its JSON recipe; the template lists the caller's recent songs and completes
 * ids from them.
 */
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';

import type { ToolContext } from '../shared/context.js';
import { mainAudio, renderSong } from '../shared/schemas.js';
import type { AudioFormat } from '../studio.js';
import { guardedRead, variable } from './read-errors.js';

const LISTED = 50;

export function registerSongResource(ctx: ToolContext): void {
  const template = new ResourceTemplate('acejam://songs/{id}', {
    list: async () => {
      const songs = await ctx.studio.listSongs({ user: ctx.actor.user, limit: LISTED }, ctx.actor);
      return {
        resources: songs.map((song) => {
          const audio = mainAudio(song);
          return {
            uri: song.uri,
            name: song.id,
            title: song.tags.slice(0, 120),
            description: `${song.durationSeconds.toFixed(1)} s, ${song.operation ?? 'compose'}${song.parentId ? ` of ${song.parentId}` : ''}`,
            ...(audio ? { mimeType: audio.mime, size: audio.bytes } : {}),
          };
        }),
      };
    },
    complete: {
      id: async (prefix) => {
        const songs = await ctx.studio.listSongs({ user: ctx.actor.user, limit: 100 }, ctx.actor);
        return songs.map((song) => song.id).filter((id) => id.startsWith(prefix));
      },
    },
  });
  ctx.server.registerResource(
    'song',
    template,
    {
      title: 'A song',
      description: 'The audio of an acejam song (first content) and its JSON recipe: tags, lyrics, seeds, parent, resolved parameters (second content).',
    },
    async (uri, variables) =>
      guardedRead(uri.href, ctx.logger, async () => {
        const id = variable(variables.id);
        const song = await ctx.studio.getSong(id, ctx.actor);
        const audio = mainAudio(song);
        const file = await ctx.studio.file(id, (audio?.kind ?? 'mp3') as AudioFormat, ctx.actor);
        const data = await file.data();
        return {
          contents: [
            { uri: song.uri, mimeType: file.mime, blob: Buffer.from(data).toString('base64') },
            { uri: song.uri, mimeType: 'application/json', text: JSON.stringify(renderSong(song), null, 2) },
          ],
        };
      }),
  );
}
