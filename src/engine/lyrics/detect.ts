/**
 * Per-line lyric language detection (spec ../shared/spec/acestep-v1.md §1.3, §13, §14 items 1, 3, 7).
 *
 * Faithful path (`py3langid`): LangSegment's segmentation (`lang-segment.ts`) with py3langid's model from
 * the pack (`langid.ts`), then upstream's `get_lang` rule — the first language of the counts, or the
 * second when the first is `en` and there are more (ties keep first-seen order); any error gives `en` —
 * then `tokenize_lyrics`' mapping: a code outside the 17 supported ones becomes `en` (before the
 * `"zh" in lang` test, so only `zh` itself is Chinese). A line with nothing countable gives `zh`.
 *
 * Fallback path (`fallback`, a pack without `langid.safetensors`, e.g. the tiny pack): script rules
 * (Han → zh, or ja when the line has kana; kana → ja; Hangul → ko; Cyrillic → ru; Arabic → ar;
 * Devanagari → hi) and tinyld for Latin-script text, restricted to the supported Latin-script languages;
 * the same counting (characters, Chinese double) and the same choice rule. It is not ACE-Step's detector,
 * so lines can get other ids than ACE-Step would give them; results say `detector: 'fallback'`.
 *
 * Also here for the tokenizer's opt-in modes: ComfyUI's `[xx]` line prefix ({@link explicitLanguagePrefix})
 * and a per-script split of a line ({@link scriptSegments}).
 */
import { detect as tinyldDetect } from 'tinyld';

import { loadLangidModel, type LanguageClassifier } from './langid.js';
import { LangSegment, pyLen } from './lang-segment.js';

/** The 17 languages ACE-Step v1's lyric vocabulary has a language token for (spec §1.3). */
export type LyricLanguage =
  | 'en' | 'de' | 'fr' | 'es' | 'it' | 'pt' | 'pl' | 'tr' | 'ru' | 'cs' | 'nl' | 'ar' | 'zh' | 'ja' | 'hu' | 'ko' | 'hi';

/** Upstream's `SUPPORT_LANGUAGES` keys, in its order. */
export const LYRIC_LANGUAGES: readonly LyricLanguage[] = [
  'en', 'de', 'fr', 'es', 'it', 'pt', 'pl', 'tr', 'ru', 'cs', 'nl', 'ar', 'zh', 'ja', 'hu', 'ko', 'hi',
];

const SUPPORTED = new Set<string>(LYRIC_LANGUAGES);

/** The supported languages written in Latin script: tinyld's candidates in the fallback detector. */
export const LATIN_LYRIC_LANGUAGES: readonly LyricLanguage[] = ['en', 'de', 'fr', 'es', 'it', 'pt', 'pl', 'tr', 'cs', 'nl', 'hu'];

/** What a detector decided for one line. */
export interface LineLanguage {
  /** The language the line is encoded in. */
  language: LyricLanguage;
  /** What the detector said before mapping to a supported language (e.g. `xh`, `sk`). */
  raw: string;
  /** `[language, characters]`, most first (Chinese counted double); empty when detection failed. */
  counts: [string, number][];
  detector: 'py3langid' | 'fallback';
  /** The line cut into language runs (LangSegment's `getTexts`, or the fallback's script runs). */
  segments: { text: string; language: string }[];
}

/** A per-line language detector; one instance serves a whole lyric sequence (and may be reused). */
export interface LanguageDetector {
  readonly name: 'py3langid' | 'fallback';
  /** Detects the language of one lyric line; pass the line stripped, as upstream does. */
  detect(line: string): LineLanguage;
}

/**
 * Upstream's `get_lang` choice over LangSegment's counts: the first language, or the second when the
 * first is `en` and there is another. Throws on an empty list (upstream's IndexError, caught as `en`).
 */
export function chooseLanguage(counts: readonly (readonly [string, number])[]): string {
  const first = counts[0];
  if (first === undefined) throw new RangeError('no language counts');
  const second = counts[1];
  return first[0] === 'en' && second !== undefined ? second[0] : first[0];
}

