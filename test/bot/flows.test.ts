/**
 * Every command and button end to end: the real discord.js client against the strict stand-in, the real
 * Studio on the tiny pack. Each flow checks the ack (type and 3 s budget), the public status message, the
 * result (audio decoded back, waveform PNG, embed, buttons) and the lineage of the new song.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LYRICS_TEMPLATE } from '../../src/bot/components/modals.js';
import { encodeWav } from '../../src/engine/audio/wav.js';
import { decodeUpload } from '../../src/engine/audio/in/index.js';
import { botChannelMessages, ephemeralReply, expectNoRefusals, MiB, nextStatus, openHarness, result, snapshot, songIdOf, type Harness } from './harness.js';
import type { InteractionRecord, StoredMessage, UserFixture } from './stand-in/world.js';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
}, 60_000);
afterAll(async () => h?.close());

const LYRICS = '[verse]\nneon rain on the window\nslow lights in the hall\n\n[chorus]\nwe are the night\nwe are the sound\n\n[verse]\nsecond verse line\n\n[chorus]\nwe are the night';

async function decodeAttachment(message: StoredMessage, type: RegExp) {
  const attachment = message.attachments.find((a) => type.test(a.content_type));
  if (!attachment) throw new Error(`no ${type} attachment on ${message.id}: ${message.attachments.map((a) => a.content_type).join(', ')}`);
  const bytes = new Uint8Array(await (await fetch(attachment.url)).arrayBuffer());
  return { attachment, decoded: await decodeUpload(bytes, { maxBytes: 100 * MiB, maxSeconds: 600, name: attachment.filename }) };
}

async function acked(record: InteractionRecord, type: number) {
  const ack = await h.standIn.acked(record);
  expect(ack.type).toBe(type);
  expect(ack.elapsedMs).toBeLessThan(3000);
  return ack;
}

/** Presses a result button and waits for the new version's result message. */
async function pressForResult(message: StoredMessage, customId: string, user: UserFixture): Promise<StoredMessage> {
  const before = snapshot(h.standIn, h.general.id);
  await acked(h.standIn.press(message, customId, h.as(user)), 6);
  return result(h.standIn, await nextStatus(h.standIn, h.general.id, before));
}

/** Runs a slash command that starts a job and waits for its result. */
async function commandForResult(name: string, options: Record<string, string | number | boolean | { filename: string; data: Uint8Array; contentType?: string }>, user: UserFixture): Promise<StoredMessage> {
  const before = snapshot(h.standIn, h.general.id);
  const record = h.standIn.command(name, options, h.as(user));
  await acked(record, 5);
  await ephemeralReply(h.standIn, record, /Follow it here/);
  return result(h.standIn, await nextStatus(h.standIn, h.general.id, before));
}

async function submitForResult(opener: InteractionRecord, values: Record<string, string | string[]>, user: UserFixture): Promise<StoredMessage> {
  const before = snapshot(h.standIn, h.general.id);
  const record = h.standIn.submitModal(opener, values, h.as(user));
  await acked(record, 5);
  return result(h.standIn, await nextStatus(h.standIn, h.general.id, before));
}

const lineageOf = (message: StoredMessage) => String(message.embeds[0]!.description).split('\n')[0];
const field = (message: StoredMessage, name: string) => (message.embeds[0]!.fields as { name: string; value: string }[]).find((f) => f.name === name)?.value;
const componentIds = (message: StoredMessage) => message.components.flatMap((row) => (row.components as { custom_id?: string }[]).map((c) => c.custom_id));

let first: StoredMessage;
let lyricSong: StoredMessage;

