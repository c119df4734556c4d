import { describe, expect, it } from 'vitest';

import { LIMITS } from '../../src/engine/request.js';
import { tagChoices } from '../../src/bot/autocomplete.js';
import { cleanLyrics, LYRICS_TEMPLATE } from '../../src/bot/components/modals.js';
import { MAX_DURATION, MAX_SEED, MAX_STEPS, MAX_VARIANTS, MIN_DURATION } from '../../src/bot/limits.js';
import { parseSeconds, progressBar } from '../../src/bot/render/format.js';
import { treeLines } from '../../src/bot/render/library.js';
import { chooseAttachments, lineage, lyricsExcerpt, MAX_REQUEST_BYTES, renderResult, WAVEFORM_NAME } from '../../src/bot/render/result.js';
import { renderFinished, renderStatus } from '../../src/bot/render/status.js';
import type { JobInfo, SongView } from '../../src/bot/studio.js';
import { validateMessageBody } from './stand-in/validate.js';

const MiB = 1024 * 1024;
const job = (patch: Partial<JobInfo>): JobInfo => ({ id: 'job123', user: 'discord:1', origin: 'discord', state: 'queued', position: null, etaSeconds: null, progress: null, result: null, error: null, ...patch });
const song = (patch: Partial<SongView> = {}): SongView => ({
  id: 'AbCdEfGhIj', parentId: null, operation: 'compose', owner: 'discord:100000000000000001', contributors: [], origin: 'discord', createdAt: 1_700_000_000_000,
  visibility: 'public', tags: 'lofi, piano', lyrics: '[verse]\nhello\nworld', durationSeconds: 75.4, sampleRate: 48000, seeds: [42], retakeSeeds: null,
  pack: 'tiny', request: {}, uri: 'acejam://songs/AbCdEfGhIj', files: [], ...patch,
});
const valid = (body: Record<string, unknown>) => expect(validateMessageBody(body, { create: true, fileCount: 0, allowEphemeral: false }).errors).toEqual({});

