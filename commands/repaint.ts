/**
 * /repaint song [start end | section] [tags] [lyrics] [variance] [seed]: regenerate a part of a song. With no
 * region a form opens with the song's lyric sections to choose from (or start/end seconds).
 */
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';

import { markAck } from '../src/bot/ack.js';
import { sectionChoices, songChoices } from '../src/bot/autocomplete.js';
import { repaintModal } from '../src/bot/components/modals.js';
import { actorOf, type BotCommand } from '../src/bot/context.js';
import { CONTEXTS, INTEGRATION_TYPES, MAX_DURATION, MAX_LYRICS, MAX_SEED, MAX_TAGS } from '../src/bot/limits.js';
import { songFor, startJob } from '../src/bot/operations.js';
import { UserFacingError } from '../src/bot/render/error.js';
import { clock, code } from '../src/bot/render/format.js';

const data = new SlashCommandBuilder()
  .setName('repaint')
  .setDescription('Regenerate part of a song (a lyric section, or start–end seconds)')
  .setContexts(CONTEXTS)
  .setIntegrationTypes(INTEGRATION_TYPES)
  .addStringOption((o) => o.setName('song').setDescription('The song id').setRequired(true).setAutocomplete(true).setMaxLength(64))
  .addNumberOption((o) => o.setName('start').setDescription('Start of the part, in seconds').setMinValue(0).setMaxValue(MAX_DURATION))
  .addNumberOption((o) => o.setName('end').setDescription('End of the part, in seconds').setMinValue(0).setMaxValue(MAX_DURATION))
  .addStringOption((o) => o.setName('section').setDescription('A lyric section instead of seconds: chorus, verse 2…').setAutocomplete(true).setMaxLength(100))
  .addStringOption((o) => o.setName('tags').setDescription('New tags for the repainted part').setMaxLength(MAX_TAGS))
  .addStringOption((o) => o.setName('lyrics').setDescription('New lyrics (the whole song\'s)').setMaxLength(MAX_LYRICS))
  .addNumberOption((o) => o.setName('variance').setDescription('How different the part becomes, 0–1 (default 0.5)').setMinValue(0).setMaxValue(1))
  .addIntegerOption((o) => o.setName('seed').setDescription('The repaint seed').setMinValue(0).setMaxValue(MAX_SEED));

function hasRegion(interaction: ChatInputCommandInteraction): boolean {
  const { options } = interaction;
  return options.getString('section') !== null || options.getNumber('start') !== null || options.getNumber('end') !== null;
}

export default {
  data: data.toJSON(),
  defer: (interaction) => (hasRegion(interaction) ? 'ephemeral' : 'none'),
  async execute(interaction, ctx) {
    const song = await songFor(ctx, interaction, interaction.options.getString('song', true).trim(), 'remix');
    if (!hasRegion(interaction)) {
      await interaction.showModal(repaintModal(song, await ctx.studio.sections(song.id, actorOf(interaction))));
      markAck(interaction, 'modal');
      return;
    }
    const { options } = interaction;
    const section = options.getString('section')?.trim() || undefined;
    const start = options.getNumber('start') ?? undefined;
    const end = options.getNumber('end') ?? undefined;
    if (!section && (start === undefined || end === undefined)) throw new UserFacingError('Give both start and end, or a section.');
    const tags = options.getString('tags')?.trim() || undefined;
    const lyrics = options.getString('lyrics') ?? undefined;
    const variance = options.getNumber('variance') ?? undefined;
    const seed = options.getInteger('seed') ?? undefined;
    const region = section ? { section } : { start: start!, end: end! };
    const where = section ? `the ${section}` : `${clock(start!)}–${clock(end!)}`;
    await startJob(
      ctx,
      interaction,
      'repaint',
      { songId: song.id, ...region, ...(tags ? { tags } : {}), ...(lyrics !== undefined ? { lyrics } : {}), ...(variance !== undefined ? { variance } : {}), ...(seed !== undefined ? { seed } : {}) },
      { title: `Repaint ${where} of ${code(song.id)}`, parent: song, tags, lyrics },
    );
  },
  async autocomplete(interaction, ctx) {
    const focused = interaction.options.getFocused(true);
    if (focused.name === 'section') await interaction.respond(await sectionChoices(ctx, interaction, interaction.options.getString('song')));
    else await interaction.respond(await songChoices(ctx, interaction));
  },
} satisfies BotCommand;