describe('/compose', () => {
  it('acks within 3 s, posts one status message with Cancel, and turns it into the result (audio, waveform, embed, buttons)', async () => {
    const before = snapshot(h.standIn, h.general.id);
    const record = h.standIn.command('compose', { tags: 'lofi, piano', duration: 3, seed: 7 }, h.as(h.alice));
    await acked(record, 5);
    expect(h.standIn.message(record.originalMessageId)!.flags & 64).toBe(64); // the acknowledgement is private
    const reply = await ephemeralReply(h.standIn, record, /Follow it here/);
    const status = await nextStatus(h.standIn, h.general.id, before);
    expect(reply.content).toContain(`/${h.general.id}/${status.id}`);
    expect(status.history[0]!.components).toEqual([expect.objectContaining({ components: [expect.objectContaining({ custom_id: expect.stringMatching(/^cancel:/) })] })]);
    first = await result(h.standIn, status);

    const { decoded } = await decodeAttachment(first, /^audio\//);
    expect(decoded.seconds).toBeGreaterThan(2.5);
    expect(decoded.seconds).toBeLessThan(3.5);
    expect(decoded.channels.length).toBe(2);
    const png = first.attachments.find((a) => a.filename === 'waveform.png')!;
    expect([...png.data.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const embed = first.embeds[0]!;
    expect(embed.title).toBe('🎵 lofi, piano');
    expect(embed.image).toEqual({ url: 'attachment://waveform.png' });
    expect(lineageOf(first)).toBe(`composed by <@${h.alice.id}>`);
    expect(field(first, 'Seed')).toBe('7');
    expect(field(first, 'Duration')).toBe('0:03');
    expect(field(first, 'Pack')).toBe('tiny');
    const songId = songIdOf(first);
    expect(componentIds(first)).toEqual([`retake:${songId}:subtle`, `retake:${songId}:strong`, `reroll:${songId}`, `repaint:${songId}`, `edit:${songId}`, `extend:${songId}:left`, `extend:${songId}:right`, `full:${songId}`]);
    const song = await h.studio.getSong(songId);
    expect(song).toMatchObject({ owner: `discord:${h.alice.id}`, origin: 'discord', tags: 'lofi, piano', seeds: [7] });
    // One status message: created once, then edited (never re-posted); progress edits ≥ 3 s apart.
    expect(botChannelMessages(h.standIn, h.general.id).filter((m) => !before.has(m.id))).toHaveLength(1);
    const progressEdits = first.history.slice(0, -1);
    for (let i = 1; i < progressEdits.length; i++) expect(progressEdits[i]!.at - progressEdits[i - 1]!.at).toBeGreaterThanOrEqual(2900);
    expectNoRefusals(h.standIn);
  });

  it('shows live progress (stage, step k/N, bar, percent, ETA) on a long job', async () => {
    const before = snapshot(h.standIn, h.general.id);
    await acked(h.standIn.command('compose', { tags: 'ambient', duration: 90 }, h.as(h.carol)), 5);
    const status = await nextStatus(h.standIn, h.general.id, before);
    const done = await result(h.standIn, status, 60_000);
    const progress = done.history.map((v) => String(v.embeds[0]?.description ?? '')).filter((d) => /step \d+\/\d+/.test(d));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatch(/\*\*(Diffusing|Decoding audio|Reading the prompt)\*\* · step \d+\/\d+\n`[▰▱]{14}` \*\*\d+%\*\*/);
    const edits = done.history.slice(0, -1);
    for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(2900);
  });

  it('opens the lyrics form (4000-character paragraph, structure template) and composes from it', async () => {
    const record = h.standIn.command('compose', { tags: 'synthwave, female vocals', duration: 6, lyrics: true }, h.as(h.alice));
    await acked(record, 9);
    const modal = record.modal!;
    const lyricsInput = (modal.components as { component?: { custom_id: string; max_length?: number; value?: string; style: number } }[]).map((c) => c.component).find((c) => c?.custom_id === 'lyrics')!;
    expect(lyricsInput).toMatchObject({ style: 2, max_length: 4000, value: LYRICS_TEMPLATE });
    lyricSong = await submitForResult(record, { lyrics: LYRICS }, h.alice);
    expect(String(lyricSong.embeds[0]!.description)).toContain('> neon rain on the window');
    expect((await h.studio.getSong(songIdOf(lyricSong))).lyrics).toBe(LYRICS);
  });

  it('renders variants as separate songs with consecutive seeds', async () => {
    const before = snapshot(h.standIn, h.general.id);
    await acked(h.standIn.command('compose', { tags: 'jazz', duration: 2, seed: 100, variants: 2 }, h.as(h.bob)), 5);
    const status = await nextStatus(h.standIn, h.general.id, before);
    const one = await result(h.standIn, status);
    const two = await h.standIn.waitFor(() => botChannelMessages(h.standIn, h.general.id).find((m) => !before.has(m.id) && m.id !== status.id && m.attachments.length > 0), 'the second variant');
    expect([field(one, 'Seed'), field(two, 'Seed')]).toEqual(['100', '101']);
    expect(songIdOf(one)).not.toBe(songIdOf(two));
  });

  it("fits the audio to the interaction's attachment_size_limit: a smaller encoding, else a link", async () => {
    let before = snapshot(h.standIn, h.general.id);
    await acked(h.standIn.command('compose', { tags: 'chiptune', duration: 2 }, h.as(h.alice, { attachmentSizeLimit: 40_000 })), 5);
    const small = await result(h.standIn, await nextStatus(h.standIn, h.general.id, before));
    const audio = small.attachments.find((a) => a.content_type.startsWith('audio/'))!;
    expect(audio.size).toBeLessThanOrEqual(40_000);
    expect((await decodeAttachment(small, /^audio\//)).decoded.seconds).toBeGreaterThan(1.5);

    before = snapshot(h.standIn, h.general.id);
    await acked(h.standIn.command('compose', { tags: 'chiptune', duration: 2 }, h.as(h.alice, { attachmentSizeLimit: 1000 })), 5);
    const linked = await result(h.standIn, await nextStatus(h.standIn, h.general.id, before));
    expect(linked.attachments).toEqual([]);
    expect(field(linked, 'Audio')).toBe(`\`acejam://songs/${songIdOf(linked)}\``);
  });

  it('autocompletes tags from the curated list and the user\'s recent tags', async () => {
    const record = h.standIn.autocomplete('compose', { tags: 'lofi, pi' }, 'tags', h.as(h.alice));
    await acked(record, 8);
    expect(record.choices!.map((c) => c.value)).toContain('lofi, piano');
  });
});

describe('result buttons (collaborative: bob presses alice\'s public song)', () => {
  it('Retake subtle, Retake strong and Reroll make retakes credited to the presser, linked to the parent', async () => {
    const parent = songIdOf(first);
    for (const [customId, variance] of [[`retake:${parent}:subtle`, 0.2], [`retake:${parent}:strong`, 0.5], [`reroll:${parent}`, 1]] as const) {
      const next = await pressForResult(first, customId, h.bob);
      expect(lineageOf(next)).toBe(`retake of \`${parent}\` by <@${h.bob.id}>`);
      const song = await h.studio.getSong(songIdOf(next));
      expect(song).toMatchObject({ parentId: parent, operation: 'retake', owner: `discord:${h.bob.id}` });
      expect(song.request.variance).toBe(variance);
      const { decoded } = await decodeAttachment(next, /^audio\//);
      expect(decoded.seconds).toBeGreaterThan(2.5);
    }
  });

  it('Extend ◀ and ▶ add 20 s before and after', async () => {
    const parent = songIdOf(first);
    for (const side of ['left', 'right']) {
      const next = await pressForResult(first, `extend:${parent}:${side}`, h.bob);
      expect(lineageOf(next)).toBe(`extension of \`${parent}\` by <@${h.bob.id}>`);
      const { decoded } = await decodeAttachment(next, /^audio\//);
      expect(decoded.seconds).toBeGreaterThan(22.5);
      expect(decoded.seconds).toBeLessThan(23.5);
    }
  });

  it('Full quality sends the lossless FLAC privately', async () => {
    const record = h.standIn.press(first, `full:${songIdOf(first)}`, h.as(h.bob));
    await acked(record, 5);
    const reply = await h.standIn.waitFor(() => {
      const m = h.standIn.message(record.originalMessageId);
      return m && m.attachments.length > 0 ? m : undefined;
    }, 'the lossless file');
    expect(reply.flags & 64).toBe(64);
    const { decoded, attachment } = await decodeAttachment(reply, /./);
    expect(attachment.filename).toMatch(/\.flac$/);
    expect(decoded.format).toBe('flac');
    expect(decoded.seconds).toBeGreaterThan(2.5);
  });

  it('Repaint… opens a form with the song\'s lyric sections; a section or start/end repaints', async () => {
    const parent = songIdOf(lyricSong);
    const opener = h.standIn.press(lyricSong, `repaint:${parent}`, h.as(h.bob));
    await acked(opener, 9);
    const components = opener.modal!.components as { label: string; component: { custom_id: string; options?: { value: string }[] } }[];
    const select = components.find((c) => c.component.custom_id === 'section')!;
    expect(select.component.options!.map((o) => o.value)).toEqual(['verse', 'chorus', 'verse 2', 'chorus 2']);
    expect(components.map((c) => c.component.custom_id)).toEqual(['section', 'start', 'end', 'tags', 'lyrics']);
    const bySection = await submitForResult(opener, { section: ['chorus'] }, h.bob);
    expect(lineageOf(bySection)).toBe(`repaint of \`${parent}\` by <@${h.bob.id}>`);
    const repainted = await h.studio.getSong(songIdOf(bySection));
    expect(repainted).toMatchObject({ parentId: parent, operation: 'repaint' });

    const opener2 = h.standIn.press(lyricSong, `repaint:${parent}`, h.as(h.alice));
    await acked(opener2, 9);
    const bySeconds = await submitForResult(opener2, { start: '0:02', end: '5.5' }, h.alice);
    const song = await h.studio.getSong(songIdOf(bySeconds));
    expect([song.request.start, song.request.end]).toEqual([2, 5.5]);
  });

  it('Edit… opens a form with the old lyrics prefilled; new lyrics make an edit', async () => {
    const parent = songIdOf(lyricSong);
    const opener = h.standIn.press(lyricSong, `edit:${parent}`, h.as(h.alice));
    await acked(opener, 9);
    const inputs = (opener.modal!.components as { component: { custom_id: string; value?: string } }[]).map((c) => c.component);
    expect(inputs.find((c) => c.custom_id === 'lyrics')!.value).toBe(LYRICS);
    expect(inputs.find((c) => c.custom_id === 'tags')!.value).toBe('synthwave, female vocals');
    const edited = await submitForResult(opener, { lyrics: LYRICS.replace('neon rain', 'cold rain') }, h.alice);
    expect(lineageOf(edited)).toBe(`edit of \`${parent}\` by <@${h.alice.id}>`);
    expect((await h.studio.getSong(songIdOf(edited))).operation).toBe('edit');
  });

  it('Cancel on the status message stops the job', async () => {
    const before = snapshot(h.standIn, h.general.id);
    await acked(h.standIn.command('compose', { tags: 'drone', duration: 60, seed: 1 }, h.as(h.alice)), 5);
    const status = await nextStatus(h.standIn, h.general.id, before);
    const jobId = String((status.embeds[0]!.footer as { text: string }).text).replace('job ', '');
    await acked(h.standIn.press(status, `cancel:${jobId}`, h.as(h.alice)), 6);
    const ended = await h.standIn.waitFor(() => (/Cancelled/.test(String(h.standIn.message(status.id)!.embeds[0]?.description)) ? h.standIn.message(status.id) : undefined), 'the cancelled status');
    expect(ended.components).toEqual([]);
    expect(ended.attachments).toEqual([]);
  });
});

describe('slash commands on existing songs', () => {
  it('/retake, /repaint (section), /extend (left), /edit (form) and /remix (song) make linked versions', async () => {
    const parent = songIdOf(lyricSong);
    const retake = await commandForResult('retake', { song: parent, variance: 'strong', seed: 5 }, h.bob);
    expect(await h.studio.getSong(songIdOf(retake))).toMatchObject({ parentId: parent, operation: 'retake', retakeSeeds: [5] });
    const repaint = await commandForResult('repaint', { song: parent, section: 'verse 2' }, h.bob);
    expect(lineageOf(repaint)).toMatch(/^repaint of/);
    const extend = await commandForResult('extend', { song: parent, left: 4 }, h.bob);
    const { decoded } = await decodeAttachment(extend, /^audio\//);
    expect(decoded.seconds).toBeGreaterThan(9.5);
    expect(decoded.seconds).toBeLessThan(10.5);
    const opener = h.standIn.command('edit', { song: parent, mode: 'remix' }, h.as(h.alice));
    await acked(opener, 9);
    const edited = await submitForResult(opener, { tags: 'synthwave, male vocals' }, h.alice);
    expect((await h.studio.getSong(songIdOf(edited))).request).toMatchObject({ preset: 'remix' });
    const remix = await commandForResult('remix', { tags: 'rock', song: parent, strength: 0.6 }, h.bob);
    expect(await h.studio.getSong(songIdOf(remix))).toMatchObject({ operation: 'remix' });
  });

  it('/repaint without a region opens the form; autocomplete suggests songs and sections', async () => {
    const parent = songIdOf(lyricSong);
    const opener = h.standIn.command('repaint', { song: parent }, h.as(h.alice));
    await acked(opener, 9);
    expect(opener.modal!.title).toBe(`Repaint ${parent}`);
    const songs = h.standIn.autocomplete('retake', { song: '' }, 'song', h.as(h.alice));
    await acked(songs, 8);
    expect(songs.choices!.map((c) => c.value)).toContain(parent);
    const sections = h.standIn.autocomplete('repaint', { song: parent, section: 'ch' }, 'section', h.as(h.alice));
    await acked(sections, 8);
    expect(sections.choices!.map((c) => c.value)).toEqual(['chorus', 'chorus 2']);
  });

  it('/remix with an uploaded audio file', async () => {
    const rate = 44100;
    const tone = new Float32Array(rate * 2).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate));
    const remix = await commandForResult('remix', { tags: 'lofi', file: { filename: 'hum.wav', data: encodeWav([tone, tone], rate), contentType: 'audio/wav' } }, h.carol);
    expect(lineageOf(remix)).toBe(`remix of an upload by <@${h.carol.id}>`);
  });
});

describe('browsing and settings', () => {
  it('/song re-posts a song with working buttons and its version tree; a version can be opened from the select', async () => {
    const root = songIdOf(first);
    const record = h.standIn.command('song', { id: root }, h.as(h.carol));
    await acked(record, 5);
    const posted = await h.standIn.waitFor(() => {
      const m = h.standIn.message(record.originalMessageId);
      return m && m.attachments.length > 0 ? m : undefined;
    }, 'the re-posted song');
    expect(posted.flags & 64).toBe(0);
    expect(posted.embeds[1]!.title).toBe('Versions');
    expect(String(posted.embeds[1]!.description)).toContain(`\`${root}\` compose`);
    const select = (posted.components.at(-1)!.components as { custom_id: string; options: { value: string }[] }[])[0]!;
    expect(select.custom_id).toBe(`show:${root}`);
    const child = select.options.find((o) => o.value !== root)!.value;
    const opened = h.standIn.choose(posted, select.custom_id, [child], h.as(h.carol));
    await acked(opened, 5);
    const shown = await h.standIn.waitFor(() => {
      const m = h.standIn.message(opened.originalMessageId);
      return m && m.attachments.length > 0 ? m : undefined;
    }, 'the chosen version');
    expect(songIdOf(shown)).toBe(child);
    // The buttons of a re-posted song work like the original's.
    const next = await pressForResult(posted, `retake:${root}:subtle`, h.carol);
    expect(lineageOf(next)).toBe(`retake of \`${root}\` by <@${h.carol.id}>`);
  });

  it('/history lists songs ten a page, pages with Older, and opens one', async () => {
    const record = h.standIn.command('history', { scope: 'channel' }, h.as(h.alice));
    await acked(record, 5);
    const page = await h.standIn.waitFor(() => h.standIn.message(record.originalMessageId)?.embeds[0] && h.standIn.message(record.originalMessageId), 'the history page');
    expect(page.flags & 64).toBe(64);
    expect(String(page.embeds[0]!.description).split('\n')).toHaveLength(10);
    const older = page.components.flatMap((r) => r.components as { custom_id: string }[]).find((c) => c.custom_id.startsWith('hist:'))!;
    const firstPage = String(page.embeds[0]!.description);
    await acked(h.standIn.press(page, older.custom_id, h.as(h.alice)), 6);
    await h.standIn.waitFor(() => String(h.standIn.message(page.id)!.embeds[0]!.description) !== firstPage || undefined, 'the older page');
  });

  it('/queue and /cancel report and stop the user\'s jobs', async () => {
    const queue = h.standIn.command('queue', {}, h.as(h.alice));
    await acked(queue, 5);
    await h.standIn.waitFor(() => h.standIn.message(queue.originalMessageId)?.embeds[0]?.title === 'Queue' || undefined, '/queue');
    const before = snapshot(h.standIn, h.general.id);
    await acked(h.standIn.command('compose', { tags: 'noise', duration: 60 }, h.as(h.bob)), 5);
    const status = await nextStatus(h.standIn, h.general.id, before);
    const cancel = h.standIn.command('cancel', {}, h.as(h.bob));
    await acked(cancel, 5);
    await ephemeralReply(h.standIn, cancel, /Cancelled job/);
    await h.standIn.waitFor(() => /Cancelled/.test(String(h.standIn.message(status.id)!.embeds[0]?.description)) || undefined, 'the cancelled status');
  });

  it('/settings me stores defaults that new songs use; /settings server needs Manage Server', async () => {
    const settingsSaved = async (record: InteractionRecord) => {
      await acked(record, 5);
      await h.standIn.waitFor(() => h.standIn.message(record.originalMessageId)?.embeds[0]?.title === 'Your defaults, updated' || undefined, 'the saved defaults');
    };
    await settingsSaved(h.standIn.command('settings me', { duration: 2, visibility: 'private' }, h.as(h.carol)));
    expect(await h.studio.settings.get(`discord:${h.carol.id}`)).toMatchObject({ duration: 2, visibility: 'private' });
    const song = await commandForResult('compose', { tags: 'calm' }, h.carol);
    expect((await h.studio.getSong(songIdOf(song))).visibility).toBe('private');
    const { decoded } = await decodeAttachment(song, /^audio\//);
    expect(decoded.seconds).toBeLessThan(2.5);
    await settingsSaved(h.standIn.command('settings me', { visibility: 'public', format: 'opus' }, h.as(h.carol)));
    const opus = await commandForResult('compose', { tags: 'calm' }, h.carol);
    expect(opus.attachments.find((a) => a.content_type.startsWith('audio/'))!.content_type).toMatch(/ogg|opus/);

    const denied = h.standIn.command('settings server', { buttons: 'owner' }, h.as(h.bob));
    await acked(denied, 5);
    await ephemeralReply(h.standIn, denied, /Manage Server/);
    expect(h.bot.state.guild(h.guild.id).buttons).toBe('anyone');
    const allowed = h.standIn.command('settings server', { buttons: 'anyone', max_duration: 200 }, h.as(h.alice));
    await acked(allowed, 5);
    await h.standIn.waitFor(() => h.standIn.message(allowed.originalMessageId)?.embeds[0]?.title === 'Server rules, updated' || undefined, 'updated rules');
    expect(h.bot.state.guild(h.guild.id).maxDuration).toBe(200);
    await acked(h.standIn.command('settings server', { max_duration: 0 }, h.as(h.alice)), 5);
    const roles = h.standIn.command('settings server', { buttons: 'role', button_role: 'DJ', channel: 'general' }, h.as(h.alice));
    await acked(roles, 5);
    await h.standIn.waitFor(() => h.bot.state.guild(h.guild.id).buttons === 'role' || undefined, 'the role rule');
    expect(h.bot.state.guild(h.guild.id)).toMatchObject({ buttonRole: h.standIn.world.role(h.guild, 'DJ'), channels: [h.general.id], maxDuration: null });
    await acked(h.standIn.command('settings server', { buttons: 'anyone', channel: 'general' }, h.as(h.alice)), 5);
    await h.standIn.waitFor(() => (h.bot.state.guild(h.guild.id).channels.length === 0 && h.bot.state.guild(h.guild.id).buttons === 'anyone') || undefined, 'the rules reset');
    expectNoRefusals(h.standIn);
  });
});
