/**
 * The `custom_id` codec: `action:id[:arg]`, at most 100 characters (Discord's limit). Every button, select
 * and modal carries its action and the song (or job) it acts on; everything else is read from the store
 * when it is pressed, so components keep working after a restart and after days. A value that does not
 * decode (forged, truncated, from an older version) gives `null`, never a guess.
 */

/** What a component does; the modal actions end in `m` (submitted forms). */
export const ACTIONS = {
  retake: /^(subtle|strong)$/,
  reroll: null,
  repaint: null,
  extend: /^(left|right)$/,
  edit: null,
  full: null,
  cancel: null,
  show: null,
  hist: /^(mine|channel)$/,
  composem: /^(\d{1,3}(\.\d{1,2})?)?,(\d{1,10})?,([1-4])?,(public|private)?$/,
  repaintm: null,
  editm: null,
} as const satisfies Record<string, RegExp | null>;

export type Action = keyof typeof ACTIONS;

export interface CustomId {
  action: Action;
  /** A song id, a job id, or `-` when the component is about no stored thing yet. */
  id: string;
  arg?: string;
}

export const MAX_CUSTOM_ID = 100;
const ID = /^(-|[A-Za-z0-9_-]{1,64})$/;
const NONE = '-';

function hasArgRule(action: Action): RegExp | null {
  return ACTIONS[action];
}

/** Encodes; throws on a value the codec could not read back (a bug in the caller, not user input). */
export function encodeCustomId(value: CustomId): string {
  const rule = hasArgRule(value.action);
  if (!ID.test(value.id)) throw new Error(`custom_id: bad id ${JSON.stringify(value.id)}`);
  if (rule === null && value.arg !== undefined) throw new Error(`custom_id: ${value.action} takes no argument`);
  if (rule !== null && (value.arg === undefined || !rule.test(value.arg))) throw new Error(`custom_id: bad argument ${JSON.stringify(value.arg)} for ${value.action}`);
  const encoded = value.arg === undefined ? `${value.action}:${value.id}` : `${value.action}:${value.id}:${value.arg}`;
  if (encoded.length > MAX_CUSTOM_ID) throw new Error(`custom_id: ${encoded.length} characters (Discord allows ${MAX_CUSTOM_ID})`);
  return encoded;
}

/** Decodes a custom_id from Discord; null when it is not one this bot could have made. */
export function decodeCustomId(raw: string): CustomId | null {
  if (raw.length === 0 || raw.length > MAX_CUSTOM_ID) return null;
  const parts = raw.split(':');
  if (parts.length < 2 || parts.length > 3) return null;
  const [action, id, arg] = parts as [string, string, string | undefined];
  if (!Object.hasOwn(ACTIONS, action)) return null;
  const rule = hasArgRule(action as Action);
  if (!ID.test(id)) return null;
  if (rule === null ? arg !== undefined : arg === undefined || !rule.test(arg)) return null;
  return arg === undefined ? { action: action as Action, id } : { action: action as Action, id, arg };
}

/** True when the id slot names a stored thing (not `-`). */
export function hasId(value: CustomId): boolean {
  return value.id !== NONE;
}

/** What /compose carries into its lyrics form: the slash options that do not fit in the form. */
export interface ComposeOptions {
  duration?: number | undefined;
  seed?: number | undefined;
  variants?: number | undefined;
  visibility?: 'public' | 'private' | undefined;
}

/** `duration,seed,variants,visibility`, empty where unset. */
export function composeArg(options: ComposeOptions): string {
  const duration = options.duration === undefined ? '' : String(Math.round(options.duration * 100) / 100);
  return `${duration},${options.seed ?? ''},${options.variants ?? ''},${options.visibility ?? ''}`;
}

export function parseComposeArg(arg: string): { duration?: number; seed?: number; variants?: number; visibility?: 'public' | 'private' } {
  const [duration, seed, variants, visibility] = arg.split(',');
  return {
    ...(duration ? { duration: Number(duration) } : {}),
    ...(seed ? { seed: Number(seed) } : {}),
    ...(variants ? { variants: Number(variants) } : {}),
    ...(visibility === 'public' || visibility === 'private' ? { visibility } : {}),
  };
}
