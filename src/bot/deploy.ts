/**
 * Registering the slash commands: one bulk overwrite (PUT), and only when what is registered differs from
 * what the code defines (Discord rate-limits command creation, and an unchanged PUT still bumps versions).
 * Guild-scoped with a guild id (instant, for development and single servers), global otherwise.
 */
import type { REST } from '@discordjs/rest';
import { Routes, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

import type { BotCommand } from './context.js';

export type CommandJson = RESTPostAPIChatInputApplicationCommandsJSONBody;

/** The JSON that would be registered, in a stable order. */
export function commandsJson(commands: Iterable<BotCommand>): CommandJson[] {
  return [...commands].map((command) => command.data).sort((a, b) => a.name.localeCompare(b.name));
}

type Loose = Record<string, unknown>;

function canonicalOptions(options: unknown): unknown {
  if (!Array.isArray(options) || options.length === 0) return [];
  return (options as Loose[]).map((o) => ({
    type: o.type,
    name: o.name,
    description: o.description,
    required: o.required === true,
    autocomplete: o.autocomplete === true,
    choices: Array.isArray(o.choices) ? (o.choices as Loose[]).map((c) => ({ name: c.name, value: c.value })) : [],
    options: canonicalOptions(o.options),
    channel_types: o.channel_types ?? [],
    min_value: o.min_value ?? null,
    max_value: o.max_value ?? null,
    min_length: o.min_length ?? null,
    max_length: o.max_length ?? null,
  }));
}

/** The fields Discord stores, with its defaults filled in, so a registered command compares equal to its source. */
export function canonicalCommand(command: Loose): unknown {
  return {
    name: command.name,
    description: command.description,
    type: command.type ?? 1,
    options: canonicalOptions(command.options),
    default_member_permissions: command.default_member_permissions ?? null,
    nsfw: command.nsfw ?? false,
    contexts: command.contexts ?? null,
    integration_types: command.integration_types ?? [0],
  };
}

export function sameCommands(registered: Loose[], wanted: Loose[]): boolean {
  const key = (list: Loose[]) => JSON.stringify(list.map(canonicalCommand).sort((a, b) => String((a as Loose).name).localeCompare(String((b as Loose).name))));
  return key(registered) === key(wanted);
}

export interface DeployResult {
  scope: 'global' | `guild ${string}`;
  changed: boolean;
  count: number;
}

export async function deployCommands(rest: REST, target: { applicationId: string; guildId: string | null }, body: CommandJson[]): Promise<DeployResult> {
  const route = target.guildId ? Routes.applicationGuildCommands(target.applicationId, target.guildId) : Routes.applicationCommands(target.applicationId);
  const scope = target.guildId ? (`guild ${target.guildId}` as const) : ('global' as const);
  const registered = (await rest.get(route)) as Loose[];
  if (sameCommands(registered, body as unknown as Loose[])) return { scope, changed: false, count: body.length };
  await rest.put(route, { body });
  return { scope, changed: true, count: body.length };
}
