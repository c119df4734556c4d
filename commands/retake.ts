/**
 * /retake song [variance] [amount] [seed]: the same song with its noise varied (spec §3.2): subtle 0.2,
 * strong 0.5, or a custom amount from 0 (identical) to 1 (fresh).
 */
import { SlashCommandBuilder } from 'discord.js';

import { songChoices } from '../src/bot/autocomplete.js';
import { VARIANCE } from '../src/bot/components/buttons.js';
import type { BotCommand } from '../src/bot/context.js';
import { CONTEXTS, INTEGRATION_TYPES, MAX_SEED } from '../src/bot/limits.js';
import { songFor, startJob } from '../src/bot/operations.js';
import { code } from '../src/bot/render/format.js';

const data = new SlashCommandBuilder()
  .setName('retake')
  .setDescription('Make a variation of a song')
  .setContexts(CONTEXTS)
  .setIntegrationTypes(INTEGRATION_TYPES)
  .addStringOption((o) => o.setName('song').setDescription('The song id (yours and this channel\'s are suggested)').setRequired(true).setAutocomplete(true).setMaxLength(64))
  .addStringOption((o) => o.setName('variance').setDescription('How different (default subtle)').addChoices({ name: 'subtle (0.2)', value: 'subtle' }, { name: 'strong (0.5)', value: 'strong' }))
  .addNumberOption((o) => o.setName('amount').setDescription('A custom variance from 0 (the same) to 1 (all new); overrides variance').setMinValue(0).setMaxValue(1))
  .addIntegerOption((o) => o.setName('seed').setDescription('The retake seed, to repeat a variation').setMinValue(0).setMaxValue(MAX_SEED));

export default {
  data: data.toJSON(),
  defer: 'ephemeral',
  async execute(interaction, ctx) {
    const song = await songFor(ctx, interaction, interaction.options.getString('song', true).trim(), 'remix');
    const kind = (interaction.options.getString('variance') ?? 'subtle') as 'subtle' | 'strong';
    const amount = interaction.options.getNumber('amount');
    const variance = amount ?? VARIANCE[kind];
    const seed = interaction.options.getInteger('seed') ?? undefined;
    await startJob(ctx, interaction, 'retake', { songId: song.id, variance, ...(seed !== undefined ? { seed } : {}) }, {
      title: `Retake (${amount === null ? kind : `variance ${amount}`}) of ${code(song.id)}`,
      parent: song,
      duration: song.durationSeconds,
    });
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(await songChoices(ctx, interaction));
  },
} satisfies BotCommand;
