/**
 * The result message of a song (product.md §2 items 1 and 4): the audio in the best format that fits the
 * interaction's `attachment_size_limit` (chosen by `studio.deliver`), the waveform PNG, an embed with tags,
 * a lyrics excerpt, seed, duration, pack and lineage ("retake of `abc123` by @alice"), and the buttons.
 */
import { resultRows } from '../components/buttons.js';
import { discordIdOf, type Delivery, type SongView } from '../studio.js';
import { clock, code, mention, truncate } from './format.js';
import { COLORS, type OutgoingFile, type OutgoingMessage } from './message.js';

/** Discord's cap on one message request, all files together (`message.mdx:1072`). */
export const MAX_REQUEST_BYTES = 25 * 1024 * 1024;
export const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;
export const WAVEFORM_NAME = 'waveform.png';

const VERBS: Record<string, string> = {
  compose: 'composed',
  retake: 'retake',
  repaint: 'repaint',
  extend: 'extension',
  edit: 'edit',
  remix: 'remix',
};

/** "retake of `abc123` by @alice", or "composed by @alice". */
export function lineage(song: SongView): string {
  const by = mention(song.owner, discordIdOf(song.owner));
  if (!song.parentId) return song.operation === 'remix' ? `remix of an upload by ${by}` : `composed by ${by}`;
  return `${VERBS[song.operation ?? 'compose'] ?? song.operation} of ${code(song.parentId)} by ${by}`;
}

/** The first lines of the lyrics, as a quote: at most 8 lines and 600 characters. */
export function lyricsExcerpt(lyrics: string): string {
  const lines = lyrics.split('\n').map((line) => line.trim()).filter(Boolean);
  if (lines.length === 0) return '*instrumental*';
  const shown = lines.slice(0, 8);
  const more = lines.length > shown.length ? '\n> …' : '';
  return truncate(shown.map((line) => `> ${line}`).join('\n') + more, 600);
}

export interface AttachmentChoice {
  files: OutgoingFile[];
  /** Where the audio is when it could not be attached. */
  audioLink: string | null;
  audioFormat: string | null;
  notes: string[];
}

/**
 * Which files go on the message: the audio (already fitted to `limit` by the Studio), then the waveform
 * PNG if both fit the per-file limit and the 25 MiB request cap. An audio file over the limit is never
 * sent (Discord would refuse the whole message with 40005).
 */
export function chooseAttachments(limit: number, delivery: Delivery, waveform: Uint8Array | null): AttachmentChoice {
  const files: OutgoingFile[] = [];
  const notes: string[] = [];
  let audioLink: string | null = null;
  let audioFormat: string | null = null;
  let total = 0;
  if (delivery.link) {
    audioLink = delivery.uri;
    notes.push('The audio is larger than this channel accepts, so here is a link.');
  } else if (delivery.data.length > Math.min(limit, MAX_REQUEST_BYTES)) {
    notes.push(`The audio (${(delivery.data.length / 1048576).toFixed(1)} MiB) is over this channel's ${(limit / 1048576).toFixed(0)} MiB limit.`);
  } else {
    files.push({ name: delivery.name, data: delivery.data, contentType: delivery.mime });
    audioFormat = delivery.format;
    total += delivery.data.length;
  }
  if (waveform && waveform.length <= limit && total + waveform.length <= MAX_REQUEST_BYTES) files.push({ name: WAVEFORM_NAME, data: waveform, contentType: 'image/png' });
  return { files, audioLink, audioFormat, notes };
}

function seedText(song: SongView): string {
  const seed = song.seeds[0] === undefined ? '—' : String(song.seeds[0]);
  const retake = song.retakeSeeds?.[0];
  return retake === undefined ? seed : `${seed} · retake ${retake}`;
}

export function renderResult(song: SongView, choice: AttachmentChoice): OutgoingMessage {
  const link = choice.audioLink;
  const linkText = link === null ? null : /^https?:\/\//.test(link) ? `[download](${link})` : code(link);
  const description = [lineage(song), '', lyricsExcerpt(song.lyrics), ...choice.notes.map((note) => `\n*${note}*`)].join('\n');
  const fields = [
    { name: 'Seed', value: seedText(song), inline: true },
    { name: 'Duration', value: clock(song.durationSeconds), inline: true },
    { name: 'Pack', value: truncate(song.pack, 1024), inline: true },
    { name: 'Song', value: code(song.id), inline: true },
    { name: 'Audio', value: linkText ?? choice.audioFormat ?? '—', inline: true },
  ];
  if (song.visibility === 'private') fields.push({ name: 'Visibility', value: 'private: only its owner can use the buttons', inline: true });
  const hasWaveform = choice.files.some((file) => file.name === WAVEFORM_NAME);
  return {
    content: '',
    embeds: [
      {
        title: truncate(`🎵 ${song.tags}`, 256),
        description: truncate(description, 4096),
        color: COLORS.done,
        fields,
        ...(hasWaveform ? { image: { url: `attachment://${WAVEFORM_NAME}` } } : {}),
        footer: { text: truncate(song.uri, 2048) },
        timestamp: new Date(song.createdAt).toISOString(),
      },
    ],
    components: resultRows(song.id),
    files: choice.files,
  };
}
