/**
 * /settings me …: your defaults for new songs (duration, steps, delivery format, pack, public/private), kept
 * in the song store so they follow you to MCP. /settings server …: who may press buttons on others' songs,
 * who may compose, where, how long, and blocked words (Manage Server only).
 */
import { ChannelType, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';

import { actorOf, presserOf, type BotCommand, type BotContext } from '../src/bot/context.js';
import type { GuildSettings } from '../src/bot/guild-settings.js';
import { CONTEXTS, INTEGRATION_TYPES, MAX_DURATION, MAX_STEPS, MIN_DURATION } from '../src/bot/limits.js';
import { mayManageServer } from '../src/bot/permissions.js';
import { UserFacingError } from '../src/bot/render/error.js';
import { truncate } from '../src/bot/render/format.js';
import { COLORS } from '../src/bot/render/message.js';
import type { UserSettings } from '../src/bot/studio.js';

const FORMATS = ['mp3', 'opus', 'flac', 'wav16', 'wav24'] as const;

const data = new SlashCommandBuilder()
  .setName('settings')
  .setDescription('Your defaults, or this server\'s rules')
  .setContexts(CONTEXTS)
  .setIntegrationTypes(INTEGRATION_TYPES)
  .addSubcommand((sub) =>
    sub
      .setName('me')
      .setDescription('Your defaults for new songs (no options: show them)')
      .addNumberOption((o) => o.setName('duration').setDescription('Default length in seconds').setMinValue(MIN_DURATION).setMaxValue(MAX_DURATION))
      .addIntegerOption((o) => o.setName('steps').setDescription('Diffusion steps (more: slower, finer)').setMinValue(1).setMaxValue(MAX_STEPS))
      .addStringOption((o) => o.setName('format').setDescription('Preferred audio format').addChoices(...FORMATS.map((f) => ({ name: f, value: f }))))
      .addStringOption((o) => o.setName('pack').setDescription('Model pack (or pack + LoRA)').setAutocomplete(true).setMaxLength(256))
      .addStringOption((o) => o.setName('visibility').setDescription('New songs public or private').addChoices({ name: 'public', value: 'public' }, { name: 'private', value: 'private' })),
  )
  .addSubcommand((sub) =>
    sub
      .setName('server')
      .setDescription('This server\'s rules (Manage Server; no options: show them)')
      .addStringOption((o) => o.setName('buttons').setDescription('Who may press buttons on someone else\'s public song').addChoices({ name: 'anyone', value: 'anyone' }, { name: 'the song\'s owner only', value: 'owner' }, { name: 'the owner and a role', value: 'role' }))
      .addRoleOption((o) => o.setName('button_role').setDescription('The role for buttons: role'))
      .addRoleOption((o) => o.setName('compose_role').setDescription('Only members with this role may start jobs'))
      .addBooleanOption((o) => o.setName('anyone_composes').setDescription('Clear the compose role: everyone may start jobs'))
      .addChannelOption((o) => o.setName('channel').setDescription('Allow (or, if allowed, disallow) a channel; none allowed = all').addChannelTypes(ChannelType.GuildText))
      .addNumberOption((o) => o.setName('max_duration').setDescription('Longest song in seconds (0: the engine\'s limit)').setMinValue(0).setMaxValue(MAX_DURATION))
      .addStringOption((o) => o.setName('blocked_words').setDescription('Comma-separated words refused in tags and lyrics ("-" clears)').setMaxLength(2000)),
  );

function describeUser(settings: UserSettings): string {
  const rows = [
    `Duration: ${settings.duration ?? 'default (60 s)'}${settings.duration ? ' s' : ''}`,
    `Steps: ${settings.steps ?? 'default (60)'}`,
    `Format: ${settings.format ?? 'best that fits (MP3/Opus)'}`,
    `Pack: ${settings.pack ?? 'the server\'s pack'}`,
    `New songs: ${settings.visibility ?? 'public'}`,
  ];
  return rows.join('\n');
}

function describeServer(settings: GuildSettings): string {
  const buttons = settings.buttons === 'anyone' ? 'anyone' : settings.buttons === 'owner' ? 'the song\'s owner only' : `the owner and <@&${settings.buttonRole ?? '?'}>`;
  return [
    `Buttons on others' public songs: ${buttons}`,
    `Who may compose: ${settings.composeRole ? `<@&${settings.composeRole}>` : 'everyone'}`,
    `Channels: ${settings.channels.length ? settings.channels.map((id) => `<#${id}>`).join(', ') : 'all'}`,
    `Longest song: ${settings.maxDuration ? `${settings.maxDuration} s` : 'the engine\'s limit'}`,
    `Blocked words: ${settings.blockedWords.length ? truncate(settings.blockedWords.join(', '), 500) : 'none'}`,
  ].join('\n');
}

async function me(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const { options } = interaction;
  const patch: Partial<UserSettings> = {};
  const duration = options.getNumber('duration');
  const steps = options.getInteger('steps');
  const format = options.getString('format') as UserSettings['format'] | null;
  const pack = options.getString('pack');
  const visibility = options.getString('visibility') as UserSettings['visibility'] | null;
  if (duration !== null) patch.duration = duration;
  if (steps !== null) patch.steps = steps;
  if (format) patch.format = format;
  if (pack) {
    const packs = await ctx.studio.packs();
    if (!packs.some((p) => p.name === pack)) throw new UserFacingError(`There is no pack “${truncate(pack, 80)}”.`, `Installed: ${packs.map((p) => p.name).join(', ') || 'none'}.`);
    patch.pack = pack;
  }
  if (visibility) patch.visibility = visibility;
  const user = actorOf(interaction).user;
  const changed = Object.keys(patch).length > 0;
  const settings = changed ? await ctx.studio.settings.put(user, patch) : await ctx.studio.settings.get(user);
  await interaction.editReply({ embeds: [{ title: changed ? 'Your defaults, updated' : 'Your defaults', description: describeUser(settings), color: COLORS.info }] });
}

async function server(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const presser = presserOf(interaction);
  const { options } = interaction;
  const current = interaction.guildId ? ctx.state.guild(interaction.guildId) : null;
  const patch: Partial<GuildSettings> = {};
  const buttons = options.getString('buttons') as GuildSettings['buttons'] | null;
  const buttonRole = options.getRole('button_role');
  const composeRole = options.getRole('compose_role');
  const channel = options.getChannel('channel');
  const maxDuration = options.getNumber('max_duration');
  const words = options.getString('blocked_words');
  if (buttons) patch.buttons = buttons;
  if (buttonRole) patch.buttonRole = buttonRole.id;
  if (composeRole) patch.composeRole = composeRole.id;
  if (options.getBoolean('anyone_composes')) patch.composeRole = null;
  if (channel && current) patch.channels = current.channels.includes(channel.id) ? current.channels.filter((id) => id !== channel.id) : [...current.channels, channel.id];
  if (maxDuration !== null) patch.maxDuration = maxDuration === 0 ? null : maxDuration;
  if (words !== null) patch.blockedWords = words.trim() === '-' ? [] : words.split(',').map((w) => w.trim()).filter(Boolean).slice(0, 200).map((w) => w.slice(0, 64));
  const changed = Object.keys(patch).length > 0;
  if (!interaction.guildId || changed) {
    const decision = mayManageServer(presser);
    if (!decision.ok) throw new UserFacingError(decision.reason);
  }
  const next = { ...current!, ...patch };
  if (next.buttons === 'role' && !next.buttonRole) throw new UserFacingError('Pick the role too: buttons: role needs button_role.');
  const settings = changed ? await ctx.state.updateGuild(interaction.guildId!, patch) : current!;
  await interaction.editReply({ embeds: [{ title: changed ? 'Server rules, updated' : 'Server rules', description: describeServer(settings), color: COLORS.info }], allowedMentions: { parse: [] } });
}

export default {
  data: data.toJSON(),
  defer: 'ephemeral',
  async execute(interaction, ctx) {
    if (interaction.options.getSubcommand() === 'server') await server(interaction, ctx);
    else await me(interaction, ctx);
  },
  async autocomplete(interaction, ctx) {
    const typed = interaction.options.getFocused().toLowerCase();
    const packs = await ctx.studio.packs();
    await interaction.respond(packs.filter((p) => p.name.toLowerCase().includes(typed)).slice(0, 25).map((p) => ({ name: truncate(`${p.name} · ${p.description}`, 100), value: truncate(p.name, 100) })));
  },
} satisfies BotCommand;
