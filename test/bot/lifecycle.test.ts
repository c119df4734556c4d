/**
 * What must survive time and restarts: buttons pressed after a restart of the bot and the Studio, a job
 * that waits longer than an interaction token lives (the stand-in's clock moved 16 minutes), and a job whose
 * status message a restarted bot picks up again.
 */
import { REST } from '@discordjs/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { commandsJson, deployCommands } from '../../src/bot/deploy.js';

import { botChannelMessages, ephemeralReply, expectNoRefusals, isResult, nextStatus, openHarness, result, snapshot, songIdOf, type Harness } from './harness.js';
import { TOKEN_LIFETIME_MS } from './stand-in/server.js';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
}, 60_000);
afterAll(async () => h?.close());

describe('lifecycle', () => {
  it('buttons keep working after the bot and the Studio restart', async () => {
    let before = snapshot(h.standIn, h.general.id);
    await h.standIn.acked(h.standIn.command('compose', { tags: 'lofi', duration: 2 }, h.as(h.alice)));
    const done = await result(h.standIn, await nextStatus(h.standIn, h.general.id, before));
    const identifies = h.standIn.identifies.length;

    await h.restart({ studio: true });
    expect(h.standIn.identifies.length).toBe(identifies + 1);

    before = snapshot(h.standIn, h.general.id);
    const press = h.standIn.press(done, `retake:${songIdOf(done)}:strong`, h.as(h.bob));
    expect((await h.standIn.acked(press)).type).toBe(6);
    const next = await result(h.standIn, await nextStatus(h.standIn, h.general.id, before));
    expect(String(next.embeds[0]!.description)).toContain(`retake of \`${songIdOf(done)}\``);
  });

  it('a job that waits past the 15-minute interaction token still delivers (bot token, channel routes)', async () => {
    // A long job of bob's holds the queue, so alice's job waits behind it.
    let before = snapshot(h.standIn, h.general.id);
    await h.standIn.acked(h.standIn.command('compose', { tags: 'ambient', duration: 30 }, h.as(h.bob)));
    const blocker = await nextStatus(h.standIn, h.general.id, before);
    before = snapshot(h.standIn, h.general.id);
    const record = h.standIn.command('compose', { tags: 'jazz', duration: 2 }, h.as(h.alice));
    await ephemeralReply(h.standIn, record, /Follow it here/);
    const status = await nextStatus(h.standIn, h.general.id, before);
    const requestsBefore = h.standIn.log.length;

    h.standIn.advance(TOKEN_LIFETIME_MS + 60_000); // the interaction token is now dead

    await result(h.standIn, blocker, 90_000);
    const done = await result(h.standIn, status, 90_000);
    expect(done.attachments.some((a) => a.content_type.startsWith('audio/'))).toBe(true);
    const later = h.standIn.log.slice(requestsBefore);
    expect(later.filter((e) => e.route.startsWith('webhook'))).toEqual([]);
    expect(later.filter((e) => e.route === 'channel edit message' && e.status === 200).length).toBeGreaterThan(0);
    expectNoRefusals(h.standIn);
  }, 120_000);

  it('a restarted bot picks up the status message of a job still running', async () => {
    const before = snapshot(h.standIn, h.general.id);
    await h.standIn.acked(h.standIn.command('compose', { tags: 'drone', duration: 60 }, h.as(h.carol)));
    const status = await nextStatus(h.standIn, h.general.id, before);
    await h.standIn.waitFor(() => h.bot.state.pendingJobs().some((p) => p.messageId === status.id) || undefined, 'the job remembered');
    await h.restart();
    expect(h.bot.state.pendingJobs().map((p) => p.messageId)).toContain(status.id); // read back from state.json
    const done = await result(h.standIn, status, 90_000);
    expect(songIdOf(done)).toMatch(/^[A-Za-z0-9]{10}$/);
    await h.bot.tracker.idle();
    expect(h.bot.state.pendingJobs()).toEqual([]);
  }, 120_000);

  it('works in DMs with the bot (global commands, no server rules)', async () => {
    const rest = new REST({ api: h.standIn.apiBase, retries: 0 }).setToken(h.standIn.token);
    await deployCommands(rest, { applicationId: h.standIn.applicationId, guildId: null }, commandsJson(h.bot.commands.values()));
    const dm = h.standIn.world.dmChannel(h.bob);
    const before = snapshot(h.standIn, dm.id);
    const record = h.standIn.command('compose', { tags: 'bossa nova', duration: 2 }, { user: h.bob, channel: dm });
    await ephemeralReply(h.standIn, record, /Follow it here: https:\/\/discord\.com\/channels\/@me\//);
    const done = await result(h.standIn, await nextStatus(h.standIn, dm.id, before));
    expect((await h.studio.getSong(songIdOf(done))).owner).toBe(`discord:${h.bob.id}`);
  });

  it('falls back to the interaction webhook where the bot cannot post (and still delivers)', async () => {
    const locked = h.standIn.world.addChannel('locked', h.guild.id);
    h.guild.channels.push(locked.id);
    locked.accessible = false;
    const record = h.standIn.command('compose', { tags: 'trip hop', duration: 2 }, { user: h.alice, channel: locked });
    await ephemeralReply(h.standIn, record, /Follow it here/);
    const status = await h.standIn.waitFor(() => record.followups.map((id) => h.standIn.message(id)).find((m) => m && (m.flags & 64) === 0), 'a public follow-up');
    const done = await h.standIn.waitFor(() => (isResult(h.standIn.message(status.id)!) ? h.standIn.message(status.id) : undefined), 'the result via the webhook', 30_000);
    expect(done.attachments.some((a) => a.content_type.startsWith('audio/'))).toBe(true);
    expect(botChannelMessages(h.standIn, locked.id)).toEqual([]);
    expectNoRefusals(h.standIn, (code) => code === 50001); // the one refused channel post that triggers the fallback
  });

  it('posts the result anew when someone deleted the status message', async () => {
    const before = snapshot(h.standIn, h.general.id);
    await h.standIn.acked(h.standIn.command('compose', { tags: 'polka', duration: 2 }, h.as(h.alice)));
    const status = await nextStatus(h.standIn, h.general.id, before);
    status.deleted = true; // a moderator removed it
    const posted = await h.standIn.waitFor(() => botChannelMessages(h.standIn, h.general.id).find((m) => !before.has(m.id) && m.id !== status.id && isResult(m)), 'the re-posted result', 30_000);
    expect(posted.attachments.some((a) => a.content_type.startsWith('audio/'))).toBe(true);
  });
});
