/**
 * Loading the configuration once at startup: `config/default.json`, then an optional JSON file, then
 * the `ACEJAM_*` environment, validated with zod. A bad value fails fast with an `INVALID_INPUT`
 * {@link AcejamError} that names the variable or field and what it accepts. Nothing below the CLI and
 * the front ends reads `process.env`: they receive the frozen {@link Config}.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { z } from 'zod';

import { AcejamError } from '../engine/errors.js';
import { BUNDLED_PACK_DIR } from '../engine/packs/list.js';
import { ENV_VARS, configFileSchema, configSchema, envSchema, type Config, type ConfigFile } from './schema.js';

/** `config/default.json` in the repository: the built-in defaults, as data. */
export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../config/default.json', import.meta.url));

export interface LoadConfigOptions {
  /** A JSON config file layered over the defaults (relative paths inside it are relative to the file). */
  file?: string;
  /** The environment to read `ACEJAM_*` (and `XDG_DATA_HOME`, `HOME`) from. */
  env?: NodeJS.ProcessEnv;
}

function describeIssues(source: string, issues: readonly z.core.$ZodIssue[], values: Record<string, unknown>): string {
  const lines = issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    const value = values[key];
    const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
    return `  ${key}: ${issue.message}${got}`;
  });
  return `invalid configuration in ${source}:\n${lines.join('\n')}`;
}

function readConfigFile(path: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AcejamError('INVALID_INPUT', `cannot read config file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const values = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    throw new AcejamError('INVALID_INPUT', describeIssues(path, parsed.error.issues, values), {
      hint: `fields: ${Object.keys(configSchema.shape).join(', ')} (see config/README.md)`,
    });
  }
  const file = parsed.data;
  const base = dirname(path);
  return {
    ...file,
    packDir: file.packDir == null ? file.packDir : resolve(base, file.packDir),
    dataDir: file.dataDir == null ? file.dataDir : resolve(base, file.dataDir),
  };
}

/** The per-user data folder: `$XDG_DATA_HOME/acejam`, else `~/.local/share/acejam`. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'acejam');
  return join(env.HOME || homedir(), '.local', 'share', 'acejam');
}

/** Parses the configuration once; the result is frozen. Throws `INVALID_INPUT` naming the bad variable or field. */
export function loadConfig({ file, env = process.env }: LoadConfigOptions = {}): Config {
  const defaults = readConfigFile(DEFAULT_CONFIG_FILE);
  const fromFile = file === undefined ? {} : readConfigFile(resolve(file));

  // Empty variables count as unset, as most shells make clearing one easy that way.
  const present: Record<string, string> = {};
  for (const name of Object.keys(ENV_VARS)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') present[name] = value;
  }
  const parsedEnv = envSchema.safeParse(present);
  if (!parsedEnv.success) {
    throw new AcejamError('INVALID_INPUT', describeIssues('the environment', parsedEnv.error.issues, present), {
      hint: 'see config/README.md for every ACEJAM_* variable and its allowed values',
    });
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(ENV_VARS)) {
    const value = parsedEnv.data[name as keyof typeof ENV_VARS];
    if (value !== undefined) fromEnv[field] = value;
  }
  if (typeof fromEnv.packDir === 'string') fromEnv.packDir = resolve(fromEnv.packDir);
  if (typeof fromEnv.dataDir === 'string') fromEnv.dataDir = resolve(fromEnv.dataDir);

  const merged: Record<string, unknown> = { ...stripUnset(defaults), ...stripUnset(fromFile), ...fromEnv };
  delete merged.$comment;
  merged.packDir ??= BUNDLED_PACK_DIR;
  merged.storeUrl ??= null;
  merged.dataDir ??= defaultDataDir(env);

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new AcejamError('INVALID_INPUT', describeIssues('the merged configuration', parsed.error.issues, merged));
  }
  return Object.freeze(parsed.data);
}

/** Drops `undefined` and `null` entries so a file can say "use the default" without erasing a lower layer. */
function stripUnset(layer: ConfigFile): Partial<ConfigFile> {
  return Object.fromEntries(Object.entries(layer).filter(([, value]) => value !== undefined && value !== null));
}
