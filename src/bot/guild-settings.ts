/**
 * What the bot itself keeps, in `<dataDir>/discord/state.json` (songs, jobs and user settings live in the
 * Studio's store): per-server settings, and the status message of each unfinished job so a restarted
 * bot keeps editing it. Written atomically (temp file + rename), one write at a time.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { z } from 'zod';

export const guildSettingsSchema = z.object({
  /** Who may press the buttons of someone else's public song. */
  buttons: z.enum(['anyone', 'owner', 'role']).default('anyone'),
  buttonRole: z.string().nullable().default(null),
  /** A role needed to start jobs (null: everyone). */
  composeRole: z.string().nullable().default(null),
  /** Channels where the bot works (empty: all). */
  channels: z.array(z.string()).max(100).default([]),
  /** Longest song in seconds (null: the engine's limit). */
  maxDuration: z.number().min(1).max(240).nullable().default(null),
  /** Words refused in tags and lyrics (whole words, any case). */
  blockedWords: z.array(z.string().min(1).max(64)).max(200).default([]),
});
export type GuildSettings = z.infer<typeof guildSettingsSchema>;

export const DEFAULT_GUILD_SETTINGS: GuildSettings = guildSettingsSchema.parse({});

const pendingJobSchema = z.object({
  jobId: z.string(),
  channelId: z.string(),
  messageId: z.string(),
  title: z.string(),
  by: z.string(),
  attachmentLimit: z.number(),
  viewer: z.string(),
});
export type PendingJob = z.infer<typeof pendingJobSchema>;

const stateSchema = z.object({
  guilds: z.record(z.string(), guildSettingsSchema).default({}),
  pending: z.record(z.string(), pendingJobSchema).default({}),
});
type State = z.infer<typeof stateSchema>;

export class BotState {
  private state: State = { guilds: {}, pending: {} };
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly path: string) {}

  static async open(dataDir: string): Promise<BotState> {
    const store = new BotState(join(dataDir, 'discord', 'state.json'));
    try {
      const parsed = stateSchema.safeParse(JSON.parse(await readFile(store.path, 'utf8')));
      if (parsed.success) store.state = parsed.data;
    } catch {
      // no state yet (first start): defaults
    }
    return store;
  }

  guild(guildId: string): GuildSettings {
    return this.state.guilds[guildId] ?? DEFAULT_GUILD_SETTINGS;
  }

  async updateGuild(guildId: string, patch: Partial<GuildSettings>): Promise<GuildSettings> {
    const next = guildSettingsSchema.parse({ ...this.guild(guildId), ...patch });
    this.state.guilds[guildId] = next;
    await this.save();
    return next;
  }

  pendingJobs(): PendingJob[] {
    return Object.values(this.state.pending);
  }

  async addPending(job: PendingJob): Promise<void> {
    this.state.pending[job.jobId] = job;
    await this.save();
  }

  async removePending(jobId: string): Promise<void> {
    if (!(jobId in this.state.pending)) return;
    delete this.state.pending[jobId];
    await this.save();
  }

  private save(): Promise<void> {
    const text = JSON.stringify(this.state, null, 1);
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, text);
      await rename(temp, this.path);
    });
    return this.writing;
  }

  async flush(): Promise<void> {
    await this.writing;
  }
}