/**
 * `tokenize_lyrics`' mapping of a detected code: unsupported → `en` (applied first, so `zh-cn` or
 * `zh-tw` would be `en`; only `zh` is Chinese); the later `"zh" in lang` and `"spa" in lang` rules can
 * then only confirm a supported code.
 */
export function toLyricLanguage(raw: string): LyricLanguage {
  let language = SUPPORTED.has(raw) ? raw : 'en';
  if (language.includes('zh')) language = 'zh';
  if (language.includes('spa')) language = 'es';
  return language as LyricLanguage;
}

/** The faithful detector: LangSegment + py3langid + get_lang, one shared segmenter like upstream's pipeline. */
export class Py3langidDetector implements LanguageDetector {
  readonly name = 'py3langid' as const;
  private readonly segmenter: LangSegment;

  constructor(classifier: LanguageClassifier) {
    this.segmenter = new LangSegment(classifier);
  }

  detect(line: string): LineLanguage {
    let raw = 'en';
    let counts: [string, number][] = [];
    let segments: { text: string; language: string }[] = [];
    try {
      const words = this.segmenter.getTexts(line);
      const tally = this.segmenter.getCounts();
      raw = chooseLanguage(tally);
      counts = tally;
      segments = words.map(({ text, lang }) => ({ text, language: lang }));
    } catch {
      // upstream: `except Exception: language = "en"` (spec §14 item 7)
      raw = 'en';
      counts = [];
      segments = [];
    }
    return { language: toLyricLanguage(raw), raw, counts, detector: 'py3langid', segments };
  }
}

// ---------------------------------------------------------------------------------------------------
// Scripts

/** The scripts the fallback detector and the tokenizer's mixed-script mode tell apart. */
export type LyricScript = 'han' | 'kana' | 'hangul' | 'cyrillic' | 'arabic' | 'devanagari' | 'latin' | 'other';

const SCRIPT_TESTS: [LyricScript, RegExp][] = [
  ['han', /^\p{Script=Han}$/u],
  ['kana', /^(?:\p{Script=Hiragana}|\p{Script=Katakana}|[\u30fc\uff70\u3099-\u309c])$/u],
  ['hangul', /^\p{Script=Hangul}$/u],
  ['cyrillic', /^\p{Script=Cyrillic}$/u],
  ['arabic', /^\p{Script=Arabic}$/u],
  ['devanagari', /^\p{Script=Devanagari}$/u],
  ['latin', /^\p{Script=Latin}$/u],
];
const LETTER = /^\p{L}$/u;
const HAS_LETTER = /\p{L}/u;

/** A character's script; `null` for neutral characters (spaces, punctuation, digits, symbols, marks). */
function scriptOf(ch: string): LyricScript | null {
  for (const [script, test] of SCRIPT_TESTS) if (test.test(ch)) return script;
  return LETTER.test(ch) ? 'other' : null;
}

/**
 * Splits a line into runs of one script. Neutral characters (spaces, punctuation, digits, symbols,
 * combining marks) join the run they follow (leading ones the first run), so `硅谷 那个 coder` is
 * `硅谷 那个 ` (han) + `coder` (latin). Letters of other scripts (Greek, Thai, …) form `other` runs; a
 * line without letters is one `other` run. The runs concatenate back to the line.
 */
export function scriptSegments(line: string): { text: string; script: LyricScript }[] {
  const segments: { text: string; script: LyricScript }[] = [];
  let pending = '';
  for (const ch of line) {
    const script = scriptOf(ch);
    const last = segments[segments.length - 1];
    if (script === null) {
      if (last === undefined) pending += ch;
      else last.text += ch;
    } else if (last !== undefined && last.script === script) {
      last.text += ch;
    } else {
      segments.push({ text: `${pending}${ch}`, script });
      pending = '';
    }
  }
  if (pending !== '') segments.push({ text: pending, script: 'other' });
  return segments;
}

