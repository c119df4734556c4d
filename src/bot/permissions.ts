/**
 * Who may do what (issue 7, items 4 and 5), as pure rules over the song, the person and the server's
 * settings, so they are tested without Discord:
 *  - a private song: only its owner, for every button (the Studio refuses the rest too);
 *  - a public song in a server: per the server's `buttons` setting: anyone, the owner only, or the owner and
 *    members with a role; in DMs: anyone who can see it;
 *  - composing in a server: allowed channels, a compose role, a maximum duration and blocked words.
 */
import type { GuildSettings } from './guild-settings.js';

export type Decision = { ok: true } | { ok: false; reason: string; hint?: string };

const OK: Decision = { ok: true };

export interface Presser {
  /** Store user id (`discord:<id>`). */
  user: string;
  /** Role ids the member has (empty in DMs). */
  roles: readonly string[];
  /** Null in DMs. */
  guildId: string | null;
  /** Manage Server (or Administrator) in this server. */
  isManager?: boolean;
}

/** What a component does to a song: `view` reads it (Full quality, show), `remix` makes a new version. */
export type SongAction = 'view' | 'remix';

export function maySongAction(song: { owner: string; visibility: 'public' | 'private' }, presser: Presser, settings: GuildSettings | null, action: SongAction): Decision {
  const owner = song.owner === presser.user;
  if (song.visibility === 'private' && !owner) return { ok: false, reason: 'This song is private: only its owner can use its buttons.' };
  if (owner || action === 'view' || presser.guildId === null || settings === null) return OK;
  switch (settings.buttons) {
    case 'anyone':
      return OK;
    case 'owner':
      return { ok: false, reason: "On this server only a song's owner can make new versions of it.", hint: 'Make your own with /compose, or ask a server manager to change /settings server.' };
    case 'role':
      if (settings.buttonRole && presser.roles.includes(settings.buttonRole)) return OK;
      return { ok: false, reason: `On this server only the owner and members with the <@&${settings.buttonRole ?? '0'}> role can make new versions of a song.` };
  }
}

export interface ComposeRequest {
  channelId: string | null;
  duration?: number | undefined;
  tags?: string | undefined;
  lyrics?: string | undefined;
}

/** Server rules for any new job (compose or a new version): channel, role, duration, words. */
export function mayCompose(request: ComposeRequest, presser: Presser, settings: GuildSettings | null): Decision {
  if (presser.guildId === null || settings === null) return OK;
  if (settings.channels.length > 0 && (request.channelId === null || !settings.channels.includes(request.channelId)))
    return { ok: false, reason: `On this server acejam works in ${settings.channels.map((id) => `<#${id}>`).join(', ')}.` };
  if (settings.composeRole && !presser.isManager && !presser.roles.includes(settings.composeRole))
    return { ok: false, reason: `On this server composing needs the <@&${settings.composeRole}> role.` };
  if (settings.maxDuration !== null && request.duration !== undefined && request.duration > settings.maxDuration)
    return { ok: false, reason: `On this server songs may be at most ${settings.maxDuration} s long (you asked for ${request.duration} s).` };
  const word = blockedWord(`${request.tags ?? ''}\n${request.lyrics ?? ''}`, settings.blockedWords);
  if (word !== null) return { ok: false, reason: `Your tags or lyrics contain a word this server blocks (“${word}”).` };
  return OK;
}

/** The first blocked word found as a whole word (case-insensitive), or null. */
export function blockedWord(text: string, words: readonly string[]): string | null {
  const lower = text.toLowerCase();
  for (const word of words) {
    const w = word.trim().toLowerCase();
    if (!w) continue;
    const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(lower)) return word;
  }
  return null;
}

/** Server settings can be changed by members with Manage Server. */
export function mayManageServer(presser: Presser): Decision {
  if (presser.guildId === null) return { ok: false, reason: 'Server settings only exist in a server.' };
  if (!presser.isManager) return { ok: false, reason: 'Changing server settings needs the Manage Server permission.' };
  return OK;
}
