/** /cancel [job]: stop one of your jobs (default: the newest one waiting or running). */
import { SlashCommandBuilder } from 'discord.js';

import { actorOf, type BotCommand } from '../src/bot/context.js';
import { CONTEXTS, INTEGRATION_TYPES } from '../src/bot/limits.js';
import { UserFacingError } from '../src/bot/render/error.js';
import { code, truncate } from '../src/bot/render/format.js';

const data = new SlashCommandBuilder()
  .setName('cancel')
  .setDescription('Cancel one of your jobs')
  .setContexts(CONTEXTS)
  .setIntegrationTypes(INTEGRATION_TYPES)
  .addStringOption((o) => o.setName('job').setDescription('The job (default: your newest)').setAutocomplete(true).setMaxLength(64));

export default {
  data: data.toJSON(),
  defer: 'ephemeral',
  async execute(interaction, ctx) {
    const actor = actorOf(interaction);
    const active = ctx.studio.jobs.list({ user: actor.user }).filter((job) => job.state === 'queued' || job.state === 'running');
    const wanted = interaction.options.getString('job')?.trim();
    const job = wanted ? ctx.studio.jobs.get(wanted) : active.at(-1);
    if (!job || job.user !== actor.user) throw new UserFacingError(wanted ? `You have no job ${code(truncate(wanted, 64))}.` : 'You have no job waiting or running.');
    if (!(await ctx.studio.cancel(actor, job.id))) throw new UserFacingError(`Job ${code(job.id)} has already finished.`);
    await interaction.editReply({ content: `✖️ Cancelled job ${code(job.id)}.` });
  },
  async autocomplete(interaction, ctx) {
    const user = actorOf(interaction).user;
    const jobs = ctx.studio.jobs.list({ user }).filter((job) => job.state === 'queued' || job.state === 'running');
    await interaction.respond(jobs.slice(-25).reverse().map((job) => ({ name: `${job.id} · ${job.state}${job.position ? ` #${job.position}` : ''}`, value: job.id })));
  },
} satisfies BotCommand;
