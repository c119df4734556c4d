/**
 * Live progress (issue 7, item 3): one status message per job, edited at most every 3 s (product.md §2
 * item 2; discord.js's REST queue still handles any 429) with stage, step, bar, percent and ETA; when the
 * job ends the same message becomes the first result (more variants are posted below it) or says why it
 * failed. Everything goes through the bot token, so a job that waits longer than an interaction token
 * lives (15 min) still lands. Unfinished jobs are remembered in the bot's state and picked up again after
 * a restart.
 */
import type { Logger } from '../engine/logger.js';
import type { BotState, PendingJob } from './guild-settings.js';
import { discordErrorCode, type MessageTarget, type Messages } from './messages.js';
import { renderFinished, renderStatus, type StatusContext } from './render/status.js';
import { chooseAttachments, renderResult } from './render/result.js';
import type { OutgoingMessage } from './render/message.js';
import { deliveryOrder, type Actor, type BotStudio, type JobInfo, type UserSettings } from './studio.js';

/** Discord pacing: never edit a status message more often than this. */
export const MIN_EDIT_INTERVAL_MS = 3000;

export interface TrackedJob {
  jobId: string;
  target: MessageTarget;
  context: StatusContext;
  /** The `attachment_size_limit` of the interaction that started the job. */
  attachmentLimit: number;
  viewer: Actor;
}

export interface TrackerOptions {
  studio: BotStudio;
  messages: Messages;
  state: BotState;
  logger: Logger;
  /** Floor between two progress edits of one message (≥ 3 s in production). */
  minEditMs?: number;
  now?: () => number;
}

const TERMINAL = new Set(['done', 'failed', 'cancelled']);
const UNKNOWN_MESSAGE = 10008;

export class JobTracker {
  private readonly loops = new Map<string, Promise<void>>();
  private readonly controller = new AbortController();
  private readonly minEditMs: number;
  private readonly now: () => number;

