import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../src/engine/errors.js';
import { parseRequest } from '../../src/engine/request.js';

const latent = { kind: 'latent' as const, latent: new Float32Array(128 * 10), frames: 10 };

function fieldOf(input: unknown): { field: string; message: string } {
  try {
    parseRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    const typed = error as InvalidInputError;
    expect(typed.code).toBe('INVALID_INPUT');
    return { field: typed.field, message: typed.message };
  }
  throw new Error('expected an InvalidInputError');
}

describe('requests', () => {
  it("fills in ACE-Step's UI defaults (spec §3.7)", () => {
    const request = parseRequest({ task: 'text2music', tags: 'lofi, piano' });
    expect(request).toMatchObject({
      duration: 60,
      steps: 60,
      guidanceScale: 15,
      scheduler: 'euler',
      cfgType: 'apg',
      omegaScale: 10,
      guidanceInterval: 0.5,
      guidanceIntervalDecay: 0,
      minGuidanceScale: 3,
      ergTag: true,
      ergLyric: false,
      ergDiffusion: true,
      guidanceScaleText: 0,
      guidanceScaleLyric: 0,
      lyrics: '',
      lyricsMode: 'faithful',
      batch: 1,
    });
    expect(parseRequest({ task: 'retake', tags: 'x' })).toMatchObject({ variance: 0.2 });
    expect(parseRequest({ task: 'edit', tags: 'x', source: latent })).toMatchObject({ preset: 'only_lyrics', nAvg: 1 });
    expect(parseRequest({ task: 'audio2audio', tags: 'x', source: latent })).toMatchObject({ strength: 0.5 });
    expect(parseRequest({ task: 'extend', tags: 'x', source: latent })).toMatchObject({ left: 0, right: 30 });
  });

  it.each([
    [{ task: 'text2music', tags: 'x', duration: -5 }, 'duration', '≥ 1 s'],
    [{ task: 'text2music', tags: 'x', duration: 241 }, 'duration', '≤ 240 s'],
    [{ task: 'text2music', tags: 'x', steps: 0 }, 'steps', '≥ 1'],
    [{ task: 'text2music', tags: 'x', steps: 201 }, 'steps', '≤ 200'],
    [{ task: 'text2music', tags: 'x', steps: 2.5 }, 'steps', 'integer'],
    [{ task: 'text2music', tags: 'x', batch: 5 }, 'batch', '≤ 4'],
    [{ task: 'text2music', tags: 'x', seeds: [-1] }, 'seeds.0', '≥ 0'],
    [{ task: 'text2music', tags: 'x', seeds: [2 ** 32] }, 'seeds.0', 'uint32'],
    [{ task: 'text2music', tags: 'x', seeds: [1, 2] }, 'seeds', 'batch of 1'],
    [{ task: 'text2music', tags: '   ' }, 'tags', 'empty'],
    [{ task: 'text2music', tags: 'x', scheduler: 'ddim' }, 'scheduler', ''],
    [{ task: 'text2music', tags: 'x', omegaScale: 101 }, 'omegaScale', '≤ 100'],
    [{ task: 'repaint', tags: 'x', source: latent, start: 10, end: 5 }, 'end', 'greater than start'],
    [{ task: 'repaint', tags: 'x', source: latent, start: 3, end: 3 }, 'end', 'greater than start'],
    [{ task: 'repaint', tags: 'x', start: 0, end: 5 }, 'source', ''],
    [{ task: 'extend', tags: 'x', source: latent, left: 0, right: 0 }, 'right', '> 0'],
    [{ task: 'audio2audio', tags: 'x', source: latent, strength: 1 }, 'strength', '< 1'],
    [{ task: 'edit', tags: 'x', source: latent, preset: 'custom' }, 'nMin', 'custom'],
    [{ task: 'remix', tags: 'x' }, 'task', ''],
    [{ task: 'text2music', tags: 'x', source: { kind: 'audio', channels: [], sampleRate: 44100 } }, 'source', 'not a field of a text2music request'],
  ])('rejects %o naming %s', (input, field, text) => {
    const problem = fieldOf(input);
    if (field !== 'request') expect(problem.field).toBe(field);
    expect(problem.message).toContain(text);
  });

  it('names the source field of a malformed audio source', () => {
    const problem = fieldOf({ task: 'audio2audio', tags: 'x', source: { kind: 'audio', channels: [new Float32Array(4)], sampleRate: 100 } });
    expect(problem.field).toBe('source.sampleRate');
    expect(problem.message).toContain('8000');
  });
});
