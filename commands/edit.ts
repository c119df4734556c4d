/**
 * /edit song [mode]: change the lyrics (only_lyrics keeps the music) or remix with new tags (FlowEdit,
 * spec §3.5). A form opens with the old tags and lyrics prefilled.
 */
import { SlashCommandBuilder } from 'discord.js';

import { markAck } from '../src/bot/ack.js';
import { songChoices } from '../src/bot/autocomplete.js';
import { editModal } from '../src/bot/components/modals.js';
import type { BotCommand } from '../src/bot/context.js';
import { CONTEXTS, INTEGRATION_TYPES } from '../src/bot/limits.js';
import { songFor } from '../src/bot/operations.js';

const data = new SlashCommandBuilder()
  .setName('edit')
  .setDescription('Edit a song\'s lyrics or remix it with new tags (opens a form)')
  .setContexts(CONTEXTS)
  .setIntegrationTypes(INTEGRATION_TYPES)
  .addStringOption((o) => o.setName('song').setDescription('The song id').setRequired(true).setAutocomplete(true).setMaxLength(64))
  .addStringOption((o) => o.setName('mode').setDescription('only_lyrics keeps the music; remix follows new tags too').addChoices({ name: 'only lyrics', value: 'only_lyrics' }, { name: 'remix', value: 'remix' }));

export default {
  data: data.toJSON(),
  defer: 'none',
  async execute(interaction, ctx) {
    const song = await songFor(ctx, interaction, interaction.options.getString('song', true).trim(), 'remix');
    const mode = interaction.options.getString('mode') === 'remix' ? 'remix' : 'only_lyrics';
    await interaction.showModal(editModal(song, mode));
    markAck(interaction, 'modal');
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(await songChoices(ctx, interaction));
  },
} satisfies BotCommand;