  constructor(private readonly options: TrackerOptions) {
    this.minEditMs = options.minEditMs ?? MIN_EDIT_INTERVAL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Starts following a job whose status message was just posted (rendered from `initial`). */
  track(job: TrackedJob, initial: JobInfo): void {
    if (this.loops.has(job.jobId) || this.controller.signal.aborted) return;
    const loop = this.follow(job, initial)
      .catch((error: unknown) => this.options.logger.error({ err: error, job: job.jobId }, 'job tracking failed'))
      .finally(() => this.loops.delete(job.jobId));
    this.loops.set(job.jobId, loop);
  }

  get tracking(): number {
    return this.loops.size;
  }

  /** Resolves when no job is being followed (tests). */
  async idle(): Promise<void> {
    while (this.loops.size > 0) await Promise.allSettled([...this.loops.values()]);
  }

  /** Stops following (shutdown); unfinished jobs stay in the state file for the next start. */
  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.loops.values()]);
  }

  /** Picks up the jobs a previous run was following. */
  async resume(): Promise<void> {
    for (const pending of this.options.state.pendingJobs()) {
      const job = fromPending(pending);
      let info: JobInfo | undefined;
      try {
        info = await this.options.studio.wait(pending.jobId, { timeoutMs: 1 });
      } catch {
        info = this.options.studio.jobs.get(pending.jobId);
      }
      if (info) this.track(job, info);
      else await this.forget(job, 'this job was lost in a restart; please start it again');
    }
  }

  private async follow(job: TrackedJob, initial: JobInfo): Promise<void> {
    const { studio, logger } = this.options;
    const signal = this.controller.signal;
    let lastEdit = this.now();
    let shown = JSON.stringify(renderStatus(initial, job.context, this.now()).embeds);
    let info = initial;
    while (!signal.aborted) {
      if (TERMINAL.has(info.state)) return this.finish(job, info);
      const wait = Math.max(50, this.minEditMs - (this.now() - lastEdit));
      try {
        info = await studio.wait(job.jobId, { timeoutMs: wait, signal });
      } catch (error) {
        if (signal.aborted) return;
        logger.warn({ err: error, job: job.jobId }, 'waiting for a job failed');
        const known = studio.jobs.get(job.jobId);
        if (!known) return this.forget(job, 'this job is no longer known to the queue');
        info = known;
        await sleep(this.minEditMs, signal);
        continue;
      }
      if (TERMINAL.has(info.state) || this.now() - lastEdit < this.minEditMs) continue;
      const status = renderStatus(info, job.context, this.now());
      const key = JSON.stringify(status.embeds);
      if (key === shown) continue;
      try {
        await this.options.messages.edit(job.target, status);
      } catch (error) {
        logger.warn({ err: error, job: job.jobId }, 'status edit failed');
      }
      shown = key;
      lastEdit = this.now();
    }
  }

  /** The job ended: the status message becomes the first result; further variants follow as new messages. */
  private async finish(job: TrackedJob, info: JobInfo): Promise<void> {
    const { messages, logger } = this.options;
    try {
      if (info.state !== 'done') {
        await messages.edit(job.target, renderFinished(info, job.context));
        return;
      }
      const songIds = info.result?.songIds ?? [];
      const destination = { channelId: job.target.channelId, ...(job.target.kind === 'webhook' ? { webhook: { applicationId: job.target.applicationId, token: job.target.token } } : {}) };
      for (const [index, songId] of songIds.entries()) {
        const result = await this.resultMessage(songId, job);
        if (index > 0) await messages.post(destination, result);
        else
          await messages.edit(job.target, result).catch(async (error: unknown) => {
            // Someone deleted the status message: the result still gets posted.
            if (discordErrorCode(error) !== UNKNOWN_MESSAGE) throw error;
            await messages.post(destination, result);
          });
      }
    } catch (error) {
      logger.error({ err: error, job: job.jobId }, 'delivering a result failed');
      const reason = error instanceof Error ? error.message : String(error);
      await messages.edit(job.target, renderFinished({ ...info, state: 'failed', error: { code: 'DELIVERY', message: `the song was made but could not be posted: ${reason}` } }, job.context)).catch(() => undefined);
    } finally {
      await this.options.state.removePending(job.jobId);
    }
  }

  /** A song's result message: audio fitted to the interaction's limit, waveform, embed and buttons. */
  async resultMessage(songId: string, job: Pick<TrackedJob, 'attachmentLimit' | 'viewer'>): Promise<OutgoingMessage> {
    const { studio } = this.options;
    const song = await studio.getSong(songId, job.viewer);
    const settings = await studio.settings.get(job.viewer.user).catch(() => ({}) as UserSettings);
    const delivery = await studio.deliver(songId, job.attachmentLimit, job.viewer, deliveryOrder(settings.format));
    const waveform = await studio
      .file(songId, 'waveform', job.viewer)
      .then((file) => file.data())
      .catch(() => null);
    return renderResult(song, chooseAttachments(job.attachmentLimit, delivery, waveform));
  }

  private async forget(job: TrackedJob, why: string): Promise<void> {
    const lost: JobInfo = { id: job.jobId, user: job.viewer.user, origin: 'discord', state: 'failed', position: null, etaSeconds: null, progress: null, result: null, error: { code: 'LOST', message: why } };
    await this.options.messages.edit(job.target, renderFinished(lost, job.context)).catch(() => undefined);
    await this.options.state.removePending(job.jobId);
  }
}

export function toPending(job: TrackedJob): PendingJob | null {
  if (job.target.kind !== 'channel') return null; // webhook targets die with their token; nothing to resume
  return { jobId: job.jobId, channelId: job.target.channelId, messageId: job.target.messageId, title: job.context.title, by: job.context.by, attachmentLimit: job.attachmentLimit, viewer: job.viewer.user };
}

function fromPending(pending: PendingJob): TrackedJob {
  return {
    jobId: pending.jobId,
    target: { kind: 'channel', channelId: pending.channelId, messageId: pending.messageId },
    context: { title: pending.title, by: pending.by },
    attachmentLimit: pending.attachmentLimit,
    viewer: { user: pending.viewer, origin: 'discord' },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
