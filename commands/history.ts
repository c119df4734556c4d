/** /history [scope]: your songs or this channel's, newest first, ten a page, with a select to open one. */
import { SlashCommandBuilder } from 'discord.js';

import { historyPage } from '../src/bot/components/handlers.js';
import type { BotCommand } from '../src/bot/context.js';
import { CONTEXTS, INTEGRATION_TYPES } from '../src/bot/limits.js';
import { replyOptions } from '../src/bot/render/message.js';

const data = new SlashCommandBuilder()
  .setName('history')
  .setDescription('Browse your songs or this channel\'s')
  .setContexts(CONTEXTS)
  .setIntegrationTypes(INTEGRATION_TYPES)
  .addStringOption((o) => o.setName('scope').setDescription('Whose songs (default: yours)').addChoices({ name: 'mine', value: 'mine' }, { name: 'this channel', value: 'channel' }));

export default {
  data: data.toJSON(),
  defer: 'ephemeral',
  async execute(interaction, ctx) {
    const scope = interaction.options.getString('scope') === 'channel' ? 'channel' : 'mine';
    await interaction.editReply(replyOptions(await historyPage(ctx, interaction, scope)));
  },
} satisfies BotCommand;
