/**
 * Option ranges of the slash commands. They mirror the engine's LIMITS (src/engine/request.ts; a test
 * checks they agree) so Discord refuses an out-of-range value before it reaches the bot.
 */
export const MAX_DURATION = 240;
export const MIN_DURATION = 1;
export const MAX_STEPS = 200;
export const MAX_VARIANTS = 4;
export const MAX_SEED = 4294967295;
export const MAX_TAGS = 1000;
/** Lyrics typed into an option or a form: a modal text input's 4000. */
export const MAX_LYRICS = 4000;

/** Where the commands can be used: servers and the bot's DMs (guild install). */
export const CONTEXTS = [0, 1];
export const INTEGRATION_TYPES = [0];
