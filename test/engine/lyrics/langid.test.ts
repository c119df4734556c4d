import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PackError } from '../../../src/engine/errors.js';
import {
  LangidModel,
  langidFromSafetensors,
  loadLangidModel,
  utf8SurrogatePass,
} from '../../../src/engine/lyrics/langid.js';
import { SafetensorsFile, type SafeTensor } from '../../../src/engine/safetensors.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const PLZMA = resolve(ROOT, '../shared/data/py3langid/model.plzma');
const HAVE_MODEL = existsSync(PLZMA) && existsSync('/usr/bin/python3');

describe('utf8SurrogatePass', () => {
  it('matches TextEncoder on well-formed text', () => {
    for (const text of ['', 'abc', 'straße', '我爱你', 'あ', '🎵 la', 'Привет']) {
      expect([...utf8SurrogatePass(text)]).toEqual([...new TextEncoder().encode(text)]);
    }
  });

  it('encodes a lone surrogate as its own three bytes (Python surrogatepass), not U+FFFD', () => {
    expect([...utf8SurrogatePass('a\ud800b')]).toEqual([0x61, 0xed, 0xa0, 0x80, 0x62]);
    expect([...utf8SurrogatePass('\udfff')]).toEqual([0xed, 0xbf, 0xbf]);
  });
});

/**
 * A hand-made two-class model: byte 'a' leads to state 1 (emits feature 0), byte 'b' to state 2 (emits
 * features 1 and 2), anything else back to state 0 (emits nothing).
 */
function tinyModel(prior: [number, number] = [Math.log(0.5), Math.log(0.5)]): LangidModel {
  const nextMove = new Uint16Array(3 * 256);
  for (let state = 0; state < 3; state++) {
    nextMove[state * 256 + 0x61] = 1;
    nextMove[state * 256 + 0x62] = 2;
  }
  return new LangidModel({
    classes: ['aa', 'bb'],
    // [features, classes]
    nbPtc: Float32Array.from([Math.log(0.9), Math.log(0.1), Math.log(0.2), Math.log(0.8), 0.5, 0.5]),
    nbPc: Float32Array.from(prior),
    nextMove,
    outputStates: Uint32Array.from([1, 2]),
    outputOffsets: Uint32Array.from([0, 1, 3]),
    outputFeatures: Uint32Array.from([0, 1, 2]),
  });
}

describe('LangidModel maths (hand-made model)', () => {
  it('counts each visited state’s features once per visit', () => {
    const model = tinyModel();
    expect([...model.featureCounts('aab').entries()].sort()).toEqual([[0, 2], [1, 1], [2, 1]]);
    expect(model.featureCounts('xyz').size).toBe(0);
  });

  it('scores = counts · nb_ptc + nb_pc and normalises like py3langid', () => {
    const model = tinyModel();
    const f = (x: number) => Math.fround(x);
    const s = model.scores('aab');
    expect(s[0]).toBeCloseTo(2 * f(Math.log(0.9)) + f(Math.log(0.2)) + f(0.5) + f(Math.log(0.5)), 12);
    expect(s[1]).toBeCloseTo(2 * f(Math.log(0.1)) + f(Math.log(0.8)) + f(0.5) + f(Math.log(0.5)), 12);
    const result = model.classify('aaa');
    expect(result.language).toBe('aa');
    // p = 1 / (1 + (0.1/0.9)^3) = 729/730 (up to the float32 storage of the logs)
    expect(result.score).toBeCloseTo(729 / 730, 6);
    expect(model.classify('bbb').language).toBe('bb');
  });

  it('falls back to the priors for text without features, and breaks ties towards the first class', () => {
    expect(tinyModel([Math.log(0.3), Math.log(0.7)]).classify('zzz')).toEqual({ language: 'bb', score: expect.closeTo(0.7, 6) });
    const tie = tinyModel().classify('');
    expect(tie.language).toBe('aa');
    expect(tie.score).toBeCloseTo(0.5, 12);
  });

  it('gives an overflowing class probability 0, as numpy does, and ranks highest first', () => {
    const model = tinyModel([0, -2000]);
    const ranked = model.rank('');
    expect(ranked).toEqual([{ language: 'aa', score: 1 }, { language: 'bb', score: 0 }]);
  });

  it('rejects inconsistent tables', () => {
    const good = {
      classes: ['aa', 'bb'],
      nbPtc: new Float32Array(6),
      nbPc: new Float32Array(2),
      nextMove: new Uint16Array(256),
      outputStates: Uint32Array.from([0]),
      outputOffsets: Uint32Array.from([0, 1]),
      outputFeatures: Uint32Array.from([2]),
    };
    expect(() => new LangidModel(good)).not.toThrow();
    expect(() => new LangidModel({ ...good, nbPc: new Float32Array(3) })).toThrow(PackError);
    expect(() => new LangidModel({ ...good, nbPtc: new Float32Array(5) })).toThrow(PackError);
    expect(() => new LangidModel({ ...good, nextMove: new Uint16Array(255) })).toThrow(PackError);
    expect(() => new LangidModel({ ...good, nextMove: new Uint16Array(256).fill(1) })).toThrow(/state 1 of 1/);
    expect(() => new LangidModel({ ...good, outputFeatures: Uint32Array.from([3]) })).toThrow(/feature 3/);
    expect(() => new LangidModel({ ...good, outputOffsets: Uint32Array.from([0, 2]) })).toThrow(PackError);
  });
});

