/** Small text helpers shared by the renderers: Discord's limits are counted in UTF-16 units, as JS strings are. */

/** Cuts `text` to `max` characters, ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** 75.4 → "1:15". */
export function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** A friendly duration for ETAs: "12 s", "3 min", "1 h 5 min". */
export function humanSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A text progress bar: `▰▰▰▱▱▱▱▱▱▱`. */
export function progressBar(percent: number, width = 14): string {
  const clamped = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
  const filled = Math.round((clamped / 100) * width);
  return '▰'.repeat(filled) + '▱'.repeat(width - filled);
}

/** Discord's relative timestamp markup ("in 2 minutes"), rendered in each viewer's own locale. */
export function relativeTime(epochMs: number): string {
  return `<t:${Math.round(epochMs / 1000)}:R>`;
}

/** Inline code that survives backticks in user text. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, 'ˋ')}\``;
}

/** A user mention for a store user id (`discord:<id>`), else the plain name. */
export function mention(user: string, discordId: string | null): string {
  return discordId ? `<@${discordId}>` : code(user);
}

/** Seconds as typed by people: "12", "12.5", "1:05". Null when not a number. */
export function parseSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const mmss = /^(\d{1,3}):([0-5]?\d(?:\.\d+)?)$/.exec(trimmed);
  if (mmss) return Number(mmss[1]) * 60 + Number(mmss[2]);
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return null;
  return Number(trimmed);
}
