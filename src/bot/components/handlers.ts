/**
 * What pressing a button, choosing from a select or submitting a form does. Each decodes its custom_id,
 * reads everything else from the store, and either opens a form (must be the first answer, within 3 s) or
 * acknowledges and starts a job. A custom_id this bot could not have made is refused, never guessed at.
 */
import type { ButtonInteraction, ChatInputCommandInteraction, MessageComponentInteraction, ModalSubmitInteraction, StringSelectMenuInteraction } from 'discord.js';

import { deferReply, deferUpdate, markAck } from '../ack.js';
import { actorOf, attachmentLimitOf, type BotContext } from '../context.js';
import { songFor, startJob } from '../operations.js';
import { UserFacingError } from '../render/error.js';
import { code, parseSeconds } from '../render/format.js';
import { HISTORY_PAGE, renderHistory, withTree } from '../render/library.js';
import { replyOptions } from '../render/message.js';
import { EXTEND_SECONDS, VARIANCE } from './buttons.js';
import { decodeCustomId, parseComposeArg, type CustomId } from './custom-id.js';
import { cleanLyrics, editModal, formValues, repaintModal } from './modals.js';

export const STALE = new UserFacingError("This control isn't one acejam can read (it may be from an older version).", 'Use /song with the song id to get fresh buttons.');

function decode(customId: string): CustomId {
  const decoded = decodeCustomId(customId);
  if (!decoded) throw STALE;
  return decoded;
}

export async function handleComponent(interaction: MessageComponentInteraction, ctx: BotContext): Promise<void> {
  const id = decode(interaction.customId);
  if (interaction.isStringSelectMenu()) return handleSelect(interaction, id, ctx);
  if (!interaction.isButton()) throw STALE;
  return handleButton(interaction, id, ctx);
}

async function handleButton(interaction: ButtonInteraction, id: CustomId, ctx: BotContext): Promise<void> {
  switch (id.action) {
    case 'retake':
    case 'reroll': {
      await deferUpdate(interaction);
      const song = await songFor(ctx, interaction, id.id, 'remix');
      const kind = id.action === 'reroll' ? 'reroll' : (id.arg as 'subtle' | 'strong');
      const title = kind === 'reroll' ? `Reroll of ${code(song.id)}` : `Retake (${kind}) of ${code(song.id)}`;
      await startJob(ctx, interaction, 'retake', { songId: song.id, variance: VARIANCE[kind] }, { title, parent: song, tags: song.tags, lyrics: song.lyrics, duration: song.durationSeconds });
      return;
    }
    case 'extend': {
      await deferUpdate(interaction);
      const song = await songFor(ctx, interaction, id.id, 'remix');
      const side = id.arg === 'left' ? { left: EXTEND_SECONDS, right: 0 } : { right: EXTEND_SECONDS };
      await startJob(ctx, interaction, 'extend', { songId: song.id, ...side }, {
        title: `Extend ${id.arg === 'left' ? '◀' : '▶'} ${EXTEND_SECONDS} s of ${code(song.id)}`,
        parent: song,
        duration: song.durationSeconds + EXTEND_SECONDS,
        tags: song.tags,
      });
      return;
    }
    case 'repaint': {
      const song = await songFor(ctx, interaction, id.id, 'remix');
      await interaction.showModal(repaintModal(song, await ctx.studio.sections(song.id, actorOf(interaction))));
      markAck(interaction, 'modal');
      return;
    }
    case 'edit': {
      const song = await songFor(ctx, interaction, id.id, 'remix');
      await interaction.showModal(editModal(song));
      markAck(interaction, 'modal');
      return;
    }
    case 'full':
      await deferReply(interaction, 'ephemeral');
      await sendLossless(interaction, id.id, ctx);
      return;
    case 'cancel': {
      await deferUpdate(interaction);
      const job = ctx.studio.jobs.get(id.id);
      if (job && job.user !== actorOf(interaction).user) throw new UserFacingError('Only the person who started this job can cancel it.');
      const cancelled = await ctx.studio.cancel(actorOf(interaction), id.id);
      if (!cancelled) throw new UserFacingError('That job has already finished, so there is nothing to cancel.');
      return;
    }
    case 'hist': {
      await deferUpdate(interaction);
      const scope = id.arg as 'mine' | 'channel';
      await interaction.editReply(replyOptions(await historyPage(ctx, interaction, scope, id.id)));
      return;
    }
    default:
      throw STALE;
  }
}

async function handleSelect(interaction: StringSelectMenuInteraction, id: CustomId, ctx: BotContext): Promise<void> {
  if (id.action !== 'show') throw STALE;
  const songId = interaction.values[0];
  if (!songId || !/^[A-Za-z0-9]{1,64}$/.test(songId)) throw STALE;
  await deferReply(interaction, 'public');
  await interaction.editReply(replyOptions(await songMessage(ctx, interaction, songId)));
}

/** A song with working buttons and its version tree (/song, "open", "jump to version"). */
export async function songMessage(ctx: BotContext, interaction: MessageComponentInteraction | ModalSubmitInteraction | ChatInputCommandInteraction, songId: string) {
  const viewer = actorOf(interaction);
  const song = await songFor(ctx, interaction, songId, 'view');
  const message = await ctx.tracker.resultMessage(song.id, { attachmentLimit: attachmentLimitOf(interaction), viewer });
  const tree = await ctx.studio.tree(song.id, viewer).catch(() => null);
  return tree ? withTree(message, tree, song.id) : message;
}

