/**
 * Upstream's `tokenize_lyrics` over the real vocabulary and py3langid's model (spec §1.3, §13, §14).
 * The langid model is converted from ../shared/data/py3langid/model.plzma into a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LyricBpe } from '../../../src/engine/lyrics/bpe.js';
import type { LanguageDetector, LyricLanguage } from '../../../src/engine/lyrics/detect.js';
import { LyricTokenizer } from '../../../src/engine/lyrics/tokenizer.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const DATA = join(ROOT, '../shared/data');
const VOCAB = join(DATA, 'acestep-v1/vocab.json');
const PLZMA = join(DATA, 'py3langid/model.plzma');
const EXAMPLES = join(DATA, 'acestep-v1/examples');
const PYTHON = '/usr/bin/python3';
const READY = existsSync(VOCAB) && existsSync(PLZMA) && existsSync(PYTHON);

/** The 17 language tokens (spec §1.3). */
const LANGUAGE_TOKEN: Record<LyricLanguage, number> = {
  en: 259, de: 260, fr: 262, ru: 267, es: 284, it: 285, pt: 286, cs: 293, pl: 294, tr: 295, nl: 297, ar: 5022, zh: 5023,
  ja: 5412, hu: 5753, ko: 6152, hi: 6680,
};

describe.skipIf(!READY)('LyricTokenizer (skipped: needs ../shared/data vocab.json + py3langid model and /usr/bin/python3)', () => {
  let dir = '';
  let tok: LyricTokenizer;
  let bpe: LyricBpe;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acejam-langid-'));
    const out = join(dir, 'langid.safetensors');
    execFileSync(PYTHON, ['-c', `from pathlib import Path; from tools.export.langid import convert; convert(Path(${JSON.stringify(PLZMA)}), Path(${JSON.stringify(out)}))`], { cwd: ROOT });
    tok = await LyricTokenizer.load(VOCAB, out);
    bpe = await LyricBpe.load(VOCAB);
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('spec §13 verified sequences', () => {
    it('[inst]', async () => {
      const r = await tok.tokenize('[inst]');
      expect(r.ids).toEqual([261, 259, 6688, 2]);
      expect(r.mask).toEqual([1, 1, 1, 1]);
      expect(r.detector).toBe('py3langid');
    });
    it('verse / chorus with an empty line', async () => {
      const r = await tok.tokenize('[verse]\nsing with me tonight\n\n[chorus]\nlight up the sky');
      expect(r.ids).toEqual([261, 259, 6683, 2, 259, 32, 52, 2, 103, 2, 80, 2, 1007, 343, 583, 2, 2, 259, 6684, 2, 259, 75, 20,
        583, 2, 152, 2, 42, 2, 3251, 2]);
      expect(r.lines.map((l) => l.detector)).toEqual(['bracket', 'py3langid', 'py3langid', 'bracket', 'py3langid']);
    });
    it('empty lyrics are [0] with mask [0]; a blank line is a lone 2', async () => {
      expect(await tok.tokenize('')).toMatchObject({ ids: [0], mask: [0] });
      expect((await tok.tokenize('  \n\t')).ids).toEqual([261, 2, 2]);
    });
  });

  describe('spec §14: the lyric path line by line', () => {
    it('a line starting with [...] is English, the bracket a literal', async () => {
      const r = await tok.tokenize('[fr]la vie est belle');
      expect(r.ids.slice(0, 6)).toEqual([261, 259, 262, 494, 2, 579]);
      expect(r.lines[0]).toMatchObject({ language: 'en', detector: 'bracket', normalized: '[fr]la vie est belle' });
    });
    it('[zh]爱你: [ ] and the hanzi are [UNK], no pinyin runs', async () => {
      const r = await tok.tokenize('[zh]爱你');
      expect(bpe.tokens([4545])).toEqual(['zh']);
      expect(r.ids).toEqual([261, 259, 1, 4545, 1, 1, 1, 2]);
    });
    it('structure tags are lower-cased first; numbers inside them expand', async () => {
      expect((await tok.tokenize('[Pre-Chorus]')).ids).toEqual([261, 259, 6691, 2]);
      expect((await tok.tokenize('[Chorus]')).ids).toEqual([261, 259, 6684, 2]);
      const v = await tok.tokenize('[Verse 1]');
      expect(v.lines[0]?.normalized).toBe('[verse one]');
      expect(v.ids).toEqual([261, ...bpe.encode('[en][verse[SPACE]one]'), 2]);
      expect(v.ids[2]).toBe(1);
      expect(v.ids[v.ids.length - 2]).toBe(1);
      expect((await tok.tokenize('[chorus] la la la')).lines[0]?.language).toBe('en');
    });
    it('Czech digits stay digits, symbols still expand', async () => {
      const r = await tok.tokenize('Mám rád tvoje oči a tvůj úsměv 14%');
      expect(r.lines[0]).toMatchObject({ language: 'cs', normalized: 'mám rád tvoje oči a tvůj úsměv 14 procento' });
      expect(r.ids[1]).toBe(293);
      const fixed = await tok.tokenize('Mám rád tvoje oči a tvůj úsměv 14%', 'fixed');
      expect(fixed.lines[0]?.normalized).toBe('mám rád tvoje oči a tvůj úsměv čtrnáct procento');
    });
    it('Chinese years read digit by digit in TONE3 pinyin', async () => {
      const r = await tok.tokenize('我出生在2019年');
      expect(r.lines[0]).toMatchObject({ language: 'zh', normalized: 'wo3chu1sheng1zai4er4ling2yi1jiu3nian2' });
      expect(r.ids[1]).toBe(5023);
    });
    it('Korean academic romanisation and the 번 ordinal', async () => {
      const r = await tok.tokenize('오늘 2번');
      expect(r.lines[0]).toMatchObject({ language: 'ko', normalized: 'oneul du beon-jjae' });
      expect(r.ids[1]).toBe(6152);
    });
    it('German decimals keep num2words\' capital Komma', async () => {
      const e = await tok.encode('In 12,5 Sekunden', 'de');
      expect(e.normalized).toBe('in zwölf Komma fünf sekunden');
      expect(e.ids[0]).toBe(260);
    });
    it('punctuation stays and becomes its own pieces', async () => {
      const r = await tok.tokenize("don't stop");
      expect(bpe.tokens(r.ids.slice(1, 5))).toEqual(['[en]', 'don', "'", 't']);
    });
    it('Arabic-Indic digits do not expand and are [UNK]', async () => {
      const e = await tok.encode('١٥', 'ar');
      expect(e.ids).toEqual([5022, 1, 1]);
    });
    it('a mixed line takes the detected language and its other script becomes [UNK] (faithful)', async () => {
      const r = await tok.tokenize('硅谷 那个 coder 调试 neural network');
      expect(r.lines[0]?.language).toBe('fr');
      expect(r.ids.filter((x) => x === 1)).toHaveLength(6);
    });
    it('a line whose encoding fails is dropped with its 2', async () => {
      const unknown: LanguageDetector = {
        name: 'fallback',
        detect: (line) => ({ language: 'xx' as LyricLanguage, raw: 'xx', counts: [], detector: 'fallback', segments: [{ text: line, language: 'xx' }] }),
      };
      const t = LyricTokenizer.from(bpe, unknown);
      const r = await t.tokenize('hello\n[verse]');
      expect(r.ids).toEqual([261, 259, 6683, 2]);
      expect(r.lines[0]?.ids).toEqual([]);
    });
  });

  describe('faithful vs fixed', () => {
    it('fixed honours an explicit [xx] prefix', async () => {
      expect((await tok.tokenize('[fr]la vie est belle', 'fixed')).ids.slice(0, 3)).toEqual([261, 262, 494]);
      const zh = await tok.tokenize('[zh]爱你', 'fixed');
      expect(zh.lines[0]).toMatchObject({ language: 'zh', detector: 'prefix', normalized: 'ai4ni3' });
      expect(zh.ids).not.toContain(1);
    });
    it('fixed encodes each script run of a mixed line in its own language', async () => {
      const r = await tok.tokenize('硅谷 那个 coder 调试 neural network', 'fixed');
      expect(r.ids).not.toContain(1);
      expect(r.lines[0]?.language).toBe('mixed');
      expect(r.ids).toContain(5023);
    });
    it('structure tags and plain lines are the same in both modes', async () => {
      const text = '[verse]\nsing with me tonight\n\n[chorus]\nlight up the sky';
      expect((await tok.tokenize(text, 'fixed')).ids).toEqual((await tok.tokenize(text)).ids);
    });
  });

  describe('every supported language against the real vocabulary', () => {
    const LINES: [LyricLanguage, string][] = [
      ['en', 'I will love you until the end of time'], ['de', 'Ich werde dich für immer lieben, straße'],
      ['fr', "Je t'aime plus que tout, cœurs brisés"], ['es', 'Te quiero con todo mi corazón, niña'],
      ['it', 'Ti amerò per sempre, perché sei così'], ['pt', 'Eu te amo com todo o meu coração'],
      ['pl', 'Kocham cię całym sercem, żółć'], ['tr', 'Seni her zaman seveceğim, ünlü'], ['ru', 'Я буду любить тебя всегда'],
      ['cs', 'Miluji tě celým srdcem, příliš'], ['nl', 'Ik hou van je met heel mijn hart'], ['ar', 'سأحبك إلى الأبد'],
      ['zh', '我会永远爱你'], ['ja', '君を永遠に愛している'], ['hu', 'Szeretlek örökké, szép'], ['ko', '영원히 사랑할게요'],
      ['hi', 'मैं तुमसे हमेशा प्यार करूंगा'],
    ];
    it.each(LINES)('%s', async (lang, line) => {
      const e = await tok.encode(line, lang);
      expect(e.ids[0]).toBe(LANGUAGE_TOKEN[lang]);
      expect(e.ids).not.toContain(1);
      // the prepared text is exactly what the BPE saw: [lang] + normalised text with [SPACE]s
      const tag = lang === 'zh' ? 'zh-cn' : lang;
      expect(e.ids).toEqual(bpe.encode(`[${tag}]${e.normalized}`.replaceAll(' ', '[SPACE]')));
    });
    it('detects the plain Latin, Cyrillic, Arabic and CJK lines as their language', async () => {
      for (const [lang, line] of LINES.filter(([l]) => !['tr', 'cs'].includes(l))) {
        const r = await tok.tokenize(line);
        expect(r.lines[0]?.language, line).toBe(lang);
        expect(r.ids[1], line).toBe(LANGUAGE_TOKEN[lang]);
      }
    });
  });

  describe('structure tags of ACE-Step\'s published examples', () => {
    it('tokenizes every tag line as English, single-token tags as one id', async () => {
      const tags = new Set<string>();
      for (const f of readdirSync(EXAMPLES).filter((n) => n.endsWith('.json'))) {
        const lyrics = (JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as { lyrics?: string }).lyrics ?? '';
        for (const line of lyrics.split('\n')) if (line.trim().startsWith('[')) tags.add(line.trim());
      }
      expect(tags.size).toBeGreaterThan(10);
      for (const tag of tags) {
        const r = await tok.tokenize(tag);
        expect(r.ids[1], tag).toBe(259);
        expect(r.ids[r.ids.length - 1], tag).toBe(2);
        const single = bpe.tokenId(tag.toLowerCase());
        if (single !== undefined) expect(r.ids, tag).toEqual([261, 259, single, 2]);
      }
      expect((await tok.tokenize('[Verse 2]')).lines[0]?.normalized).toBe('[verse two]');
      expect((await tok.tokenize('[chorus]（重复）')).lines[0]?.language).toBe('en');
    });
  });
});
