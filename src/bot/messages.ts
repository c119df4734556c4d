/**
 * Posting and editing the bot's own messages. Status and result messages are normal channel messages sent
 * with the BOT token (product.md §1.1: interaction tokens die after 15 minutes, a queued job may wait
 * longer, and ephemeral messages cannot be edited through the channel routes). Where the bot cannot post in
 * the channel (a user-installed app, missing permissions), the interaction's webhook is the fallback.
 * Edits list every attachment to keep, as the v10 edit rules require.
 */
import type { REST } from '@discordjs/rest';
import { Routes, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';

import type { OutgoingMessage } from './render/message.js';

export type MessageTarget =
  | { kind: 'channel'; channelId: string; messageId: string }
  | { kind: 'webhook'; applicationId: string; token: string; channelId: string; messageId: string };

/** Where a new message can go: the channel (bot token), or the interaction's webhook as a fallback. */
export interface Destination {
  channelId: string;
  webhook?: { applicationId: string; token: string };
}

/** Codes that mean "the bot cannot post here", so the webhook is tried: Unknown Channel, Missing Access, Missing Permissions. */
const NO_ACCESS = new Set([10003, 50001, 50013]);

function wire(message: OutgoingMessage, edit: boolean) {
  const body: RESTPostAPIChannelMessageJSONBody & { attachments?: { id: string; filename: string }[] } = { allowed_mentions: { parse: [] } };
  if (message.content !== undefined) body.content = message.content;
  if (message.embeds !== undefined) body.embeds = message.embeds;
  if (message.components !== undefined) body.components = message.components;
  const files = message.files?.map((file) => ({ name: file.name, data: Buffer.from(file.data), contentType: file.contentType }));
  if (message.files !== undefined) body.attachments = message.files.map((file, index) => ({ id: String(index), filename: file.name }));
  else if (edit) delete body.attachments;
  return { body, files: files ?? [] };
}

export class Messages {
  constructor(private readonly rest: REST) {}

  async post(destination: Destination, message: OutgoingMessage): Promise<MessageTarget> {
    const { body, files } = wire(message, false);
    try {
      const created = (await this.rest.post(Routes.channelMessages(destination.channelId), { body, files })) as { id: string };
      return { kind: 'channel', channelId: destination.channelId, messageId: created.id };
    } catch (error) {
      if (!NO_ACCESS.has(discordErrorCode(error)) || !destination.webhook) throw error;
      const { applicationId, token } = destination.webhook;
      const created = (await this.rest.post(Routes.webhook(applicationId, token), { body, files, auth: false, query: new URLSearchParams({ wait: 'true' }) })) as { id: string };
      return { kind: 'webhook', applicationId, token, channelId: destination.channelId, messageId: created.id };
    }
  }

  async edit(target: MessageTarget, message: OutgoingMessage): Promise<void> {
    const { body, files } = wire(message, true);
    if (target.kind === 'channel') await this.rest.patch(Routes.channelMessage(target.channelId, target.messageId), { body, files });
    else await this.rest.patch(Routes.webhookMessage(target.applicationId, target.token, target.messageId), { body, files, auth: false });
  }
}

/**
 * Discord's error code of a failed request. Read by shape, not `instanceof`: discord.js loads @discordjs/rest
 * as CommonJS and this module as ESM, so there are two DiscordAPIError classes.
 */
export function discordErrorCode(error: unknown): number {
  return typeof error === 'object' && error !== null && 'code' in error && 'rawError' in error ? Number((error as { code: unknown }).code) : NaN;
}

/** A link to a message, for "follow it here". */
export function messageLink(guildId: string | null, target: MessageTarget): string {
  return `https://discord.com/channels/${guildId ?? '@me'}/${target.channelId}/${target.messageId}`;
}
