import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { mapParamsFile } from '../../src/engine/params-file.js';
import { parseRequest } from '../../src/engine/request.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../shared/data/acestep-v1/examples');
const files = (() => {
  try {
    return readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
})();

describe.skipIf(files.length === 0)(`ACE-Step's own parameter files (${EXAMPLES})`, () => {
  it.each(files)('accepts %s and maps every field', (file) => {
    const json = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Record<string, unknown>;
    const mapped = mapParamsFile(json);
    expect(mapped.unknownFields).toEqual([]);
    const request = parseRequest(mapped.request);
    expect(request.task).toBe('text2music');
    expect(request.tags).toBe(json.prompt);
    expect(request.lyrics).toBe(json.lyrics);
    expect(request.steps).toBe(json.infer_step);
    expect(request.guidanceScale).toBe(json.guidance_scale);
    expect(request.scheduler).toBe(json.scheduler_type);
    expect(request.cfgType).toBe(json.cfg_type);
    expect(request.omegaScale).toBe(json.omega_scale);
    expect(request.guidanceInterval).toBe(json.guidance_interval);
    expect(request.ergTag).toBe(json.use_erg_tag);
    expect(request.ergLyric).toBe(json.use_erg_lyric);
    expect(request.ergDiffusion).toBe(json.use_erg_diffusion);
    expect(request.seeds).toEqual(json.actual_seeds);
    if (request.task === 'text2music') expect(request.duration).toBe(json.audio_duration);
  });
});

describe('parameter file mapping', () => {
  it('names fields it does not know and keeps the rest', () => {
    const mapped = mapParamsFile({ prompt: 'pop', infer_step: 27, guidance_scale_boost: 3, frobnicate: true });
    expect(mapped.unknownFields).toEqual(['guidance_scale_boost', 'frobnicate']);
    expect(mapped.request).toMatchObject({ task: 'text2music', tags: 'pop', steps: 27 });
  });

  it('maps the retake, repaint, edit and audio2audio fields', () => {
    expect(mapParamsFile({ task: 'retake', prompt: 'p', retake_variance: 0.3, retake_seeds: [5], actual_seeds: [1] }).request).toMatchObject({
      task: 'retake', variance: 0.3, retakeSeeds: [5], seeds: [1],
    });
    const repaint = mapParamsFile({ task: 'repaint', prompt: 'p', repaint_start: 5, repaint_end: 12, src_audio_path: '/a.wav' });
    expect(repaint.request).toMatchObject({ task: 'repaint', start: 5, end: 12 });
    expect(repaint.sourceAudioPath).toBe('/a.wav');
    expect(mapParamsFile({ task: 'edit', prompt: 'p', edit_n_min: 0.2, edit_n_max: 0.4, edit_n_avg: 2, edit_target_prompt: 'q' }).request).toMatchObject({
      task: 'edit', nMin: 0.2, nMax: 0.4, nAvg: 2, targetTags: 'q', preset: 'custom',
    });
    const a2a = mapParamsFile({ task: 'text2music', prompt: 'p', audio2audio_enable: true, ref_audio_input: '/r.mp3', ref_audio_strength: 0.7 });
    expect(a2a.request).toMatchObject({ task: 'audio2audio', strength: 0.7 });
    expect(a2a.sourceAudioPath).toBe('/r.mp3');
    expect(mapParamsFile({ task: 'extend', prompt: 'p', repaint_start: -10, repaint_end: 70 }).request).toMatchObject({ task: 'extend', left: 10 });
  });

  it('rejects wrong types naming the field', () => {
    expect(() => mapParamsFile({ prompt: 'p', infer_step: 'sixty' })).toThrow(/infer_step: must be a number/);
    expect(() => mapParamsFile({ task: 'dance' })).toThrow(/task: unknown task/);
    expect(() => mapParamsFile([1, 2])).toThrow(/params: must be a JSON object/);
  });
});
