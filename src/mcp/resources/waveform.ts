/** acejam://songs/{id}/waveform.png: the song's waveform with lyric section markers, as a PNG image. */
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';

import type { ToolContext } from '../shared/context.js';
import { waveformUri } from '../shared/schemas.js';
import { guardedRead, variable } from './read-errors.js';

export function registerWaveformResource(ctx: ToolContext): void {
  const template = new ResourceTemplate('acejam://songs/{id}/waveform.png', {
    list: undefined,
    complete: {
      id: async (prefix) => (await ctx.studio.listSongs({ user: ctx.actor.user, limit: 100 }, ctx.actor)).map((s) => s.id).filter((id) => id.startsWith(prefix)),
    },
  });
  ctx.server.registerResource(
    'waveform',
    template,
    { title: 'Song waveform', description: 'A PNG picture of the song\'s waveform with its lyric sections marked.', mimeType: 'image/png' },
    async (uri, variables) =>
      guardedRead(uri.href, ctx.logger, async () => {
        const id = variable(variables.id);
        await ctx.studio.getSong(id, ctx.actor); // permission check: the waveform is as private as the song
        const file = await ctx.studio.file(id, 'waveform', ctx.actor);
        return { contents: [{ uri: waveformUri(id), mimeType: 'image/png', blob: Buffer.from(await file.data()).toString('base64') }] };
      }),
  );
}
