/**
 * Starting a job from any entry point (slash command, button, form): check the server's rules and the
 * song's permissions, submit to the Studio, post the public status message with the bot token, remember
 * it, and tell the person privately where to follow it. The Studio decides everything about the music.
 */
import { type BaseInteraction, type RepliableInteraction } from 'discord.js';

import { ackKind } from './ack.js';
import { actorOf, attachmentLimitOf, guildSettingsOf, presserOf, type BotContext } from './context.js';
import { MODAL_TEXT_MAX } from './components/modals.js';
import { messageLink, type MessageTarget } from './messages.js';
import { maySongAction, mayCompose, type SongAction } from './permissions.js';
import { toPending } from './progress.js';
import { UserFacingError } from './render/error.js';
import { code, humanSeconds, truncate } from './render/format.js';
import { renderStatus } from './render/status.js';
import type { JobInfo, Operation, OperationParams, SongView } from './studio.js';

export interface JobMeta {
  /** The status message's title: "Retake (subtle) of `abc123`". */
  title: string;
  /** The song the job builds on (checked against the server's button rule). */
  parent?: SongView;
  duration?: number | undefined;
  tags?: string | undefined;
  lyrics?: string | undefined;
}

/** Refuses lyrics longer than a Discord form holds, whatever path they came by. */
export function checkLyrics(lyrics: string | undefined): void {
  if (lyrics !== undefined && lyrics.length > MODAL_TEXT_MAX)
    throw new UserFacingError(`Lyrics are limited to ${MODAL_TEXT_MAX} characters (yours have ${lyrics.length}).`, 'Shorten them, or split the song and use Extend.');
}

/** Loads a song the person may act on, or throws a clear refusal. */
export async function songFor(ctx: BotContext, interaction: BaseInteraction, songId: string, action: SongAction): Promise<SongView> {
  const song = await ctx.studio.getSong(songId, actorOf(interaction));
  const decision = maySongAction(song, presserOf(interaction), guildSettingsOf(ctx, interaction), action);
  if (!decision.ok) throw new UserFacingError(decision.reason, decision.hint);
  return song;
}

export async function startJob<O extends Operation>(ctx: BotContext, interaction: RepliableInteraction, operation: O, params: OperationParams[O], meta: JobMeta): Promise<JobInfo> {
  const presser = presserOf(interaction);
  const settings = guildSettingsOf(ctx, interaction);
  if (meta.parent) {
    const decision = maySongAction(meta.parent, presser, settings, 'remix');
    if (!decision.ok) throw new UserFacingError(decision.reason, decision.hint);
  }
  checkLyrics(meta.lyrics);
  const policy = mayCompose({ channelId: interaction.channelId, duration: meta.duration, tags: meta.tags, lyrics: meta.lyrics }, presser, settings);
  if (!policy.ok) throw new UserFacingError(policy.reason, policy.hint);

  const actor = actorOf(interaction);
  const job = await ctx.studio.submit(actor, operation, params);
  const place = job.position ? `#${job.position} in the queue` : 'started';
  const eta = job.etaSeconds === null ? '' : `, ready in ~${humanSeconds(job.etaSeconds)}`;
  const confirmation = `🎵 ${truncate(meta.title, 200)}: ${place}${eta}.`;
  const footer = `\n-# job ${code(job.id)} · /cancel to stop it`;
  // Resolve the private loading message first: after a type-5 defer Discord turns the first follow-up into
  // the reply, which would swallow a status message posted through the webhook fallback.
  const privateReply = ackKind(interaction) === 'ephemeral';
  if (privateReply) await interaction.editReply({ content: confirmation + footer });

  const context = { title: meta.title, by: `<@${interaction.user.id}>` };
  let target: MessageTarget;
  try {
    target = await ctx.messages.post({ channelId: interaction.channelId!, webhook: { applicationId: ctx.applicationId, token: interaction.token } }, renderStatus(job, context, Date.now()));
  } catch (error) {
    // Nowhere to show progress or the result: do not leave an invisible job running.
    await ctx.studio.cancel(actor, job.id).catch(() => false);
    throw error;
  }
  const tracked = { jobId: job.id, target, context, attachmentLimit: attachmentLimitOf(interaction), viewer: actor };
  const pending = toPending(tracked);
  if (pending) await ctx.state.addPending(pending);
  ctx.tracker.track(tracked, job);
  if (privateReply) await interaction.editReply({ content: `${confirmation} Follow it here: ${messageLink(interaction.guildId, target)}${footer}` }).catch(() => undefined);
  return job;
}
