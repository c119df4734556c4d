/**
 * Bad input, each answered with a clear ephemeral reply while nothing stored changes: forged and stale
 * custom ids, unknown songs, a private song's buttons pressed by someone else, non-audio uploads, lyrics over
 * the limit, a user over their cap, server rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ephemeralReply, expectNoRefusals, nextStatus, openHarness, result, snapshot, songIdOf, botChannelMessages, type Harness } from './harness.js';
import type { InteractionRecord, StoredMessage, UserFixture } from './stand-in/world.js';

let h: Harness;
let publicSong: StoredMessage;
let privateSong: StoredMessage;

async function compose(options: Record<string, string | number | boolean>, user: UserFixture): Promise<StoredMessage> {
  const before = snapshot(h.standIn, h.general.id);
  await h.standIn.acked(h.standIn.command('compose', options, h.as(user)));
  return result(h.standIn, await nextStatus(h.standIn, h.general.id, before));
}

beforeAll(async () => {
  h = await openHarness({ ACEJAM_MAX_QUEUED_PER_USER: '1', ACEJAM_MAX_COST_PER_USER: '20000' });
  publicSong = await compose({ tags: 'lofi', duration: 2 }, h.alice);
  privateSong = await compose({ tags: 'secret', duration: 2, visibility: 'private' }, h.alice);
}, 90_000);
afterAll(async () => h?.close());

/**
 * Everything a refusal must leave alone: no new or cancelled job, no new public message, settings and server
 * rules unchanged, and (when no other job is running) the same songs.
 */
async function stored(withSongs: boolean): Promise<string> {
  const users = [h.alice, h.bob, h.carol].map((u) => `discord:${u.id}`);
  const songs = withSongs ? await Promise.all(users.map((user) => h.studio.listSongs({ user, limit: 100 }, { user, origin: 'discord' }))) : [];
  const settings = await Promise.all(users.map((user) => h.studio.settings.get(user)));
  const jobs = h.studio.jobs.list();
  return JSON.stringify({
    songs: songs.map((list) => list.map((s) => s.id)),
    settings,
    jobs: jobs.map((j) => j.id).sort(),
    cancelled: jobs.filter((j) => j.state === 'cancelled').map((j) => j.id).sort(),
    messages: botChannelMessages(h.standIn, h.general.id).map((m) => m.id),
    guild: h.bot.state.guild(h.guild.id),
  });
}

/** Runs `act`, expects a private reply matching `text`, and that nothing stored changed. */
async function refusedPrivately(act: () => InteractionRecord, text: RegExp, options: { otherJobRunning?: boolean } = {}): Promise<string> {
  const withSongs = !options.otherJobRunning;
  const before = await stored(withSongs);
  const record = act();
  const ack = await h.standIn.acked(record);
  expect(ack.elapsedMs).toBeLessThan(3000);
  const reply = await ephemeralReply(h.standIn, record, text);
  expect(reply.flags & 64).toBe(64);
  if (record.originalMessageId && record.originalMessageId !== record.sourceMessageId) {
    const original = h.standIn.message(record.originalMessageId)!;
    expect(original.deleted || (original.flags & 64) !== 0).toBe(true); // no public trace of the refusal
  }
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(await stored(withSongs)).toBe(before);
  return reply.content;
}

