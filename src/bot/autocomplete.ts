/**
 * Autocomplete sources (Discord allows 25 choices, names and values ≤ 100 characters): tags from a curated
 * list plus the person's recent tags, completing the last comma-separated part; songs from the person's and
 * the channel's history; lyric sections of a song; packs.
 */
import type { ApplicationCommandOptionChoiceData, AutocompleteInteraction } from 'discord.js';

import { actorOf, type BotContext } from './context.js';
import { clock, truncate } from './render/format.js';
import type { SongView } from './studio.js';

/** Tags ACE-Step v1 knows well: genres, moods, instruments, vocals, tempo. */
export const CURATED_TAGS = [
  'pop', 'rock', 'hip hop', 'rap', 'r&b', 'soul', 'funk', 'jazz', 'blues', 'country', 'folk', 'acoustic', 'electronic', 'edm', 'house',
  'techno', 'trance', 'drum and bass', 'dubstep', 'lofi', 'chillout', 'ambient', 'synthwave', 'classical', 'orchestral', 'cinematic',
  'metal', 'punk', 'indie', 'reggae', 'latin', 'k-pop', 'j-pop', 'gospel', 'disco', 'trap',
  'happy', 'sad', 'energetic', 'calm', 'dark', 'dreamy', 'epic', 'romantic', 'melancholic', 'uplifting',
  'piano', 'guitar', 'electric guitar', 'acoustic guitar', 'bass', 'drums', 'synth', 'strings', 'violin', 'saxophone', 'trumpet', '808',
  'female vocals', 'male vocals', 'choir', 'instrumental', 'slow', 'mid-tempo', 'fast', '90 bpm', '120 bpm', '140 bpm',
];

const MAX_CHOICES = 25;
const MAX_CHOICE = 100;

/** Completes the last part of a comma-separated tag list. */
export function tagChoices(typed: string, recent: readonly string[]): ApplicationCommandOptionChoiceData<string>[] {
  const parts = typed.split(',');
  const last = (parts.pop() ?? '').trim().toLowerCase();
  const done = parts.map((p) => p.trim()).filter(Boolean);
  const prefix = done.length > 0 ? `${done.join(', ')}, ` : '';
  const taken = new Set(done.map((p) => p.toLowerCase()));
  const pool = [...new Set([...recent.map((t) => t.trim().toLowerCase()).filter(Boolean), ...CURATED_TAGS])];
  const matches = pool.filter((tag) => !taken.has(tag) && (last === '' || tag.includes(last))).sort((a, b) => Number(!a.startsWith(last)) - Number(!b.startsWith(last)));
  const choices: ApplicationCommandOptionChoiceData<string>[] = [];
  if (typed.trim() && typed.length <= MAX_CHOICE) choices.push({ name: typed.trim(), value: typed.trim() });
  for (const tag of matches) {
    const value = `${prefix}${tag}`;
    if (value.length > MAX_CHOICE || choices.some((c) => c.value === value)) continue;
    choices.push({ name: value, value });
    if (choices.length >= MAX_CHOICES) break;
  }
  return choices;
}

export async function recentTags(ctx: BotContext, interaction: AutocompleteInteraction): Promise<string[]> {
  const actor = actorOf(interaction);
  const songs = await ctx.studio.listSongs({ user: actor.user, limit: 20 }, actor).catch(() => [] as SongView[]);
  return songs.flatMap((song) => song.tags.split(','));
}

export function songChoice(song: SongView): ApplicationCommandOptionChoiceData<string> {
  return { name: truncate(`${song.id} · ${song.tags} · ${clock(song.durationSeconds)}`, MAX_CHOICE), value: song.id };
}

/** The person's songs, then this channel's, filtered by what is typed (id or tags). */
export async function songChoices(ctx: BotContext, interaction: AutocompleteInteraction): Promise<ApplicationCommandOptionChoiceData<string>[]> {
  const actor = actorOf(interaction);
  const typed = interaction.options.getFocused().trim().toLowerCase();
  const [mine, channel] = await Promise.all([
    ctx.studio.listSongs({ user: actor.user, limit: 25 }, actor).catch(() => [] as SongView[]),
    interaction.channelId ? ctx.studio.listSongs({ channelId: interaction.channelId, limit: 25 }, actor).catch(() => [] as SongView[]) : Promise.resolve([] as SongView[]),
  ]);
  const seen = new Set<string>();
  const out: ApplicationCommandOptionChoiceData<string>[] = [];
  for (const song of [...mine, ...channel]) {
    if (seen.has(song.id)) continue;
    seen.add(song.id);
    if (typed && !song.id.toLowerCase().startsWith(typed) && !song.tags.toLowerCase().includes(typed)) continue;
    out.push(songChoice(song));
    if (out.length >= MAX_CHOICES) break;
  }
  return out;
}

export async function sectionChoices(ctx: BotContext, interaction: AutocompleteInteraction, songId: string | null): Promise<ApplicationCommandOptionChoiceData<string>[]> {
  if (!songId) return [];
  const typed = interaction.options.getFocused().trim().toLowerCase();
  const sections = await ctx.studio.sections(songId, actorOf(interaction));
  return sections
    .filter((s) => !typed || s.name.includes(typed))
    .slice(0, MAX_CHOICES)
    .map((s) => ({ name: truncate(`${s.name} (${clock(s.start)}–${clock(s.end)})`, MAX_CHOICE), value: truncate(s.name, MAX_CHOICE) }));
}
