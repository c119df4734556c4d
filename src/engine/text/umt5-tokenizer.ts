/**
 * The UMT5 text tokenizer for tags/prompts (spec §1.2): the pack's `tokenizer.json` (SentencePiece Unigram with a
 * Metaspace pre-tokenizer and a TemplateProcessing post-processor that appends `</s>`) run by
 * @huggingface/tokenizers. Upstream calls `tokenizer([prompt], padding=True, truncation=True, max_length=256)`:
 * one prompt, so no padding, the mask all ones, and at most 256 ids with the EOS kept last when truncating.
 */
import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { PackError } from '../errors.js';

/** Maximum text tokens (manifest `constants`, spec §1.2). */
export const TEXT_MAX_TOKENS = 256;

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new PackError(`cannot read ${what} ${path}`, { cause });
  }
}

/** A tokenized prompt. */
export interface TextTokens {
  ids: number[];
  mask: number[];
  /** Tokens before truncation (EOS included). */
  length: number;
  /** True when `length` exceeded the 256-token limit and `ids` were cut. */
  truncated: boolean;
}

/** Prompt → UMT5 input ids and attention mask. */
export class TextTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly maxLength: number,
  ) {}

  /** Load `tokenizer.json` and `tokenizer_config.json` (its `model_max_length` is capped at 256). */
  static async load(tokenizerJson: string, configJson: string): Promise<TextTokenizer> {
    const json = await readJson(tokenizerJson, 'text tokenizer');
    const config = await readJson(configJson, 'text tokenizer config');
    const configured = typeof config.model_max_length === 'number' ? config.model_max_length : TEXT_MAX_TOKENS;
    return new TextTokenizer(new Tokenizer(json, config), Math.min(configured, TEXT_MAX_TOKENS));
  }

  /**
   * Ids with the EOS the template appends, truncated to 256 (the EOS stays) as upstream's call does, and a mask
   * of ones; `length` is the untruncated count (EOS included) and `truncated` says whether ids were cut, so a
   * caller can refuse an over-long prompt instead of silently conditioning on part of it.
   */
  encode(prompt: string): TextTokens {
    const withSpecial = this.tokenizer.encode(prompt).ids;
    let ids = withSpecial;
    if (ids.length > this.maxLength) {
      const plain = this.tokenizer.encode(prompt, { add_special_tokens: false }).ids;
      const added = withSpecial.length - plain.length;
      // TemplateProcessing appends its special tokens after the sequence: keep them, cut the sequence.
      ids = [...plain.slice(0, this.maxLength - added), ...withSpecial.slice(plain.length)];
    }
    return { ids, mask: ids.map(() => 1), length: withSpecial.length, truncated: withSpecial.length > ids.length };
  }
}
