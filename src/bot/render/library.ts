/**
 * Browsing songs: a /history page (newest first, "Older" button, a select to open one) and the version
 * tree of /song (product.md §3 item 22): every retake, repaint, extend and edit is a node with a parent,
 * shown as text and as a select to jump to a version.
 */
import { historyNavRow, songSelectRow } from '../components/buttons.js';
import { discordIdOf, type SongTree, type SongView } from '../studio.js';
import { clock, code, mention, relativeTime, truncate } from './format.js';
import { COLORS, type OutgoingMessage } from './message.js';

export const HISTORY_PAGE = 10;

export function renderHistory(songs: SongView[], scope: 'mine' | 'channel', hasMore: boolean): OutgoingMessage {
  const title = scope === 'mine' ? 'Your songs' : 'Songs in this channel';
  const lines = songs.map((song) => `${code(song.id)} ${truncate(song.tags, 60)} · ${clock(song.durationSeconds)} · ${song.operation ?? 'compose'} by ${mention(song.owner, discordIdOf(song.owner))} ${relativeTime(song.createdAt)}`);
  const rows = [
    songSelectRow({ action: 'show', id: '-' }, 'Open a song with its buttons…', songs.map((song) => ({ label: truncate(`${song.id} · ${song.tags}`, 100), value: song.id, description: truncate(`${song.operation ?? 'compose'} · ${clock(song.durationSeconds)}`, 100) }))),
    historyNavRow(hasMore ? (songs.at(-1)?.id ?? null) : null, scope),
  ].filter((row) => row !== null);
  return {
    content: '',
    embeds: [{ title, description: lines.length > 0 ? truncate(lines.join('\n'), 4096) : '*No songs yet: try /compose.*', color: COLORS.info }],
    components: rows,
  };
}

interface Line {
  song: SongView;
  depth: number;
  last: boolean[];
}

function flatten(tree: SongTree, depth = 0, last: boolean[] = [], out: Line[] = []): Line[] {
  out.push({ song: tree.song, depth, last });
  tree.children.forEach((child, i) => flatten(child, depth + 1, [...last, i === tree.children.length - 1], out));
  return out;
}

/** The version tree as text lines (at most `max`) and the versions for the select. */
export function treeLines(tree: SongTree, currentId: string, max = 25): { text: string; versions: SongView[] } {
  const lines = flatten(tree);
  const text = lines.slice(0, max).map(({ song, depth, last }) => {
    const indent = depth === 0 ? '' : last.slice(0, -1).map((isLast) => (isLast ? '   ' : '│  ')).join('') + (last.at(-1) ? '└ ' : '├ ');
    const marker = song.id === currentId ? ' ★' : '';
    return `${indent}${code(song.id)} ${song.operation ?? 'compose'} by ${mention(song.owner, discordIdOf(song.owner))}${marker}`;
  });
  if (lines.length > max) text.push(`… and ${lines.length - max} more`);
  return { text: text.join('\n'), versions: lines.slice(0, 25).map((l) => l.song) };
}

/** Adds the version tree (an embed and a jump select) to a song's result message. */
export function withTree(message: OutgoingMessage, tree: SongTree, currentId: string): OutgoingMessage {
  const { text, versions } = treeLines(tree, currentId);
  if (versions.length <= 1) return message;
  const select = songSelectRow(
    { action: 'show', id: tree.song.id },
    'Jump to a version…',
    versions.map((song) => ({ label: truncate(`${song.id} · ${song.operation ?? 'compose'}${song.id === currentId ? ' (this one)' : ''}`, 100), value: song.id, description: truncate(song.tags, 100) })),
  );
  return {
    ...message,
    embeds: [...(message.embeds ?? []), { title: 'Versions', description: truncate(text, 4096), color: COLORS.info }],
    components: [...(message.components ?? []), ...(select ? [select] : [])],
  };
}
