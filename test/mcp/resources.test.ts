/** Resources, completion and the write_song prompt, through the real SDK Client (fake Studio). */
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { GenerationOutput } from '../../src/mcp/shared/schemas.js';
import { FakeStudio } from './fake-studio.js';
import { connect, decodeAudio, type Connected } from './helpers.js';

let studio: FakeStudio;
let mcp: Connected;
beforeEach(async () => {
  studio = new FakeStudio();
  mcp = await connect(studio);
});
afterEach(() => mcp.close());

async function compose(tags: string): Promise<string> {
  const result = await mcp.client.callTool({ name: 'compose_music', arguments: { tags, lyrics: '[verse]\none\ntwo\n[chorus]\nthree' } });
  return (result.structuredContent as GenerationOutput).song_id!;
}

describe('acejam://songs/{id}', () => {
  it('reads back as audio that decodes, plus the JSON recipe', async () => {
    const id = await compose('lofi');
    const { contents } = await mcp.client.readResource({ uri: `acejam://songs/${id}` });
    expect(contents).toHaveLength(2);
    const [audio, recipe] = contents as [{ uri: string; mimeType: string; blob: string }, { uri: string; mimeType: string; text: string }];
    expect(audio).toMatchObject({ uri: `acejam://songs/${id}`, mimeType: 'audio/mpeg' });
    const decoded = await decodeAudio(Buffer.from(audio.blob, 'base64'));
    expect(decoded.sampleRate).toBe(48000);
    expect(decoded.channels).toHaveLength(2);
    expect(recipe.mimeType).toBe('application/json');
    expect(JSON.parse(recipe.text)).toMatchObject({ song_id: id, tags: 'lofi', operation: 'compose' });
  });

  it('reads the waveform as a PNG', async () => {
    const id = await compose('lofi');
    const { contents } = await mcp.client.readResource({ uri: `acejam://songs/${id}/waveform.png` });
    const image = contents[0] as { mimeType: string; blob: string };
    expect(image.mimeType).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(image.blob, 'base64'));
    expect(png.width).toBeGreaterThan(0);
  });

  it('lists the caller\'s songs, completes ids and lists the templates', async () => {
    const a = await compose('a');
    const b = await compose('b');
    studio.addSong({ id: 'notmine1', owner: 'test:bob' });
    const { resources } = await mcp.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining([`acejam://songs/${a}`, `acejam://songs/${b}`, 'acejam://reference/tags']));
    expect(resources.map((r) => r.uri)).not.toContain('acejam://songs/notmine1');
    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['acejam://songs/{id}', 'acejam://songs/{id}/waveform.png']);
    const completion = await mcp.client.complete({ ref: { type: 'ref/resource', uri: 'acejam://songs/{id}' }, argument: { name: 'id', value: a.slice(0, 6) } });
    expect(completion.completion.values).toContain(a);
    expect(completion.completion.values).not.toContain('notmine1');
  });

  it('answers a protocol error for an unknown or malformed song, and stays up', async () => {
    await expect(mcp.client.readResource({ uri: 'acejam://songs/nosuch' })).rejects.toThrow(/NOT_FOUND/);
    await expect(mcp.client.readResource({ uri: 'acejam://songs/nosuch/waveform.png' })).rejects.toThrow(/NOT_FOUND/);
    await expect(mcp.client.readResource({ uri: 'acejam://other/x' })).rejects.toThrow(/not found/);
    expect((await mcp.client.listTools()).tools.length).toBe(11);
  });

  it('serves the tag, structure tag and language reference', async () => {
    const { contents } = await mcp.client.readResource({ uri: 'acejam://reference/tags' });
    const text = (contents[0] as { text: string }).text;
    expect(text).toContain('[chorus]');
    expect(text).toContain('[pre-chorus]');
    expect(text).toMatch(/Japanese/);
    expect(text).toMatch(/bpm/);
  });
});

describe('write_song prompt', () => {
  it('guides a model to tags and structured lyrics, with completions for its arguments', async () => {
    const { prompts } = await mcp.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['write_song']);
    const prompt = await mcp.client.getPrompt({ name: 'write_song', arguments: { idea: 'a rainy night drive', language: 'Spanish', duration: '90' } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toContain('a rainy night drive');
    expect(text).toContain('[verse]');
    expect(text).toContain('compose_music');
    expect(text).toContain('duration 90');
    const languages = await mcp.client.complete({ ref: { type: 'ref/prompt', name: 'write_song' }, argument: { name: 'language', value: 'Ja' } });
    expect(languages.completion.values).toEqual(['Japanese']);
  });
});
