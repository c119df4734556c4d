/**
 * The bot's own settings from the environment, parsed once with zod. The token is a secret: it is never
 * logged, and {@link redactBotConfig} is what logs may show. `ACEJAM_DISCORD_API` points the REST client
 * (and, through its `/gateway/bot`, the gateway) at a Discord-compatible server such as the test stand-in.
 */
import { z } from 'zod';

import { AcejamError } from '../engine/errors.js';

const snowflake = (what: string) => z.string().trim().regex(/^\d{15,25}$/, { error: `must be a Discord ${what} id (15–25 digits)` });

export const botEnvSchema = z.object({
  DISCORD_TOKEN: z.string().trim().min(20, { error: 'must be the bot token from the Developer Portal (Bot → Reset Token)' }).optional(),
  DISCORD_APPLICATION_ID: snowflake('application').optional(),
  DISCORD_GUILD_ID: snowflake('guild (server)').optional(),
  ACEJAM_DISCORD_API: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^\s]+$/, { error: 'must be an http(s) URL such as https://discord.com/api' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
});

export interface BotConfig {
  token: string | null;
  applicationId: string | null;
  guildId: string | null;
  /** REST base without the version, e.g. `https://discord.com/api` (discord.js's `rest.api`). */
  api: string;
}

export const DISCORD_API = 'https://discord.com/api';

/** Parses the bot's variables; a bad value fails fast with an INVALID_INPUT error naming the variable. */
export function loadBotConfig(env: NodeJS.ProcessEnv = process.env): BotConfig {
  const parsed = botEnvSchema.safeParse({
    DISCORD_TOKEN: env.DISCORD_TOKEN || undefined,
    DISCORD_APPLICATION_ID: env.DISCORD_APPLICATION_ID || undefined,
    DISCORD_GUILD_ID: env.DISCORD_GUILD_ID || undefined,
    ACEJAM_DISCORD_API: env.ACEJAM_DISCORD_API || undefined,
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new AcejamError('INVALID_INPUT', `invalid Discord configuration:\n${lines.join('\n')}`);
  }
  const { DISCORD_TOKEN, DISCORD_APPLICATION_ID, DISCORD_GUILD_ID, ACEJAM_DISCORD_API } = parsed.data;
  return {
    token: DISCORD_TOKEN ?? null,
    applicationId: DISCORD_APPLICATION_ID ?? null,
    guildId: DISCORD_GUILD_ID ?? null,
    api: ACEJAM_DISCORD_API ?? DISCORD_API,
  };
}

/** The fields a command needs, or an error saying which variable to set. */
export function requireBotCredentials(config: BotConfig, what: string): { token: string; applicationId: string } {
  const missing = [config.token ? null : 'DISCORD_TOKEN', config.applicationId ? null : 'DISCORD_APPLICATION_ID'].filter(Boolean);
  if (missing.length > 0)
    throw new AcejamError('INVALID_INPUT', `${what} needs ${missing.join(' and ')} in the environment`, {
      hint: 'create an application at https://discord.com/developers/applications (see src/bot/README.md)',
    });
  return { token: config.token!, applicationId: config.applicationId! };
}

/** What may be logged: never the token. */
export function redactBotConfig(config: BotConfig): Record<string, unknown> {
  return { applicationId: config.applicationId, guildId: config.guildId, api: config.api, token: config.token ? '(set)' : '(unset)' };
}
