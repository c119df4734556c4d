/**
 * The live status message of a job (product.md §2 item 2): stage, step k/N, a bar, percent, ETA and a
 * Cancel button; one message per job, edited in place by progress.ts at most every 3 s.
 */
import { ButtonStyle, ComponentType } from 'discord.js';

import { encodeCustomId } from '../components/custom-id.js';
import type { JobInfo } from '../studio.js';
import { COLORS, type OutgoingMessage } from './message.js';
import { humanSeconds, progressBar, relativeTime, truncate } from './format.js';

export interface StatusContext {
  /** "Compose · lofi, piano" */
  title: string;
  /** Who started it (a mention or a name). */
  by: string;
}

const STAGE_NAMES: Record<string, string> = { tokenize: 'Reading the prompt', encode: 'Encoding the source', diffuse: 'Diffusing', decode: 'Decoding audio' };

/** The status line(s) of a job that is queued or running. */
export function statusLines(job: JobInfo, now: number): string[] {
  if (job.state === 'queued') {
    const place = job.position === null ? 'Queued' : `Queued **#${job.position}**`;
    const eta = job.etaSeconds === null ? '' : ` · ETA ~${humanSeconds(job.etaSeconds)} (done ${relativeTime(now + job.etaSeconds * 1000)})`;
    return [`⏳ ${place}${eta}`];
  }
  const progress = job.progress;
  if (!progress) return ['⚙️ Starting…'];
  const stage = STAGE_NAMES[progress.stage] ?? progress.stage;
  const percent = Math.round(progress.percent);
  const eta = progress.etaSeconds === null ? '' : progress.etaSeconds < 1 ? ' · almost done' : ` · ETA ${humanSeconds(progress.etaSeconds)}`;
  return [`⚙️ **${stage}** · step ${progress.step}/${progress.steps}`, `\`${progressBar(progress.percent)}\` **${percent}%**${eta}`];
}

export function renderStatus(job: JobInfo, context: StatusContext, now: number): OutgoingMessage {
  const running = job.state === 'running';
  return {
    content: '',
    embeds: [
      {
        title: truncate(context.title, 256),
        description: [`Started by ${context.by}`, ...statusLines(job, now)].join('\n'),
        color: running ? COLORS.running : COLORS.queued,
        footer: { text: `job ${job.id}` },
      },
    ],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [{ type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Cancel', emoji: { name: '✖️' }, custom_id: encodeCustomId({ action: 'cancel', id: job.id }) }],
      },
    ],
  };
}

export function renderFinished(job: JobInfo, context: StatusContext): OutgoingMessage {
  const failed = job.state === 'failed';
  const line = failed ? `❌ Failed: ${job.error?.message ?? 'unknown error'}` : '✖️ Cancelled';
  return {
    content: '',
    embeds: [
      {
        title: truncate(context.title, 256),
        description: truncate([`Started by ${context.by}`, line].join('\n'), 4096),
        color: failed ? COLORS.failed : COLORS.cancelled,
        footer: { text: `job ${job.id}` },
      },
    ],
    components: [],
  };
}
