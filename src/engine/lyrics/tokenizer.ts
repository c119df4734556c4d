/**
 * Lyrics → lyric token ids, as upstream's `ACEStepPipeline.tokenize_lyrics` (spec §1.3, §13, §14).
 *
 * Faithful mode (default) reproduces upstream line by line: `[261]`; the lyrics split on `\n`; a line empty
 * after stripping adds `2`; otherwise its language is detected, a line starting with `[...]` is encoded as
 * `en` whatever the bracket holds, and the encoding plus `2` is appended. `encode(text, lang)` normalises,
 * prefixes `[lang]` (`[zh-cn]` for Chinese), writes every space as `[SPACE]` and runs the BPE; a line whose
 * encoding raises is dropped with its `2`. Empty lyrics give ids `[0]` with mask `[0]`. The caller enforces
 * the 4096-token limit (`ids.length` is reported).
 *
 * Fixed mode (opt-in) changes three things upstream gets wrong: an explicit `[xx]` language prefix (ComfyUI's
 * convention) sets the line's language; a mixed-script line that would contain `[UNK]` is encoded segment by
 * segment, each in its own language (as upstream's training data was), segments separated by `2`; Czech
 * numbers are expanded.
 */
import { LYRIC_IDS, LyricBpe } from './bpe.js';
import {
  explicitLanguagePrefix, type LanguageDetector, type LyricLanguage, loadLanguageDetector, scriptSegments,
} from './detect.js';
import { LyricNormalizer } from './normalize/index.js';
import { pyStrip } from './normalize/pyre.js';

/** `faithful` = upstream's ids; `fixed` = acejam's corrections (see the module comment). */
export type LyricsMode = 'faithful' | 'fixed';

/** What happened to one input line. */
export interface LyricLineReport {
  /** The line as tokenized (stripped). */
  text: string;
  /** The language it was encoded in ('' for an empty line, `mixed` for a fixed-mode segment encoding). */
  language: string;
  /** Who chose the language: the detector, an explicit `[xx]` prefix, or the `[...]`-means-`en` rule. */
  detector: 'py3langid' | 'fallback' | 'prefix' | 'bracket';
  /** The normalised text before `[SPACE]` substitution ('' when dropped or empty). */
  normalized: string;
  /** The ids this line added, its trailing `2` included (`[]` when the line was dropped). */
  ids: number[];
}

/** The lyric sequence with its mask and per-line report. */
export interface LyricTokens {
  ids: number[];
  mask: number[];
  lines: LyricLineReport[];
  detector: 'py3langid' | 'fallback';
}

const STRUCTURE_PREFIX = /^\[[^\n]*?\]/u;
const SCRIPT_LANGUAGE: Partial<Record<string, LyricLanguage>> = {
  kana: 'ja', hangul: 'ko', cyrillic: 'ru', arabic: 'ar', devanagari: 'hi',
};

interface Encoded { ids: number[]; normalized: string }

/** Upstream's lyric tokenizer over a pack's vocabulary and language detector. */
export class LyricTokenizer {
  private readonly normalizer = new LyricNormalizer();

  private constructor(
    private readonly bpe: LyricBpe,
    private readonly detector: LanguageDetector,
  ) {}

  /** Load the pack's `vocab.json` and its `langid.safetensors` (`null`: the fallback detector). */
  static async load(vocabPath: string, langidPath: string | null): Promise<LyricTokenizer> {
    const [bpe, detector] = await Promise.all([LyricBpe.load(vocabPath), loadLanguageDetector(langidPath)]);
    return new LyricTokenizer(bpe, detector);
  }

  /** Build from parts (tests, tools). */
  static from(bpe: LyricBpe, detector: LanguageDetector): LyricTokenizer {
    return new LyricTokenizer(bpe, detector);
  }

  /** Upstream's `VoiceBpeTokenizer.encode(text, lang)`, with the normalised text for reports. */
  async encode(text: string, lang: string, mode: LyricsMode = 'faithful'): Promise<Encoded> {
    const base = lang.split('-')[0] as string;
    const normalized = await this.normalizer.normalize(text, base, { czechNumbers: mode === 'fixed' });
    const tag = base === 'zh' ? 'zh-cn' : base;
    const prepared = `[${tag}]${normalized}`.replaceAll(' ', '[SPACE]');
    return { ids: this.bpe.encode(prepared), normalized };
  }

