import { describe, expect, it } from 'vitest';

import { composeArg, decodeCustomId, encodeCustomId, MAX_CUSTOM_ID, parseComposeArg } from '../../src/bot/components/custom-id.js';
import { resultRows } from '../../src/bot/components/buttons.js';

describe('custom_id codec', () => {
  it('round-trips every action the bot emits, each within 100 characters', () => {
    const values = [
      { action: 'retake', id: 'AbCdEfGhIj', arg: 'subtle' },
      { action: 'retake', id: 'AbCdEfGhIj', arg: 'strong' },
      { action: 'reroll', id: 'AbCdEfGhIj' },
      { action: 'repaint', id: 'AbCdEfGhIj' },
      { action: 'extend', id: 'AbCdEfGhIj', arg: 'left' },
      { action: 'extend', id: 'AbCdEfGhIj', arg: 'right' },
      { action: 'edit', id: 'AbCdEfGhIj' },
      { action: 'full', id: 'AbCdEfGhIj' },
      { action: 'cancel', id: 'q1w2-e3_r4t5' },
      { action: 'show', id: '-' },
      { action: 'hist', id: 'AbCdEfGhIj', arg: 'channel' },
      { action: 'composem', id: '-', arg: composeArg({ duration: 240, seed: 4294967295, variants: 4, visibility: 'private' }) },
      { action: 'repaintm', id: 'AbCdEfGhIj' },
      { action: 'editm', id: 'AbCdEfGhIj' },
    ] as const;
    for (const value of values) {
      const encoded = encodeCustomId(value);
      expect(encoded.length).toBeLessThanOrEqual(MAX_CUSTOM_ID);
      expect(decodeCustomId(encoded)).toEqual(value);
    }
  });

  it('gives the result buttons distinct ids, all decodable', () => {
    const ids = resultRows('AbCdEfGhIj').flatMap((row) => row.components.map((c) => ('custom_id' in c ? c.custom_id : '')));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(8);
    for (const id of ids) expect(decodeCustomId(id)).not.toBeNull();
  });

  it('refuses forged, truncated and foreign ids', () => {
    for (const forged of ['', 'retake', 'retake:', 'retake:abc', 'retake:abc:huge', 'nuke:abc', 'extend:abc:up', 'reroll:abc:x', 'full:a/b', 'full:a:b:c', 'composem:-:999,1,9,', `full:${'a'.repeat(65)}`, 'x'.repeat(101), 'toString:abc', '__proto__:abc'])
      expect(decodeCustomId(forged), forged).toBeNull();
  });

  it('refuses to encode what it could not decode', () => {
    expect(() => encodeCustomId({ action: 'retake', id: 'abc', arg: 'wild' })).toThrow(/argument/);
    expect(() => encodeCustomId({ action: 'full', id: 'a:b' })).toThrow(/bad id/);
    expect(() => encodeCustomId({ action: 'full', id: 'abc', arg: 'x' })).toThrow(/no argument/);
  });

  it('carries the /compose options into the lyrics form and back', () => {
    expect(parseComposeArg(composeArg({ duration: 30.5, seed: 7, variants: 2, visibility: 'public' }))).toEqual({ duration: 30.5, seed: 7, variants: 2, visibility: 'public' });
    expect(parseComposeArg(composeArg({}))).toEqual({});
  });
});
