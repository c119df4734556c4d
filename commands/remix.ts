/**
 * /remix tags [file] [song] [strength] [lyrics] [seed]: audio-to-audio (spec §3.6) from an uploaded audio
 * file or one of the songs here. Uploads are checked before they are fetched (type and size); the Studio
 * decodes and refuses anything that is not audio.
 */
import { SlashCommandBuilder, type Attachment } from 'discord.js';

import { songChoices } from '../src/bot/autocomplete.js';
import type { BotCommand, BotContext } from '../src/bot/context.js';
import { CONTEXTS, INTEGRATION_TYPES, MAX_LYRICS, MAX_SEED, MAX_TAGS } from '../src/bot/limits.js';
import { songFor, startJob } from '../src/bot/operations.js';
import { UserFacingError } from '../src/bot/render/error.js';
import { code, truncate } from '../src/bot/render/format.js';

const AUDIO_EXTENSIONS = /\.(wav|mp3|flac|ogg|oga|opus)$/i;

/** Refuses what is plainly not audio, or too big, before downloading it. */
export function checkUpload(attachment: Pick<Attachment, 'name' | 'contentType' | 'size'>, maxBytes: number): void {
  const type = (attachment.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const generic = ['', 'application/octet-stream', 'application/ogg', 'video/ogg'].includes(type);
  if (!type.startsWith('audio/') && !(generic && AUDIO_EXTENSIONS.test(attachment.name)))
    throw new UserFacingError(`“${truncate(attachment.name, 80)}” is not an audio file${type ? ` (${type})` : ''}.`, 'Upload WAV, MP3, FLAC or Ogg (Vorbis/Opus).');
  if (attachment.size > maxBytes) throw new UserFacingError(`“${truncate(attachment.name, 80)}” is ${(attachment.size / 1048576).toFixed(1)} MiB; the limit is ${(maxBytes / 1048576).toFixed(1)} MiB.`);
}

async function download(attachment: Attachment, ctx: BotContext): Promise<Uint8Array> {
  const response = await fetch(attachment.url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new UserFacingError(`Could not fetch “${attachment.name}” from Discord (HTTP ${response.status}); try uploading it again.`);
  const data = new Uint8Array(await response.arrayBuffer());
  if (data.length > ctx.maxUploadBytes) throw new UserFacingError(`“${attachment.name}” is larger than the ${(ctx.maxUploadBytes / 1048576).toFixed(1)} MiB limit.`);
  return data;
}

const data = new SlashCommandBuilder()
  .setName('remix')
  .setDescription('Remix audio into a new song (upload a file, or pick one of the songs here)')
  .setContexts(CONTEXTS)
  .setIntegrationTypes(INTEGRATION_TYPES)
  .addStringOption((o) => o.setName('tags').setDescription('What the remix should sound like').setRequired(true).setMaxLength(MAX_TAGS))
  .addAttachmentOption((o) => o.setName('file').setDescription('An audio file: WAV, MP3, FLAC or Ogg'))
  .addStringOption((o) => o.setName('song').setDescription('Or a song id instead of a file').setAutocomplete(true).setMaxLength(64))
  .addNumberOption((o) => o.setName('strength').setDescription('How much of the source survives, 0–0.99 (default 0.5)').setMinValue(0).setMaxValue(0.99))
  .addStringOption((o) => o.setName('lyrics').setDescription('Lyrics for the remix').setMaxLength(MAX_LYRICS))
  .addIntegerOption((o) => o.setName('seed').setDescription('Seed').setMinValue(0).setMaxValue(MAX_SEED));

export default {
  data: data.toJSON(),
  defer: 'ephemeral',
  async execute(interaction, ctx) {
    const { options } = interaction;
    const tags = options.getString('tags', true).trim();
    const file = options.getAttachment('file');
    const songId = options.getString('song')?.trim();
    if ((file === null) === !songId) throw new UserFacingError('Give exactly one source: an uploaded file or a song id.');
    const strength = options.getNumber('strength') ?? undefined;
    const lyrics = options.getString('lyrics') ?? undefined;
    const seed = options.getInteger('seed') ?? undefined;
    const extra = { ...(strength !== undefined ? { strength } : {}), ...(lyrics !== undefined ? { lyrics } : {}), ...(seed !== undefined ? { seed } : {}) };
    if (file) {
      checkUpload(file, ctx.maxUploadBytes);
      const upload = await download(file, ctx);
      await startJob(ctx, interaction, 'remix', { source: { upload, name: file.name }, tags, ...extra }, { title: `Remix of ${truncate(file.name, 60)}`, tags, lyrics });
      return;
    }
    const song = await songFor(ctx, interaction, songId!, 'remix');
    await startJob(ctx, interaction, 'remix', { source: { songId: song.id }, tags, ...extra }, { title: `Remix of ${code(song.id)}`, parent: song, tags, lyrics, duration: song.durationSeconds });
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(await songChoices(ctx, interaction));
  },
} satisfies BotCommand;