describe('refusals are private and change nothing', () => {
  it('a forged custom id', async () => {
    await refusedPrivately(() => h.standIn.press(publicSong, `retake:${songIdOf(publicSong)}:huge`, h.as(h.bob), true), /isn't one acejam can read/);
    await refusedPrivately(() => h.standIn.press(publicSong, 'x'.repeat(100), h.as(h.bob), true), /isn't one acejam can read/);
  });

  it('a stale custom id (a song that does not exist any more) and unknown song ids', async () => {
    await refusedPrivately(() => h.standIn.press(publicSong, 'retake:ZZZZZZZZZZ:subtle', h.as(h.bob), true), /ZZZZZZZZZZ|not found|no song/i);
    await refusedPrivately(() => h.standIn.command('retake', { song: 'ZZZZZZZZZZ' }, h.as(h.bob)), /ZZZZZZZZZZ|not found|no song/i);
    await refusedPrivately(() => h.standIn.command('song', { id: 'nope' }, h.as(h.bob)), /nope|not found|no song|song id/i);
  });

  it("a private song's buttons pressed by someone else", async () => {
    const id = songIdOf(privateSong);
    for (const customId of [`retake:${id}:subtle`, `reroll:${id}`, `extend:${id}:right`, `full:${id}`, `repaint:${id}`, `edit:${id}`])
      await refusedPrivately(() => h.standIn.press(privateSong, customId, h.as(h.bob)), /private|owner|not yours|forbidden|not allowed/i);
    await refusedPrivately(() => h.standIn.command('song', { id }, h.as(h.bob)), /private|owner|not yours|forbidden|not allowed/i);
  });

  it('a non-audio upload, by type and by content', async () => {
    await refusedPrivately(() => h.standIn.command('remix', { tags: 'rock', file: { filename: 'notes.txt', data: new TextEncoder().encode('hello'), contentType: 'text/plain' } }, h.as(h.bob)), /not an audio file/);
    await refusedPrivately(() => h.standIn.command('remix', { tags: 'rock', file: { filename: 'fake.mp3', data: new TextEncoder().encode('definitely not an mp3 '.repeat(50)), contentType: 'audio/mpeg' } }, h.as(h.bob)), /not audio|not an audio|recognise|damaged|decode/i);
    await refusedPrivately(() => h.standIn.command('remix', { tags: 'rock' }, h.as(h.bob)), /exactly one source/);
  });

  it('lyrics over the limit (a tampered form), and bad form values', async () => {
    const opener = h.standIn.command('compose', { tags: 'pop', lyrics: true, duration: 2 }, h.as(h.bob));
    await h.standIn.acked(opener);
    await refusedPrivately(() => h.standIn.submitModal(opener, { lyrics: `[verse]\n${'la '.repeat(1400)}` }, h.as(h.bob), true), /Lyrics are limited to 4000 characters/);
    const repaint = h.standIn.press(publicSong, `repaint:${songIdOf(publicSong)}`, h.as(h.bob));
    await h.standIn.acked(repaint);
    await refusedPrivately(() => h.standIn.submitModal(repaint, { start: 'soon', end: '3' }, h.as(h.bob)), /Start must be seconds/);
    await refusedPrivately(() => h.standIn.submitModal(repaint, {}, h.as(h.bob)), /Pick a section, or give both a start and an end/);
    const edit = h.standIn.press(publicSong, `edit:${songIdOf(publicSong)}`, h.as(h.bob));
    await h.standIn.acked(edit);
    await refusedPrivately(() => h.standIn.submitModal(edit, {}, h.as(h.bob)), /Change the tags or the lyrics/);
  });

  it('a user over their caps (cost of one job; jobs waiting or running)', async () => {
    await refusedPrivately(() => h.standIn.command('compose', { tags: 'epic', duration: 240, variants: 2 }, h.as(h.bob)), /limit \(maxCostPerUser\) is 20000/);
    const before = snapshot(h.standIn, h.general.id);
    const first = h.standIn.command('compose', { tags: 'long', duration: 30 }, h.as(h.bob)); // still running when the next one comes
    await ephemeralReply(h.standIn, first, /Follow it here/);
    const content = await refusedPrivately(() => h.standIn.command('compose', { tags: 'short', duration: 5 }, h.as(h.bob)), /limit \(maxQueuedPerUser\) is 1/, { otherJobRunning: true });
    expect(content).toMatch(/you would have 2 jobs/);
    await result(h.standIn, await nextStatus(h.standIn, h.general.id, before), 60_000);
  });

  it("server rules: owner-only buttons, and cancelling someone else's job", async () => {
    await h.bot.state.updateGuild(h.guild.id, { buttons: 'owner' });
    await refusedPrivately(() => h.standIn.press(publicSong, `retake:${songIdOf(publicSong)}:subtle`, h.as(h.bob)), /only a song's owner/);
    await h.bot.state.updateGuild(h.guild.id, { buttons: 'role', buttonRole: h.standIn.world.role(h.guild, 'DJ') });
    await refusedPrivately(() => h.standIn.press(publicSong, `retake:${songIdOf(publicSong)}:subtle`, h.as(h.bob)), /role/);
    await h.bot.state.updateGuild(h.guild.id, { buttons: 'anyone', maxDuration: 30 });
    await refusedPrivately(() => h.standIn.command('compose', { tags: 'pop', duration: 60 }, h.as(h.bob)), /at most 30 s/);
    await h.bot.state.updateGuild(h.guild.id, { maxDuration: null, blockedWords: ['forbiddenword'] });
    await refusedPrivately(() => h.standIn.command('compose', { tags: 'pop, forbiddenword' }, h.as(h.bob)), /blocks/);
    await h.bot.state.updateGuild(h.guild.id, { blockedWords: [] });

    const before = snapshot(h.standIn, h.general.id);
    await h.standIn.acked(h.standIn.command('compose', { tags: 'ambient', duration: 30 }, h.as(h.alice)));
    const status = await nextStatus(h.standIn, h.general.id, before);
    const jobId = String((status.embeds[0]!.footer as { text: string }).text).replace('job ', '');
    await refusedPrivately(() => h.standIn.press(status, `cancel:${jobId}`, h.as(h.bob)), /Only the person who started this job/, { otherJobRunning: true });
    await result(h.standIn, status, 60_000);
    expectNoRefusals(h.standIn);
  });
});
