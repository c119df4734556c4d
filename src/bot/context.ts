/**
 * What every command and component handler receives, and the shapes of a command module
 * (`commands/<name>.ts` exports `default { data, defer, execute, autocomplete? } satisfies BotCommand`).
 */
import { PermissionFlagsBits, type AutocompleteInteraction, type ChatInputCommandInteraction, type BaseInteraction, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

import type { Logger } from '../engine/logger.js';
import type { BotState, GuildSettings } from './guild-settings.js';
import type { Messages } from './messages.js';
import type { Presser } from './permissions.js';
import type { JobTracker } from './progress.js';
import { discordUser, type Actor, type BotStudio } from './studio.js';

export interface BotContext {
  studio: BotStudio;
  messages: Messages;
  tracker: JobTracker;
  state: BotState;
  logger: Logger;
  applicationId: string;
  /** Largest upload /remix accepts (config.maxUploadBytes). */
  maxUploadBytes: number;
}

/** How a command is acknowledged before `execute` runs; `none` when it answers with a modal. */
export type Defer = 'ephemeral' | 'public' | 'none';

export interface BotCommand {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  defer: Defer | ((interaction: ChatInputCommandInteraction) => Defer);
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}

/** The Studio actor for the person behind an interaction. */
export function actorOf(interaction: BaseInteraction): Actor {
  return {
    user: discordUser(interaction.user.id),
    origin: 'discord',
    name: interaction.user.globalName ?? interaction.user.username,
    channelId: interaction.channelId,
    guildId: interaction.guildId,
  };
}

/** The person as the permission rules see them: roles and Manage Server in this server. */
export function presserOf(interaction: BaseInteraction): Presser {
  const member = interaction.member;
  let roles: string[] = [];
  if (member) roles = Array.isArray(member.roles) ? [...member.roles] : [...member.roles.cache.keys()];
  return {
    user: discordUser(interaction.user.id),
    roles,
    guildId: interaction.guildId,
    isManager: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
  };
}

export function guildSettingsOf(ctx: BotContext, interaction: BaseInteraction): GuildSettings | null {
  return interaction.guildId ? ctx.state.guild(interaction.guildId) : null;
}

/** The size limit Discord gives this interaction (max over boosts and Nitro), 10 MiB when absent. */
export function attachmentLimitOf(interaction: BaseInteraction): number {
  const limit = (interaction as { attachmentSizeLimit?: number }).attachmentSizeLimit;
  return typeof limit === 'number' && limit > 0 ? limit : 10 * 1024 * 1024;
}