describe('progress rendering', () => {
  it('shows the queue place and ETA while waiting', () => {
    const message = renderStatus(job({ position: 3, etaSeconds: 95 }), { title: 'Compose · lofi', by: '<@1>' }, 0);
    expect(message.embeds![0]!.description).toMatch(/Queued \*\*#3\*\* · ETA ~2 min \(done <t:95:R>\)/);
    expect(message.components![0]!.components[0]).toMatchObject({ label: 'Cancel', custom_id: 'cancel:job123' });
    valid(message as Record<string, unknown>);
  });

  it('shows stage, step k/N, a bar, percent and ETA while running', () => {
    const message = renderStatus(job({ state: 'running', progress: { stage: 'diffuse', step: 12, steps: 60, percent: 38.4, etaSeconds: 25, message: '' } }), { title: 't', by: 'b' }, 0);
    const text = message.embeds![0]!.description!;
    expect(text).toContain('**Diffusing** · step 12/60');
    expect(text).toContain(`\`${progressBar(38.4)}\` **38%** · ETA 25 s`);
    expect(progressBar(38.4)).toBe('▰▰▰▰▰▱▱▱▱▱▱▱▱▱');
    const ending = renderStatus(job({ state: 'running', progress: { stage: 'decode', step: 19, steps: 19, percent: 100, etaSeconds: 0, message: '' } }), { title: 't', by: 'b' }, 0);
    expect(ending.embeds![0]!.description).toContain('**Decoding audio** · step 19/19\n`▰▰▰▰▰▰▰▰▰▰▰▰▰▰` **100%** · almost done');
  });

  it('ends with the failure reason and no Cancel button', () => {
    const message = renderFinished(job({ state: 'failed', error: { code: 'X', message: 'out of memory' } }), { title: 't', by: 'b' });
    expect(message.embeds![0]!.description).toContain('Failed: out of memory');
    expect(message.components).toEqual([]);
  });

  it('keeps long titles within Discord limits', () => {
    valid(renderStatus(job({}), { title: 'x'.repeat(5000), by: 'b' }, 0) as Record<string, unknown>);
  });
});

describe('size-fitting choice', () => {
  const audio = (bytes: number) => ({ link: false as const, name: 'song.mp3', mime: 'audio/mpeg', format: 'mp3', data: new Uint8Array(bytes) });
  const png = new Uint8Array(50_000);

  it('attaches the fitted audio and the waveform when both fit', () => {
    const choice = chooseAttachments(10 * MiB, audio(4 * MiB), png);
    expect(choice.files.map((f) => f.name)).toEqual(['song.mp3', WAVEFORM_NAME]);
    expect(choice.audioFormat).toBe('mp3');
  });

  it('never attaches audio over the per-file limit (Discord would refuse the message with 40005)', () => {
    const choice = chooseAttachments(8 * MiB, audio(9 * MiB), png);
    expect(choice.files.map((f) => f.name)).toEqual([WAVEFORM_NAME]);
    expect(choice.notes[0]).toMatch(/over this channel's 8 MiB limit/);
  });

  it('keeps the whole request under 25 MiB when the limit is higher (boosted servers)', () => {
    const choice = chooseAttachments(100 * MiB, audio(MAX_REQUEST_BYTES - 10), png);
    expect(choice.files.map((f) => f.name)).toEqual(['song.mp3']);
  });

  it('links the audio when the Studio says it does not fit', () => {
    const choice = chooseAttachments(10 * MiB, { link: true, uri: 'https://example.org/a.flac' }, png);
    expect(choice.audioLink).toBe('https://example.org/a.flac');
    const message = renderResult(song(), choice);
    expect(message.embeds![0]!.fields!.find((f) => f.name === 'Audio')!.value).toBe('[download](https://example.org/a.flac)');
  });
});

describe('result rendering', () => {
  it('has tags, lyrics excerpt, seed, duration, pack, lineage, waveform and 8 buttons within limits', () => {
    const choice = chooseAttachments(10 * MiB, { link: false, name: 'a.mp3', mime: 'audio/mpeg', format: 'mp3', data: new Uint8Array(10) }, new Uint8Array(10));
    const message = renderResult(song({ parentId: 'ZyXwVuTsRq', operation: 'retake', retakeSeeds: [7] }), choice);
    const embed = message.embeds![0]!;
    expect(embed.title).toBe('🎵 lofi, piano');
    expect(embed.description).toContain('retake of `ZyXwVuTsRq` by <@100000000000000001>');
    expect(embed.description).toContain('> hello');
    expect(embed.fields).toEqual(expect.arrayContaining([{ name: 'Seed', value: '42 · retake 7', inline: true }, { name: 'Duration', value: '1:15', inline: true }, { name: 'Pack', value: 'tiny', inline: true }]));
    expect(embed.image).toEqual({ url: 'attachment://waveform.png' });
    expect(message.components!.flatMap((r) => r.components)).toHaveLength(8);
    valid(message as Record<string, unknown>);
  });

  it('stays within embed limits for huge tags and lyrics', () => {
    const message = renderResult(song({ tags: 't'.repeat(4000), lyrics: 'la '.repeat(7000) }), chooseAttachments(10 * MiB, { link: true, uri: 'acejam://x' }, null));
    valid(message as Record<string, unknown>);
  });

  it('describes lineage for compose, remix of an upload and other users', () => {
    expect(lineage(song())).toBe('composed by <@100000000000000001>');
    expect(lineage(song({ operation: 'remix', owner: 'mcp:agent' }))).toBe('remix of an upload by `mcp:agent`');
    expect(lyricsExcerpt('')).toBe('*instrumental*');
  });

  it('draws the version tree', () => {
    const s = (id: string, operation: SongView['operation']) => song({ id, operation });
    const tree = { song: s('root000000', 'compose'), children: [{ song: s('child00001', 'retake'), children: [{ song: s('grand00001', 'extend'), children: [] }] }, { song: s('child00002', 'repaint'), children: [] }] };
    const { text, versions } = treeLines(tree, 'child00002');
    expect(text.split('\n')).toEqual([
      '`root000000` compose by <@100000000000000001>',
      '├ `child00001` retake by <@100000000000000001>',
      '│  └ `grand00001` extend by <@100000000000000001>',
      '└ `child00002` repaint by <@100000000000000001> ★',
    ]);
    expect(versions).toHaveLength(4);
  });
});

describe('forms and options', () => {
  it('treats the untouched lyrics template as instrumental', () => {
    expect(cleanLyrics(LYRICS_TEMPLATE)).toBe('');
    expect(cleanLyrics('[verse]\r\nhello (oh)\r\n\r\n\r\n[chorus]\r\nyeah')).toBe('[verse]\nhello (oh)\n\n[chorus]\nyeah');
  });

  it('reads seconds as people type them', () => {
    expect(parseSeconds('12.5')).toBe(12.5);
    expect(parseSeconds('1:05')).toBe(65);
    expect(parseSeconds('abc')).toBeNull();
    expect(parseSeconds(' ')).toBeNull();
  });

  it('completes the last tag of a list, within 25 choices of ≤ 100 characters', () => {
    const choices = tagChoices('lofi, pia', ['chiptune']);
    expect(choices[0]).toEqual({ name: 'lofi, pia', value: 'lofi, pia' });
    expect(choices.map((c) => c.value)).toContain('lofi, piano');
    expect(tagChoices('', ['chiptune'])[0]!.value).toBe('chiptune');
    for (const c of tagChoices('x'.repeat(95) + ', p', [])) expect(c.value.length).toBeLessThanOrEqual(100);
    expect(tagChoices('', []).length).toBeLessThanOrEqual(25);
  });

  it('uses the engine limits for option ranges', () => {
    expect({ MAX_DURATION, MIN_DURATION, MAX_STEPS, MAX_VARIANTS, MAX_SEED }).toEqual({ MAX_DURATION: LIMITS.maxDuration, MIN_DURATION: LIMITS.minDuration, MAX_STEPS: LIMITS.maxSteps, MAX_VARIANTS: LIMITS.maxBatch, MAX_SEED: 0xffffffff });
  });
});
