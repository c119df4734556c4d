/**
 * Upstream's `multilingual_cleaners` (spec §1.3 (a), §14 items 4–5): drop `"`, fix three Turkish capitals,
 * lower-case, expand numbers, abbreviations and symbols (each step guarded: a step that raises leaves the text
 * as it was), collapse whitespace. Chinese numbers go through {@link chineseTextNorm} instead of num2words.
 */
import { expandNumbers } from './numbers.js';
import type { Num2WordsOptions } from './num2words.js';
import { collapseWhitespace, PY_BOUNDARY, pyLower, pyStrip } from './pyre.js';
import { ABBREVIATIONS, type CleanerLanguage, symbolTable } from './tables.js';
import { chineseTextNorm } from './zh-numbers.js';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');

const abbreviationPatterns = new Map<CleanerLanguage, ReadonlyArray<readonly [RegExp, string]>>();
function abbreviations(lang: CleanerLanguage): ReadonlyArray<readonly [RegExp, string]> {
  let list = abbreviationPatterns.get(lang);
  if (list === undefined) {
    list = ABBREVIATIONS[lang].map(([abbr, words]) => {
      // Russian entries are whole words (`\bг-н\b`), the others need their dot (`\bdr\.`).
      const tail = lang === 'ru' ? PY_BOUNDARY : '\\.';
      return [new RegExp(`${PY_BOUNDARY}${escapeRe(abbr)}${tail}`, 'giu'), words] as const;
    });
    abbreviationPatterns.set(lang, list);
  }
  return list;
}

/** `expand_abbreviations_multilingual`. */
export function expandAbbreviations(text: string, lang: CleanerLanguage): string {
  let out = text;
  for (const [re, words] of abbreviations(lang)) out = out.replace(re, () => words);
  return out;
}

/** `expand_symbols_multilingual`: each symbol spelled out, one pass of "  " → " " after each, then strip. */
export function expandSymbols(text: string, lang: CleanerLanguage): string {
  let out = text;
  for (const [sym, words] of symbolTable(lang)) {
    out = out.split(sym).join(words);
    out = out.replaceAll('  ', ' ');
  }
  return pyStrip(out);
}

/** `expand_numbers_multilingual` (throws where upstream raises). */
export function expandNumbersMultilingual(text: string, lang: CleanerLanguage, opts?: Num2WordsOptions): string {
  return lang === 'zh' ? chineseTextNorm(text) : expandNumbers(text, lang, opts);
}

/** `multilingual_cleaners(text, lang)`. */
export function multilingualCleaners(text: string, lang: CleanerLanguage, opts?: Num2WordsOptions): string {
  let out = text.replaceAll('"', '');
  if (lang === 'tr') out = out.replaceAll('İ', 'i').replaceAll('Ö', 'ö').replaceAll('Ü', 'ü');
  out = pyLower(out);
  try {
    out = expandNumbersMultilingual(out, lang, opts);
  } catch {
    // upstream: bare `except: pass`, the text keeps its digits
  }
  out = expandAbbreviations(out, lang);
  out = expandSymbols(out, lang);
  return collapseWhitespace(out);
}
