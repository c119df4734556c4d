/** /queue: your jobs (place, ETA, progress) and how busy the queue is. */
import { SlashCommandBuilder } from 'discord.js';

import { actorOf, type BotCommand } from '../src/bot/context.js';
import { CONTEXTS, INTEGRATION_TYPES } from '../src/bot/limits.js';
import { code } from '../src/bot/render/format.js';
import { COLORS } from '../src/bot/render/message.js';
import { statusLines } from '../src/bot/render/status.js';

const data = new SlashCommandBuilder().setName('queue').setDescription('Your jobs and the queue').setContexts(CONTEXTS).setIntegrationTypes(INTEGRATION_TYPES);

export default {
  data: data.toJSON(),
  defer: 'ephemeral',
  async execute(interaction, ctx) {
    const user = actorOf(interaction).user;
    const now = Date.now();
    const mine = ctx.studio.jobs.list({ user }).filter((job) => job.state === 'queued' || job.state === 'running');
    const waiting = ctx.studio.jobs.list({ state: 'queued' }).length;
    const running = ctx.studio.jobs.list({ state: 'running' }).length;
    const lines = mine.map((job) => `${code(job.id)} ${statusLines(job, now).join(' · ')}`);
    await interaction.editReply({
      embeds: [
        {
          title: 'Queue',
          description: [`${running} running · ${waiting} waiting`, '', mine.length ? '**Your jobs**' : 'You have no jobs waiting or running.', ...lines].join('\n').slice(0, 4096),
          color: COLORS.info,
        },
      ],
    });
  },
} satisfies BotCommand;