describe('langidFromSafetensors', () => {
  function file(overrides: Partial<Record<string, SafeTensor>> = {}, metadata: Record<string, string> = {}): SafetensorsFile {
    const f = new SafetensorsFile();
    const tensors: Record<string, SafeTensor> = {
      nb_ptc: { dtype: 'F32', shape: [3, 2], data: new Float32Array(6) },
      nb_pc: { dtype: 'F32', shape: [2], data: new Float32Array(2) },
      tk_nextmove: { dtype: 'U16', shape: [256], data: new Uint16Array(256) },
      tk_output_states: { dtype: 'U32', shape: [1], data: Uint32Array.from([0]) },
      tk_output_offsets: { dtype: 'U32', shape: [2], data: Uint32Array.from([0, 1]) },
      tk_output_features: { dtype: 'U32', shape: [1], data: Uint32Array.from([1]) },
    };
    for (const [name, tensor] of Object.entries({ ...tensors, ...overrides })) if (tensor) f.set(name, tensor);
    f.metadata = { format: 'py3langid-nb/1', classes: '["aa","bb"]', ...metadata };
    return f;
  }

  it('builds the model from the pack format', () => {
    const model = langidFromSafetensors(file());
    expect(model.classes).toEqual(['aa', 'bb']);
    expect(model.featureCount).toBe(3);
  });

  it('names what is wrong', () => {
    expect(() => langidFromSafetensors(file({}, { format: 'other/2' }))).toThrow(/format is other\/2/);
    expect(() => langidFromSafetensors(file({}, { classes: 'nope' }))).toThrow(/not JSON/);
    expect(() => langidFromSafetensors(file({}, { classes: '[1,2]' }))).toThrow(/list of language codes/);
    expect(() => langidFromSafetensors(file({ nb_pc: { dtype: 'F64', shape: [2], data: new Float64Array(2) } }))).toThrow(/nb_pc is F64, expected F32/);
    expect(() => langidFromSafetensors(file({ nb_ptc: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) } }))).toThrow(/shape \[2,3\]/);
    const missing = file();
    missing.delete('tk_nextmove');
    expect(() => langidFromSafetensors(missing)).toThrow(/tk_nextmove is missing/);
  });

  it('reports an unreadable file as a PackError', async () => {
    await expect(loadLangidModel(join(tmpdir(), 'no-such-dir', 'langid.safetensors'))).rejects.toThrow(PackError);
  });
});

describe.skipIf(!HAVE_MODEL)('py3langid 0.3.0’s real model (needs ../shared/data/py3langid/model.plzma and /usr/bin/python3)', () => {
  const texts = [
    'la la la', 'oh oh', 'we sing all night long', 'we sing al night long', 'hello world', 'helo world', 'oh oh oh',
    'na na na na', 'Bylo nám', 'ıl bekledim', 'we were young & free', 'neural network', '', 'Ich liebe dich so sehr',
    '我爱你', 'Привет мир', 'こんにちは', '사랑해', 'أحبك', 'मैं तुमसे प्यार करता हूँ', 'Je t’aime', '🎵 la 🎶',
  ];
  let dir: string;
  let model: LangidModel;
  let reference: { language: string; scores: number[] }[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'acejam-langid-'));
    const out = join(dir, 'langid.safetensors');
    const script = [
      'import json, sys',
      'from pathlib import Path',
      'from tools.export.langid import convert, classify',
      'src, out, texts = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])',
      'convert(Path(src), out)',
      'res = []',
      'for t in texts:',
      '    lang, scores = classify(out, t)',
      '    res.append({"language": lang, "scores": [float(x) for x in scores]})',
      'print(json.dumps(res))',
    ].join('\n');
    const stdout = execFileSync('/usr/bin/python3', ['-c', script, PLZMA, out, JSON.stringify(texts)], { cwd: ROOT, encoding: 'utf8' });
    reference = JSON.parse(stdout) as { language: string; scores: number[] }[];
    model = await loadLangidModel(out);
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has py3langid’s 97 classes and 7480 features', () => {
    expect(model.classes).toHaveLength(97);
    expect(model.classes[0]).toBe('af');
    expect(model.classes.at(-1)).toBe('zu');
    expect(model.featureCount).toBe(7480);
  });

  it('matches the exporter’s reference classify score for score', () => {
    texts.forEach((text, i) => {
      const expected = reference[i];
      if (!expected) throw new Error(`no reference for ${text}`);
      const scores = model.scores(text);
      expect(model.classify(text).language, text).toBe(expected.language);
      expected.scores.forEach((value, c) => expect(Math.abs((scores[c] ?? NaN) - value), `${text} class ${c}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(value))));
    });
  });

  it('reproduces py3langid’s own classify (language and normalised probability)', () => {
    // Values from py3langid 0.3.0 itself (float64 model, norm_probs=True).
    const expected: [string, string, number][] = [
      ['la la la', 'es', 0.750653],
      ['oh oh', 'de', 0.323794],
      ['we sing all night long', 'en', 0.776462],
      ['we sing al night long', 'it', 0.246961],
      ['hello world', 'en', 0.728093],
      ['helo world', 'xh', 0.680887],
      ['oh oh oh', 'fi', 0.294616],
      ['na na na na', 'en', 0.169462],
      ['Bylo nám', 'sk', 0.513842],
      ['ıl bekledim', 'tr', 0.999974],
      ['we were young & free', 'de', 0.998409],
      ['neural network', 'fr', 0.719591],
      ['', 'en', 0.169462],
      ['Привет мир', 'bg', 0.709829],
      ['こんにちは', 'ja', 1.0],
    ];
    for (const [text, language, score] of expected) {
      const result = model.classify(text);
      expect(result.language, text).toBe(language);
      expect(Math.abs(result.score - score), text).toBeLessThan(5e-6);
    }
  });
});
