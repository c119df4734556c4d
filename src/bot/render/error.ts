/**
 * The one error renderer: every refusal and failure reaches the user as a short ephemeral message saying
 * what happened and what to do ("you have 3 jobs queued; the limit is 3"). Errors of acejam's own making
 * (AcejamError: bad input, not found, forbidden, queue caps) show their message and hint; anything else is
 * logged with the interaction id, which the user sees as the error id.
 */
import { MessageFlags, type Interaction } from 'discord.js';

import { AcejamError } from '../../engine/errors.js';
import type { Logger } from '../../engine/logger.js';
import { ackKind } from '../ack.js';
import { truncate } from './format.js';

/** A refusal the bot itself decides (server policy, stale button, bad form value). */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

const FIELD_NAMES: Record<string, string> = { upload: 'the uploaded file', lyrics: 'lyrics', tags: 'tags', duration: 'duration', seed: 'seed' };

/** The text the user reads. */
export function errorText(error: unknown, errorId: string): string {
  if (error instanceof UserFacingError || error instanceof AcejamError) {
    const hint = error.hint ? `\n-# ${error.hint}` : '';
    return truncate(`⚠️ ${error.message}${hint}`, 2000);
  }
  return `💥 Something went wrong on acejam's side. It has been logged (error id \`${errorId}\`); please try again.`;
}

/** True for errors that are the user's to fix (not logged as failures). */
export function isUserError(error: unknown): boolean {
  return error instanceof UserFacingError || error instanceof AcejamError;
}

export function fieldName(field: string): string {
  return FIELD_NAMES[field] ?? field;
}

/** Shows the error to the user who caused it, and only to them, whatever state the interaction is in. */
export async function replyError(interaction: Interaction, error: unknown, logger: Logger): Promise<void> {
  if (!isUserError(error)) logger.error({ err: error, interaction: interaction.id }, 'interaction failed');
  else logger.debug({ interaction: interaction.id, reason: (error as Error).message }, 'refused');
  if (interaction.isAutocomplete()) {
    if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
    return;
  }
  const content = errorText(error, interaction.id);
  const ephemeral = { content, flags: MessageFlags.Ephemeral as const, allowedMentions: { parse: [] } };
  try {
    const kind = ackKind(interaction);
    if (kind === null && !interaction.replied && !interaction.deferred) await interaction.reply(ephemeral);
    else if (kind === 'ephemeral') await interaction.editReply({ content, embeds: [], components: [], files: [], attachments: [] });
    else if (kind === 'public') {
      // A public loading message would turn the error public: remove it, then answer privately.
      await interaction.deleteReply().catch(() => undefined);
      await interaction.followUp(ephemeral);
    } else await interaction.followUp(ephemeral);
  } catch (sendError) {
    logger.warn({ err: sendError, interaction: interaction.id }, 'could not show an error to the user');
  }
}
