/** The lyric BPE over ACE-Step's real vocabulary (spec §1.3, §14 item 6). */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LyricBpe, UNICODE_WHITESPACE_PRETOKENIZER } from '../../../src/engine/lyrics/bpe.js';

const VOCAB = new URL('../../../../shared/data/acestep-v1/vocab.json', import.meta.url).pathname;
const HAVE_VOCAB = existsSync(VOCAB);

describe.skipIf(!HAVE_VOCAB)('LyricBpe with the real vocab.json (skipped: ../shared/data/acestep-v1/vocab.json absent)', () => {
  it('splits words with Unicode \\w, as the Rust Whitespace pre-tokenizer does', async () => {
    const bpe = await LyricBpe.load(VOCAB);
    // ASCII-only \w would give s, tra, ß, e = [32, 646, 255, 18] (spec §14 item 6 quotes the tail [646, 255, 18]).
    expect(bpe.encode('straße')).toEqual([32, 646, 610]);
    expect(bpe.tokens([32, 646, 610])).toEqual(['s', 'tra', 'ße']);
  });

  it('keeps accented words whole before BPE', async () => {
    const bpe = await LyricBpe.load(VOCAB);
    for (const word of ['straße', 'brisés', 'coração', 'żółć', 'ünlü', 'szép', 'příliš']) {
      const ids = bpe.encode(word);
      expect(ids, word).not.toContain(1);
      expect(bpe.tokens(ids).join(''), word).toBe(word);
    }
    // a pre-tokenizer split shows up as a piece boundary BPE cannot merge across: é stays with its word
    expect(bpe.tokens(bpe.encode('brisés')).some((t) => t.includes('é') && t.length > 1)).toBe(true);
  });

  it('matches added tokens before pre-tokenizing and maps unknown characters to [UNK]', async () => {
    const bpe = await LyricBpe.load(VOCAB);
    expect(bpe.encode('[en][inst]')).toEqual([259, 6688]);
    expect(bpe.encode('[zh-cn]ni3[SPACE]hao3')[0]).toBe(5023);
    expect(bpe.encode('[en]爱')).toEqual([259, 1]);
    expect(bpe.tokenId('[pre-chorus]')).toBe(6691);
  });
});

describe('LyricBpe file handling', () => {
  it('replaces only a Whitespace pre-tokenizer', () => {
    expect(UNICODE_WHITESPACE_PRETOKENIZER).toMatchObject({ type: 'Split', invert: true, behavior: 'Removed' });
  });
  it('rejects a file that is not a BPE tokenizer', () => {
    expect(() => LyricBpe.fromJson({ model: { type: 'Unigram' } })).toThrow(/not a BPE/u);
  });
  it('rejects a missing file', async () => {
    await expect(LyricBpe.load('/nonexistent/vocab.json')).rejects.toThrow(/cannot read/u);
  });
});