const SCRIPT_LANGUAGE: Partial<Record<LyricScript, LyricLanguage>> = {
  kana: 'ja', hangul: 'ko', cyrillic: 'ru', arabic: 'ar', devanagari: 'hi',
};

/** tinyld over Latin-script text, restricted to the supported Latin-script languages; `en` when unsure. */
function latinLanguage(text: string): LyricLanguage {
  const found = tinyldDetect(text, { only: [...LATIN_LYRIC_LANGUAGES] });
  return SUPPORTED.has(found) ? (found as LyricLanguage) : 'en';
}

/**
 * The fallback detector for packs without py3langid's model. Counting and choice follow upstream
 * (characters per run with its trailing neutral characters, Chinese double, first language unless it is
 * `en` and another is present); runs of unsupported scripts count as `und` (→ `en`, as upstream maps
 * unsupported codes); a line with no letters at all is `zh`, as upstream's is.
 */
export class FallbackDetector implements LanguageDetector {
  readonly name = 'fallback' as const;

  detect(line: string): LineLanguage {
    const runs = scriptSegments(line);
    const hasKana = runs.some((run) => run.script === 'kana');
    const latinText = runs.filter((run) => run.script === 'latin').map((run) => run.text).join(' ');
    const latin = latinText === '' ? 'en' : latinLanguage(latinText);
    const segments = runs.map(({ text, script }) => {
      // Only a line without letters has a letterless run: it is `zh`, and nothing is counted.
      const counted = script !== 'other' || HAS_LETTER.test(text);
      let language: string;
      if (script === 'han') language = hasKana ? 'ja' : 'zh';
      else if (script === 'latin') language = latin;
      else if (script === 'other') language = counted ? 'und' : 'zh';
      else language = SCRIPT_LANGUAGE[script] ?? 'und';
      return { text, language, counted };
    });
    const tally = new Map<string, number>();
    for (const { text, language, counted } of segments) {
      if (!counted) continue;
      tally.set(language, (tally.get(language) ?? 0) + (language === 'zh' ? pyLen(text) * 2 : pyLen(text)));
    }
    const counts = [...tally.entries()].sort((a, b) => b[1] - a[1]);
    const raw = counts.length > 0 ? chooseLanguage(counts) : 'zh';
    return {
      language: toLyricLanguage(raw),
      raw,
      counts,
      detector: 'fallback',
      segments: segments.map(({ text, language }) => ({ text, language })),
    };
  }
}

/**
 * The detector for a pack: the faithful one over the pack's `langid.safetensors`, or the fallback when
 * the pack has none (`null`). A langid file that cannot be read is a PackError, not a silent fallback.
 */
export async function loadLanguageDetector(langidPath: string | null): Promise<LanguageDetector> {
  if (langidPath === null) return new FallbackDetector();
  return new Py3langidDetector(await loadLangidModel(langidPath));
}

// ---------------------------------------------------------------------------------------------------
// ComfyUI's explicit prefix

/**
 * ComfyUI's per-line language prefix (spec §7.2, §13): a line starting `[xx]` with `xx` (any case) one of
 * the 17 supported codes is in that language, and the rest of the line (exactly what follows `]`,
 * unstripped, as ComfyUI passes it on) is encoded. acejam also accepts `[zh-cn]`, the vocabulary's own
 * name for Chinese. Anything else (`[verse]`, `[xx]` unsupported, `[zh-tw]`) is not a prefix: `null`.
 * Upstream ACE-Step ignores these prefixes (its lines starting with `[` are encoded as `en`, §14 item 1).
 */
export function explicitLanguagePrefix(line: string): { language: LyricLanguage; rest: string } | null {
  if (!line.startsWith('[')) return null;
  if (line.slice(0, 7).toLowerCase() === '[zh-cn]') return { language: 'zh', rest: line.slice(7) };
  if (line[3] !== ']') return null;
  const code = line.slice(1, 3).toLowerCase();
  return SUPPORTED.has(code) ? { language: code as LyricLanguage, rest: line.slice(4) } : null;
}
