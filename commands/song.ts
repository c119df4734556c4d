/**
 * /song id: posts a song again with working buttons, anywhere (Midjourney's /show), with its version tree
 * as text and a select to jump to any version.
 */
import { SlashCommandBuilder } from 'discord.js';

import { songChoices } from '../src/bot/autocomplete.js';
import { songMessage } from '../src/bot/components/handlers.js';
import type { BotCommand } from '../src/bot/context.js';
import { CONTEXTS, INTEGRATION_TYPES } from '../src/bot/limits.js';
import { replyOptions } from '../src/bot/render/message.js';

const data = new SlashCommandBuilder()
  .setName('song')
  .setDescription('Show a song with its buttons and versions')
  .setContexts(CONTEXTS)
  .setIntegrationTypes(INTEGRATION_TYPES)
  .addStringOption((o) => o.setName('id').setDescription('The song id').setRequired(true).setAutocomplete(true).setMaxLength(64));

export default {
  data: data.toJSON(),
  defer: 'public',
  async execute(interaction, ctx) {
    await interaction.editReply(replyOptions(await songMessage(ctx, interaction, interaction.options.getString('id', true).trim())));
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(await songChoices(ctx, interaction));
  },
} satisfies BotCommand;
