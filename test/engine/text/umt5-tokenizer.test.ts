/** The UMT5 prompt tokenizer on the tiny pack's tokenizer.json (spec §1.2). */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEXT_MAX_TOKENS, TextTokenizer } from '../../../src/engine/text/umt5-tokenizer.js';

const TINY = new URL('../../../models/tiny/', import.meta.url).pathname;
const HAVE_TINY = existsSync(`${TINY}tokenizer.json`);

describe.skipIf(!HAVE_TINY)('TextTokenizer (skipped: models/tiny not built; run npm run tiny-pack)', () => {
  const load = (): Promise<TextTokenizer> => TextTokenizer.load(`${TINY}tokenizer.json`, `${TINY}tokenizer_config.json`);

  it('encodes a prompt with the Unigram vocabulary and appends </s>', async () => {
    // Vocabulary (by index): "▁pop" 4, "▁rock" 5, "▁female" 25, "▁vocal" 24, "," 123, "</s>" 1. Metaspace turns
    // "pop rock, female vocal" into "▁pop▁rock,▁female▁vocal"; the Viterbi path takes the whole-word pieces and
    // the bare "," (the comma follows "rock" without a space, so "▁," cannot apply).
    const vocab = (JSON.parse(readFileSync(`${TINY}tokenizer.json`, 'utf8')) as { model: { vocab: [string, number][] } }).model.vocab;
    const id = (piece: string): number => vocab.findIndex(([p]) => p === piece);
    expect([id('▁pop'), id('▁rock'), id(','), id('▁female'), id('▁vocal'), id('</s>')]).toEqual([4, 5, 123, 25, 24, 1]);
    const tok = await load();
    expect(tok.encode('pop rock, female vocal')).toEqual({ ids: [4, 5, 123, 25, 24, 1], mask: [1, 1, 1, 1, 1, 1], length: 6, truncated: false });
  });

  it('collapses runs of spaces (the file\'s Replace normalizer)', async () => {
    const tok = await load();
    expect(tok.encode('pop   rock').ids).toEqual([4, 5, 1]);
  });

  it('truncates to 256 tokens and keeps the EOS last', async () => {
    const tok = await load();
    const { ids, mask, length, truncated } = tok.encode(Array.from({ length: 400 }, () => 'pop').join(' '));
    expect(ids).toHaveLength(TEXT_MAX_TOKENS);
    expect({ length, truncated }).toEqual({ length: 401, truncated: true });
    expect(ids[ids.length - 1]).toBe(1);
    expect(ids.slice(0, -1).every((x) => x === 4)).toBe(true);
    expect(mask.every((x) => x === 1)).toBe(true);
  });

  it('gives just the EOS for an empty prompt', async () => {
    const tok = await load();
    expect(tok.encode('')).toEqual({ ids: [1], mask: [1], length: 1, truncated: false });
  });
});
