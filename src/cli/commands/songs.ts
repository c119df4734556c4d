/**
 * `acejam songs list [--user U | --channel C] [--limit N] [--json]`, `songs show ID`, `songs tree ID`,
 * `songs export ID [--format flac|mp3|wav|latent|waveform] [--out FILE]`: the song store from the shell.
 */
import { copyFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import type { Config } from '../../config/schema.js';
import { decodeUpload } from '../../engine/audio/in/index.js';
import { writeWav } from '../../engine/audio/wav.js';
import { InvalidInputError } from '../../engine/index.js';
import { Studio, type SongTreeView, type SongView } from '../../engine/studio/index.js';
import { localActor } from '../studio-run.js';

export const SONGS_USAGE = `  acejam songs list [--user U | --channel C] [--limit N] [--json]
  acejam songs show ID [--json]
  acejam songs tree ID [--json]
  acejam songs export ID [--format flac|mp3|wav|latent|waveform] [--out FILE]`;

const line = (song: SongView) =>
  `${song.id}  ${new Date(song.createdAt).toISOString().slice(0, 19)}  ${(song.operation ?? 'compose').padEnd(7)}  ${song.durationSeconds.toFixed(1).padStart(6)} s  ${song.owner}  ${song.tags.slice(0, 60)}`;

export async function runSongsCommand(argv: string[], config: Config): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { user: { type: 'string' }, channel: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, format: { type: 'string' }, out: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const studio = await Studio.open(config, { persistQueue: false });
  const actor = localActor();
  const print = (value: unknown, text: string) => process.stdout.write(`${values.json ? JSON.stringify(value, null, 2) : text}\n`);
  try {
    switch (action) {
      case 'list': {
        const limit = values.limit === undefined ? 20 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidInputError('limit', '--limit must be a whole number from 1 to 1000');
        const songs = await studio.listSongs({ ...(values.channel ? { channelId: values.channel } : { user: values.user ?? actor.user }), limit }, actor);
        print(songs, songs.map(line).join('\n') || '(no songs)');
        return 0;
      }
      case 'show': {
        const song = await studio.getSong(need(positionals[0]), actor);
        print(song, [line(song), `  parent ${song.parentId ?? '-'}, seeds ${song.seeds.join(',')}${song.retakeSeeds ? `, retake seeds ${song.retakeSeeds.join(',')}` : ''}, pack ${song.pack}`, `  files: ${song.files.map((f) => `${f.kind} ${f.bytes} B`).join(', ')}`, `  ${song.uri}`].join('\n'));
        return 0;
      }
      case 'tree': {
        const tree = await studio.tree(need(positionals[0]), actor);
        const render = (node: SongTreeView, depth: number): string[] => [`${'  '.repeat(depth)}${depth ? '└ ' : ''}${line(node.song)}`, ...node.children.flatMap((child) => render(child, depth + 1))];
        print(tree, render(tree, 0).join('\n'));
        return 0;
      }
      case 'export': {
        const id = need(positionals[0]);
        const format = values.format ?? 'flac';
        if (!['flac', 'mp3', 'wav', 'latent', 'waveform'].includes(format)) throw new InvalidInputError('format', '--format must be flac, mp3, wav, latent or waveform');
        const ext = { flac: 'flac', mp3: 'mp3', wav: 'wav', latent: 'npy', waveform: 'png' }[format]!;
        const out = values.out ?? `acejam-${id}.${ext}`;
        if (format === 'wav') {
          const master = await decodeUpload(await (await studio.file(id, 'flac', actor)).data(), { maxBytes: 2 ** 31 - 1, maxSeconds: 86400 });
          await writeWav(out, master.channels, master.sampleRate, 16);
        } else {
          await copyFile((await studio.file(id, format as 'flac' | 'mp3' | 'latent' | 'waveform', actor)).path, out);
        }
        process.stdout.write(`${out}\n`);
        return 0;
      }
      default:
        process.stderr.write(`usage:\n${SONGS_USAGE}\n`);
        return 64;
    }
  } finally {
    await studio.close();
  }
}

function need(id: string | undefined): string {
  if (!id) throw new InvalidInputError('id', 'give a song id');
  return id;
}
