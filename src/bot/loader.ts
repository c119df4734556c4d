/**
 * Loads the slash commands: every module in `commands/` (one a command) whose default export passes the
 * shape check. A module that does not is an error at startup, not a silently missing command.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { z } from 'zod';

import type { BotCommand } from './context.js';

export const COMMANDS_DIR = fileURLToPath(new URL('../../commands/', import.meta.url));

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', { error: 'must be a function' });
const commandShape = z.object({
  data: z.looseObject({ name: z.string().min(1).max(32), description: z.string().min(1).max(100) }),
  defer: z.union([z.enum(['ephemeral', 'public', 'none']), fn]),
  execute: fn,
  autocomplete: fn.optional(),
});

/** The command modules, by name. */
export async function loadCommands(dir = COMMANDS_DIR): Promise<Map<string, BotCommand>> {
  const files = (await readdir(dir)).filter((file) => /\.(ts|js|mjs)$/.test(file) && !file.endsWith('.d.ts') && !file.endsWith('.test.ts')).sort();
  const commands = new Map<string, BotCommand>();
  for (const file of files) {
    const module = (await import(pathToFileURL(`${dir}/${file}`).href)) as { default?: unknown };
    const parsed = commandShape.safeParse(module.default);
    if (!parsed.success) throw new Error(`commands/${file}: the default export is not a command (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
    const command = module.default as BotCommand;
    if (commands.has(command.data.name)) throw new Error(`commands/${file}: /${command.data.name} is defined twice`);
    commands.set(command.data.name, command);
  }
  return commands;
}
