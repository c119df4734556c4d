/** /extend song [left] [right] [tags] [seed]: add seconds before and/or after a song (default 30 s after). */
import { SlashCommandBuilder } from 'discord.js';

import { songChoices } from '../src/bot/autocomplete.js';
import type { BotCommand } from '../src/bot/context.js';
import { CONTEXTS, INTEGRATION_TYPES, MAX_DURATION, MAX_SEED, MAX_TAGS } from '../src/bot/limits.js';
import { songFor, startJob } from '../src/bot/operations.js';
import { UserFacingError } from '../src/bot/render/error.js';
import { code } from '../src/bot/render/format.js';

const data = new SlashCommandBuilder()
  .setName('extend')
  .setDescription('Make a song longer, before its start and/or after its end')
  .setContexts(CONTEXTS)
  .setIntegrationTypes(INTEGRATION_TYPES)
  .addStringOption((o) => o.setName('song').setDescription('The song id').setRequired(true).setAutocomplete(true).setMaxLength(64))
  .addNumberOption((o) => o.setName('left').setDescription('Seconds to add before the start').setMinValue(0).setMaxValue(MAX_DURATION))
  .addNumberOption((o) => o.setName('right').setDescription('Seconds to add after the end (default 30 when left is not given)').setMinValue(0).setMaxValue(MAX_DURATION))
  .addStringOption((o) => o.setName('tags').setDescription('Tags for the new part').setMaxLength(MAX_TAGS))
  .addIntegerOption((o) => o.setName('seed').setDescription('The seed of the new part').setMinValue(0).setMaxValue(MAX_SEED));

export default {
  data: data.toJSON(),
  defer: 'ephemeral',
  async execute(interaction, ctx) {
    const song = await songFor(ctx, interaction, interaction.options.getString('song', true).trim(), 'remix');
    const left = interaction.options.getNumber('left') ?? 0;
    const right = interaction.options.getNumber('right') ?? (left > 0 ? 0 : 30);
    if (left + right <= 0) throw new UserFacingError('Add some seconds: left, right or both must be more than 0.');
    const tags = interaction.options.getString('tags')?.trim() || undefined;
    const seed = interaction.options.getInteger('seed') ?? undefined;
    await startJob(ctx, interaction, 'extend', { songId: song.id, left, right, ...(tags ? { tags } : {}), ...(seed !== undefined ? { seed } : {}) }, {
      title: `Extend ${left ? `◀ ${left} s ` : ''}${right ? `▶ ${right} s ` : ''}of ${code(song.id)}`,
      parent: song,
      duration: song.durationSeconds + left + right,
      tags,
    });
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(await songChoices(ctx, interaction));
  },
} satisfies BotCommand;