  /** Tokenize a whole lyric text. */
  async tokenize(lyrics: string, mode: LyricsMode = 'faithful'): Promise<LyricTokens> {
    const detectorName = this.detector.name;
    if (lyrics.length === 0) return { ids: [LYRIC_IDS.stop], mask: [0], lines: [], detector: detectorName };
    const ids: number[] = [LYRIC_IDS.start];
    const lines: LyricLineReport[] = [];
    for (const raw of lyrics.split('\n')) {
      const line = pyStrip(raw);
      if (!line) {
        ids.push(LYRIC_IDS.space);
        lines.push({ text: '', language: '', detector: detectorName, normalized: '', ids: [LYRIC_IDS.space] });
        continue;
      }
      const report = mode === 'fixed' ? await this.fixedLine(line) : await this.faithfulLine(line);
      ids.push(...report.ids);
      lines.push(report);
    }
    return { ids, mask: ids.map(() => 1), lines, detector: detectorName };
  }

  private async faithfulLine(line: string): Promise<LyricLineReport> {
    const detected = this.detector.detect(line);
    const bracket = STRUCTURE_PREFIX.test(line);
    const language = bracket ? 'en' : detected.language;
    const who = bracket ? 'bracket' : detected.detector;
    try {
      const enc = await this.encode(line, language);
      return { text: line, language, detector: who, normalized: enc.normalized, ids: [...enc.ids, LYRIC_IDS.space] };
    } catch {
      // upstream prints "tokenize error" and drops the line together with its [SPACE]
      return { text: line, language, detector: who, normalized: '', ids: [] };
    }
  }

  private async fixedLine(line: string): Promise<LyricLineReport> {
    const prefix = explicitLanguagePrefix(line);
    if (prefix !== null) {
      const text = pyStrip(prefix.rest);
      try {
        const enc = await this.encode(text, prefix.language, 'fixed');
        return { text: line, language: prefix.language, detector: 'prefix', normalized: enc.normalized, ids: [...enc.ids, LYRIC_IDS.space] };
      } catch {
        return { text: line, language: prefix.language, detector: 'prefix', normalized: '', ids: [] };
      }
    }
    const detected = this.detector.detect(line);
    const bracket = STRUCTURE_PREFIX.test(line);
    const language = bracket ? 'en' : detected.language;
    const who = bracket ? 'bracket' : detected.detector;
    let enc: Encoded;
    try {
      enc = await this.encode(line, language, 'fixed');
    } catch {
      return { text: line, language, detector: who, normalized: '', ids: [] };
    }
    if (bracket || !enc.ids.includes(LYRIC_IDS.unk)) {
      return { text: line, language, detector: who, normalized: enc.normalized, ids: [...enc.ids, LYRIC_IDS.space] };
    }
    const mixed = await this.encodeSegments(line);
    if (mixed === null) {
      return { text: line, language, detector: who, normalized: enc.normalized, ids: [...enc.ids, LYRIC_IDS.space] };
    }
    return { text: line, language: 'mixed', detector: who, normalized: mixed.normalized, ids: [...mixed.ids, LYRIC_IDS.space] };
  }

  /** Each script run in its own language, runs separated by `[SPACE]`; null when the line has one run. */
  private async encodeSegments(line: string): Promise<Encoded | null> {
    const runs = scriptSegments(line).map((r) => ({ text: pyStrip(r.text), script: r.script })).filter((r) => r.text !== '');
    if (runs.length < 2) return null;
    const hasKana = runs.some((r) => r.script === 'kana');
    const ids: number[] = [];
    const parts: string[] = [];
    for (const run of runs) {
      let lang: LyricLanguage;
      if (run.script === 'han') lang = hasKana ? 'ja' : 'zh';
      else lang = SCRIPT_LANGUAGE[run.script] ?? this.detector.detect(run.text).language;
      try {
        const enc = await this.encode(run.text, lang, 'fixed');
        if (ids.length > 0) ids.push(LYRIC_IDS.space);
        ids.push(...enc.ids);
        parts.push(`[${lang}]${enc.normalized}`);
      } catch {
        // a run that cannot be encoded is left out, like a failing line
      }
    }
    return { ids, normalized: parts.join(' ') };
  }
}