export async function historyPage(ctx: BotContext, interaction: MessageComponentInteraction | ChatInputCommandInteraction, scope: 'mine' | 'channel', before?: string) {
  const viewer = actorOf(interaction);
  const query = scope === 'mine' ? { user: viewer.user } : { channelId: interaction.channelId ?? '' };
  const songs = await ctx.studio.listSongs({ ...query, limit: HISTORY_PAGE + 1, ...(before ? { before } : {}) }, viewer);
  return renderHistory(songs.slice(0, HISTORY_PAGE), scope, songs.length > HISTORY_PAGE);
}

/** "Full quality": the lossless file if it fits this interaction's limit, else where to get it. */
export async function sendLossless(interaction: ButtonInteraction | ChatInputCommandInteraction, songId: string, ctx: BotContext): Promise<void> {
  const viewer = actorOf(interaction);
  await songFor(ctx, interaction, songId, 'view');
  const limit = attachmentLimitOf(interaction);
  const flac = await ctx.studio.file(songId, 'flac', viewer);
  if (flac.bytes <= limit) {
    await interaction.editReply({ content: `⬇️ Lossless FLAC of ${code(songId)}`, files: [{ attachment: Buffer.from(await flac.data()), name: `${songId}.flac` }] });
    return;
  }
  const delivery = await ctx.studio.deliver(songId, limit, viewer);
  const where = delivery.link ? delivery.uri : `acejam://songs/${songId}`;
  await interaction.editReply({ content: `The lossless file (${(flac.bytes / 1048576).toFixed(1)} MiB) is larger than Discord accepts here (${(limit / 1048576).toFixed(0)} MiB). Get it at ${where} (over MCP or the acejam CLI).` });
}

export async function handleModal(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<void> {
  const id = decode(interaction.customId);
  const form = formValues(interaction);
  switch (id.action) {
    case 'composem': {
      await deferReply(interaction, 'ephemeral');
      const { visibility, ...options } = parseComposeArg(id.arg ?? ',,,');
      const tags = form.text('tags').trim();
      if (!tags) throw new UserFacingError('Tags must not be empty: describe the genre, mood and instruments.');
      const lyrics = cleanLyrics(form.text('lyrics'));
      const settings = await ctx.studio.settings.get(actorOf(interaction).user);
      const duration = options.duration ?? settings.duration;
      await startJob(
        ctx,
        interaction,
        'compose',
        { tags, lyrics, ...options, ...(duration !== undefined ? { duration } : {}), ...(settings.steps ? { steps: settings.steps } : {}), ...((visibility ?? settings.visibility) ? { visibility: visibility ?? settings.visibility } : {}) },
        { title: `Compose · ${tags}`, tags, lyrics, duration },
      );
      return;
    }
    case 'repaintm': {
      await deferReply(interaction, 'ephemeral');
      const song = await songFor(ctx, interaction, id.id, 'remix');
      const section = form.choice('section');
      const startText = form.text('start');
      const endText = form.text('end');
      const start = parseSeconds(startText);
      const end = parseSeconds(endText);
      if (startText.trim() && start === null) throw new UserFacingError(`Start must be seconds like 12.5 or m:ss like 0:12 (got “${startText.trim()}”).`);
      if (endText.trim() && end === null) throw new UserFacingError(`End must be seconds like 24 or m:ss like 0:24 (got “${endText.trim()}”).`);
      const region = start !== null && end !== null ? { start, end } : section ? { section } : null;
      if (!region) throw new UserFacingError('Pick a section, or give both a start and an end.');
      const tags = form.text('tags').trim();
      const lyrics = form.text('lyrics');
      const changes = { ...(tags && tags !== song.tags ? { tags } : {}), ...(lyrics.trim() && lyrics !== song.lyrics ? { lyrics } : {}) };
      const where = 'section' in region ? `the ${region.section}` : `${startText.trim()}–${endText.trim()}`;
      await startJob(ctx, interaction, 'repaint', { songId: song.id, ...region, ...changes }, { title: `Repaint ${where} of ${code(song.id)}`, parent: song, tags: changes.tags, lyrics: changes.lyrics });
      return;
    }
    case 'editm': {
      await deferReply(interaction, 'ephemeral');
      const song = await songFor(ctx, interaction, id.id, 'remix');
      const mode = form.choice('mode') === 'remix' ? 'remix' : 'only_lyrics';
      const tags = form.text('tags').trim();
      const lyrics = form.text('lyrics');
      const changes = { ...(tags && tags !== song.tags ? { tags } : {}), ...(lyrics !== song.lyrics && lyrics.trim() ? { lyrics } : {}) };
      if (!changes.tags && changes.lyrics === undefined) throw new UserFacingError('Change the tags or the lyrics to make an edit.');
      await startJob(ctx, interaction, 'edit', { songId: song.id, mode, ...changes }, { title: `Edit (${mode === 'remix' ? 'remix' : 'lyrics'}) of ${code(song.id)}`, parent: song, tags: changes.tags, lyrics: changes.lyrics });
      return;
    }
    default:
      throw STALE;
  }
}
