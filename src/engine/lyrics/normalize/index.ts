/**
 * Upstream's `VoiceBpeTokenizer.preprocess_text` (spec §1.3 (a), §14): per-language text normalisation before
 * the `[lang]` prefix and BPE. ar/cs/de/en/es/fr/hu/it/nl/pl/pt/ru/tr/zh/ko go through the multilingual
 * cleaners, then zh → pinyin and ko → romanisation; ja → romaji; hi → lower-case and collapse whitespace only.
 */
import { chineseTransliterate } from './chinese.js';
import { JapaneseRomanizer } from './japanese.js';
import { romanizeKorean } from './korean.js';
import { multilingualCleaners } from './multilingual.js';
import { collapseWhitespace, pyLower } from './pyre.js';
import type { CleanerLanguage } from './tables.js';

export { multilingualCleaners } from './multilingual.js';
export { romanizeKorean } from './korean.js';
export { chineseTransliterate } from './chinese.js';
export { JapaneseRomanizer } from './japanese.js';

const CLEANED = new Set<string>(['ar', 'cs', 'de', 'en', 'es', 'fr', 'hu', 'it', 'nl', 'pl', 'pt', 'ru', 'tr', 'zh', 'ko']);

/** Options of {@link LyricNormalizer.normalize}. */
export interface NormalizeOptions {
  /** Expand Czech numbers (acejam's fixed mode); upstream never does. */
  czechNumbers?: boolean;
}

/** Raised for a language upstream does not normalise (`NotImplementedError`): the line is dropped. */
export class UnsupportedLanguageError extends Error {
  constructor(lang: string) {
    super(`Language '${lang}' is not supported.`);
    this.name = 'UnsupportedLanguageError';
  }
}

/** Normalises lyric lines per language; holds the (lazily built) Japanese analyser. */
export class LyricNormalizer {
  private japanese: Promise<JapaneseRomanizer> | null = null;

  /** `preprocess_text(text, lang)` (lang without region, e.g. `zh`). */
  async normalize(text: string, lang: string, opts: NormalizeOptions = {}): Promise<string> {
    if (CLEANED.has(lang)) {
      let out = multilingualCleaners(text, lang as CleanerLanguage, { czech: opts.czechNumbers === true });
      if (lang === 'zh') out = chineseTransliterate(out);
      if (lang === 'ko') out = romanizeKorean(out);
      return out;
    }
    if (lang === 'ja') {
      this.japanese ??= JapaneseRomanizer.load();
      return pyLower(await (await this.japanese).romaji(text));
    }
    if (lang === 'hi') return collapseWhitespace(pyLower(text));
    throw new UnsupportedLanguageError(lang);
  }
}
