/**
 * The lyric BPE of ACE-Step v1 (spec §1.3, §14 item 6): the pack's `vocab.json` (a Hugging Face `tokenizers`
 * file: BPE model, 6681 base tokens, `[UNK]`, 33 added special tokens) run by @huggingface/tokenizers.
 *
 * The file names the `Whitespace` pre-tokenizer, which the Rust library defines as `\w+|[^\w\s]+` with Unicode
 * `\w` (letters, marks, digits, connector punctuation). The JavaScript library's stock `Whitespace` uses the
 * ASCII `\w` and cuts words at every non-ASCII letter (`straße` → `[646, 255, 18]` instead of `[646, 610]`), so
 * the loader swaps it for the equivalent `Split` pre-tokenizer (the pattern kept, `invert: true`, behaviour
 * `Removed`), which that library compiles with Unicode classes.
 */
import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { PackError } from '../errors.js';

/** Special ids of the lyric vocabulary (spec §1.3). */
export const LYRIC_IDS = { stop: 0, unk: 1, space: 2, start: 261 } as const;

/** The Rust `Whitespace` pre-tokenizer spelled as a `Split` the JavaScript library compiles Unicode-aware. */
export const UNICODE_WHITESPACE_PRETOKENIZER = {
  type: 'Split',
  pattern: { Regex: String.raw`\w+|[^\w\s]+` },
  behavior: 'Removed',
  invert: true,
} as const;

interface TokenizerJson {
  pre_tokenizer?: { type?: string } | null;
  model?: { type?: string; vocab?: Record<string, number> };
  added_tokens?: Array<{ id: number; content: string }>;
}

/** BPE encoder over a lyric vocabulary; `encode` turns already-prepared text into ids. */
export class LyricBpe {
  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly tokenIds: ReadonlyMap<string, number>,
  ) {}

  /** Load `vocab.json` (throws {@link PackError} when it is missing or not a BPE tokenizer file). */
  static async load(vocabPath: string): Promise<LyricBpe> {
    let json: TokenizerJson;
    try {
      json = JSON.parse(await readFile(vocabPath, 'utf8')) as TokenizerJson;
    } catch (cause) {
      throw new PackError(`cannot read lyric vocabulary ${vocabPath}`, { cause });
    }
    return LyricBpe.fromJson(json, vocabPath);
  }

  /** Build from the parsed file (the object is not modified). */
  static fromJson(json: unknown, source = 'vocab.json'): LyricBpe {
    const file = json as TokenizerJson;
    if (file.model?.type !== 'BPE' || file.model.vocab === undefined) {
      throw new PackError(`${source} is not a BPE tokenizer file`, { hint: 'the lyric vocabulary is ACE-Step\'s vocab.json' });
    }
    const preTokenizer = file.pre_tokenizer?.type === 'Whitespace' ? UNICODE_WHITESPACE_PRETOKENIZER : file.pre_tokenizer ?? null;
    const tokenizer = new Tokenizer({ ...file, pre_tokenizer: preTokenizer }, {});
    const ids = new Map<string, number>(Object.entries(file.model.vocab));
    for (const t of file.added_tokens ?? []) ids.set(t.content, t.id);
    return new LyricBpe(tokenizer, ids);
  }

  /** `tokenizer.encode(text).ids` (no special tokens are added: the vocabulary has no post-processor). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** The id of a token string (e.g. `[en]`), or undefined. */
  tokenId(token: string): number | undefined {
    return this.tokenIds.get(token);
  }

  /** Token strings of ids, for reports (`[UNK]` for ids the file does not name). */
  tokens(ids: readonly number[]): string[] {
    const byId = new Map<number, string>();
    for (const [t, id] of this.tokenIds) byId.set(id, t);
    return ids.map((id) => byId.get(id) ?? '[UNK]');
  }
}
