/**
 * /compose tags [duration] [seed] [lyrics] [variants] [visibility]: a new song. With `lyrics: True` a form
 * opens (a 4000-character paragraph prefilled with a structure template); variants are separate songs with
 * consecutive seeds.
 */
import { SlashCommandBuilder } from 'discord.js';

import { recentTags, tagChoices } from '../src/bot/autocomplete.js';
import { composeArg } from '../src/bot/components/custom-id.js';
import { lyricsModal } from '../src/bot/components/modals.js';
import { actorOf, type BotCommand } from '../src/bot/context.js';
import { CONTEXTS, INTEGRATION_TYPES, MAX_DURATION, MAX_SEED, MAX_TAGS, MAX_VARIANTS, MIN_DURATION } from '../src/bot/limits.js';
import { markAck } from '../src/bot/ack.js';
import { startJob } from '../src/bot/operations.js';

const data = new SlashCommandBuilder()
  .setName('compose')
  .setDescription('Compose a new song from tags (and lyrics)')
  .setContexts(CONTEXTS)
  .setIntegrationTypes(INTEGRATION_TYPES)
  .addStringOption((o) => o.setName('tags').setDescription('Genre, mood, instruments, vocals: "lofi, piano, female vocals"').setRequired(true).setMaxLength(MAX_TAGS).setAutocomplete(true))
  .addNumberOption((o) => o.setName('duration').setDescription('Length in seconds (default: your /settings, else 60)').setMinValue(MIN_DURATION).setMaxValue(MAX_DURATION))
  .addIntegerOption((o) => o.setName('seed').setDescription('Seed, to make the same song again').setMinValue(0).setMaxValue(MAX_SEED))
  .addBooleanOption((o) => o.setName('lyrics').setDescription('Write lyrics in a form before composing'))
  .addIntegerOption((o) => o.setName('variants').setDescription('How many candidates (1–4), consecutive seeds').setMinValue(1).setMaxValue(MAX_VARIANTS))
  .addStringOption((o) => o.setName('visibility').setDescription('Private songs are only yours to use').addChoices({ name: 'public', value: 'public' }, { name: 'private', value: 'private' }));

export default {
  data: data.toJSON(),
  defer: (interaction) => (interaction.options.getBoolean('lyrics') ? 'none' : 'ephemeral'),
  async execute(interaction, ctx) {
    const tags = interaction.options.getString('tags', true).trim();
    const duration = interaction.options.getNumber('duration') ?? undefined;
    const seed = interaction.options.getInteger('seed') ?? undefined;
    const variants = interaction.options.getInteger('variants') ?? undefined;
    const chosen = (interaction.options.getString('visibility') as 'public' | 'private' | null) ?? undefined;
    if (interaction.options.getBoolean('lyrics')) {
      await interaction.showModal(lyricsModal({ tags, arg: composeArg({ duration, seed, variants, visibility: chosen }) }));
      markAck(interaction, 'modal');
      return;
    }
    const settings = await ctx.studio.settings.get(actorOf(interaction).user);
    const visibility = chosen ?? settings.visibility;
    const resolvedDuration = duration ?? settings.duration;
    await startJob(
      ctx,
      interaction,
      'compose',
      {
        tags,
        ...(resolvedDuration !== undefined ? { duration: resolvedDuration } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(variants !== undefined ? { variants } : {}),
        ...(settings.steps !== undefined ? { steps: settings.steps } : {}),
        ...(visibility ? { visibility } : {}),
      },
      { title: `Compose · ${tags}`, tags, duration: resolvedDuration },
    );
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(tagChoices(interaction.options.getFocused(), await recentTags(ctx, interaction)));
  },
} satisfies BotCommand;
