/** list_songs: the caller's songs, newest first, or one song's version tree. */
import { z } from 'zod';

import type { ToolContext } from '../shared/context.js';
import { guarded } from '../shared/errors.js';
import { songIdSchema } from '../shared/schemas.js';
import { OPERATIONS, type SongTree, type SongView } from '../studio.js';
import { READ_ANNOTATIONS } from './descriptions.js';

const listedSong = z.object({
  song_id: z.string(),
  parent_id: z.string().nullable(),
  operation: z.enum(OPERATIONS).nullable(),
  owner: z.string(),
  visibility: z.enum(['public', 'private']),
  created_at: z.string(),
  tags: z.string(),
  duration_seconds: z.number(),
  seeds: z.array(z.number().int()),
  resource_uri: z.string(),
  depth: z.int().optional().describe('in a version tree: 0 for the root, 1 for its children, …'),
});
type ListedSong = z.infer<typeof listedSong>;

function listed(song: SongView, depth?: number): ListedSong {
  const out: ListedSong = {
    song_id: song.id,
    parent_id: song.parentId,
    operation: song.operation,
    owner: song.owner,
    visibility: song.visibility,
    created_at: new Date(song.createdAt).toISOString(),
    tags: song.tags,
    duration_seconds: song.durationSeconds,
    seeds: song.seeds,
    resource_uri: song.uri,
  };
  if (depth !== undefined) out.depth = depth;
  return out;
}

function flatten(tree: SongTree, depth = 0, out: ListedSong[] = []): ListedSong[] {
  out.push(listed(tree.song, depth));
  for (const child of tree.children) flatten(child, depth + 1, out);
  return out;
}

export function registerListSongs(ctx: ToolContext): void {
  ctx.server.registerTool(
    'list_songs',
    {
      title: 'List songs',
      description:
        'List your songs, newest first (page with "before"), or, with song_id, the whole version tree that song belongs to: the original and every retake, repaint, extension and edit made from it, depth-first, with depth and parent_id.',
      inputSchema: {
        song_id: songIdSchema.optional().describe('Show the version tree containing this song instead of your recent songs.'),
        limit: z.int().min(1).max(100).optional().describe('How many of your songs to list (default 20).'),
        before: songIdSchema.optional().describe('For the next page: the song_id of the last song of the previous page.'),
      },
      outputSchema: z.object({
        songs: z.array(listedSong),
        next_before: z.string().nullable().describe('pass as "before" to get the next page; null when there are no more'),
      }),
      annotations: READ_ANNOTATIONS,
    },
    async ({ song_id, limit, before }) =>
      guarded('list_songs', ctx.logger, async () => {
        if (song_id !== undefined) {
          const songs = flatten(await ctx.studio.tree(song_id, ctx.actor));
          const text = songs.map((s) => `${'  '.repeat(s.depth ?? 0)}- ${s.song_id} ${s.operation ?? 'compose'} ${s.duration_seconds.toFixed(1)} s: ${s.tags}`).join('\n');
          return { content: [{ type: 'text', text: `Version tree of ${song_id} (${songs.length} songs):\n${text}` }], structuredContent: { songs, next_before: null } };
        }
        const pageSize = limit ?? 20;
        const query: { user: string; limit: number; before?: string } = { user: ctx.actor.user, limit: pageSize };
        if (before !== undefined) query.before = before;
        const songs = (await ctx.studio.listSongs(query, ctx.actor)).map((song) => listed(song));
        const next = songs.length === pageSize ? (songs.at(-1)?.song_id ?? null) : null;
        const text = songs.length ? songs.map((s) => `- ${s.song_id} (${s.created_at}, ${s.duration_seconds.toFixed(1)} s${s.parent_id ? `, from ${s.parent_id}` : ''}): ${s.tags}`).join('\n') : 'No songs yet: make one with compose_music.';
        return { content: [{ type: 'text', text }], structuredContent: { songs, next_before: next } };
      }),
  );
}
