/**
 * The one place the bot touches the real Studio (src/engine/studio): opening it for `acejam bot`. Returning
 * it as a {@link BotStudio} is also the compile-time check that the Studio satisfies the bot's port.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../engine/logger.js';
import { Studio } from '../engine/studio/index.js';
import type { BotStudio } from './studio.js';

export type ClosableStudio = BotStudio & { close(): Promise<void> };

export async function openStudio(config: Config, logger: Logger): Promise<ClosableStudio> {
  const studio: ClosableStudio = await Studio.open(config, { logger });
  return studio;
}
