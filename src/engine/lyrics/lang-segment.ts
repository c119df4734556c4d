/**
 * LangSegment as ACE-Step v1 bundles it (`acestep/language_segmentation/LangSegment.py`, "0.3.5"), the
 * per-script segmenter whose counts decide each lyric line's language (spec ../shared/spec/acestep-v1.md
 * §1.3, §13, §14 item 3). Re-implemented from the upstream behaviour, step for step, because its quirks
 * decide the ids ACE-Step's model was conditioned on:
 *
 * * every line is first cut by a list of patterns (SSML-ish `<tag>…</tag>`, Hangul, Thai, Russian,
 *   numbers, Latin words, quotes, brackets) into placeholder keys `⑥<tag><index:06>⑥`;
 * * Latin runs (ASCII letters plus the lowercase French/Vietnamese letters, enabled because the filter
 *   list contains `fr`) are classified by py3langid as a whole run, and whatever py3langid says is kept
 *   when it is in the filter list (all 97 of its classes are in `language_filters.default`);
 * * the remaining text is split at punctuation, short pieces are glued to the next, and each piece is
 *   classified with digits and placeholders removed; all-Han pieces are `zh`; short Han pieces go
 *   through the zh/ja priority rules;
 * * `en` pieces get a space before every capital that follows a word character, plus a trailing space;
 * * counts are characters (code points) of the saved pieces, `zh` counted double, added as pieces are
 *   saved (so a piece merged into its predecessor, or a number re-attached to the next piece, is counted
 *   again), sorted by count with ties in first-seen order.
 *
 * Python's regular expressions are reproduced with Unicode classes: `\w` = `[\p{L}\p{N}_]` (identical to
 * CPython's `str.isalnum() or '_'` over Unicode 14), `\d` = `\p{Nd}`, `\s` and `str.strip()` = CPython's
 * whitespace set, `.` = anything but `\n`, and lengths count code points.
 *
 * The instance keeps upstream's state between calls (the last text, its segments and counts), because the
 * pipeline shares one instance across all lines: a repeated line returns the cached result, and after a
 * failed parse the stale segments of the line before are what a repeat of the failing line sees. A failed
 * call throws (upstream raises; `get_lang` turns any exception into `en`).
 */
import type { LanguageClassifier } from './langid.js';

/** `acestep/language_segmentation/language_filters.py::default`, the filter list ACE-Step sets. */
export const DEFAULT_FILTERS: readonly string[] = [
  'af', 'am', 'an', 'ar', 'as', 'az', 'be', 'bg', 'bn', 'br', 'bs', 'ca', 'cs', 'cy', 'da', 'de', 'dz', 'el', 'en',
  'eo', 'es', 'et', 'eu', 'fa', 'fi', 'fo', 'fr', 'ga', 'gl', 'gu', 'he', 'hi', 'hr', 'ht', 'hu', 'hy', 'id', 'is',
  'it', 'ja', 'jv', 'ka', 'kk', 'km', 'kn', 'ko', 'ku', 'ky', 'la', 'lb', 'lo', 'lt', 'lv', 'mg', 'mk', 'ml', 'mn',
  'mr', 'ms', 'mt', 'nb', 'ne', 'nl', 'nn', 'no', 'oc', 'or', 'pa', 'pl', 'ps', 'pt', 'qu', 'ro', 'ru', 'rw', 'se',
  'si', 'sk', 'sl', 'sq', 'sr', 'sv', 'sw', 'ta', 'te', 'th', 'tl', 'tr', 'ug', 'uk', 'ur', 'vi', 'vo', 'wa', 'xh',
  'zh', 'zu',
];

/** One segment as LangSegment returns it (`getTexts`): its language code and its (possibly respaced) text. */
export interface LangSegmentWord {
  lang: string;
  text: string;
  score: number;
}

/** A raised error inside LangSegment (upstream's KeyError / TypeError / ValueError equivalents). */
export class LangSegmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LangSegmentError';
  }
}

// ---------------------------------------------------------------------------------------------------
// Python `re` / `str` semantics

/** Python's `\w` for str patterns (letters, numbers incl. No/Nl such as ⑥, underscore). */
const W = '\\p{L}\\p{N}_';
/** Python's `\s` and `str.isspace()` set. */
const S = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const D = '\\p{Nd}';

const WORD_CHAR = new RegExp(`^[${W}]$`, 'u');
const LEADING_SPACE = new RegExp(`^[${S}]+`, 'u');
const TRAILING_SPACE = new RegExp(`[${S}]+$`, 'u');
const SPACES_G = new RegExp(`[${S}]+`, 'gu');
const ONE_SPACE_G = new RegExp(`[${S}]`, 'gu');

/** Python `str.strip()` (whitespace as `str.isspace`). */
export function pyStrip(text: string): string {
  return text.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}

/** Python `len(str)`: code points. */
export function pyLen(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function stripChars(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start] ?? '')) start++;
  while (end > start && chars.includes(text[end - 1] ?? '')) end--;
  return text.slice(start, end);
}

/** Python `re.findall` for a pattern with groups: each match's groups, unmatched groups as "". */
function findall(pattern: RegExp, text: string): string[][] {
  return [...text.matchAll(pattern)].map((m) => m.slice(1).map((g) => g ?? ''));
}

// ---------------------------------------------------------------------------------------------------
// LangSegment's patterns

/** Placeholder keys: `⑥` + optional `$` + at least 7 digits + `⑥`. */
const PARSE_TAG_SOURCE = `(⑥\\$*[${D}]+[${D}]{6,}⑥)`;
const PARSE_TAG_G = new RegExp(PARSE_TAG_SOURCE, 'gu');
const PARSE_TAG_SPLIT = new RegExp(PARSE_TAG_SOURCE, 'u');
const PARSE_TAG_AT_START = new RegExp(`^${PARSE_TAG_SOURCE}`, 'u');
/** Number placeholders (tag "00"): `⑥` + at least 6 digits + `⑥`. */
const NUMBER_TAGS_G = new RegExp(`(⑥[${D}]{6,}⑥)`, 'gu');
const DIGITS_G = new RegExp(`[${D}]+`, 'gu');
/** `([^\w\s]+)`: punctuation runs. */
const PUNCT_SOURCE = `([^${W}${S}]+)`;
const PUNCT_SPLIT = new RegExp(PUNCT_SOURCE, 'u');
const PUNCT_G = new RegExp(PUNCT_SOURCE, 'gu');
const NEWLINES_G = /\n+/g;
const CLEAN_NONWORD_G = new RegExp(`([^\\n]*?)([^${W}]+)`, 'gu');
const REPEATS_G = /([^\n])\1+/gu;
const ENDING = /^[「」“”‘’"':：。.！!?．？]/u;
const ENGLISH_SENTENCES = /([^\n]*?[。.?？!！]+\n?)/u;
const KANA = /[\u3040-\u309F\u30A0-\u30FF]/u;
const ASCII_UPPER = /^[A-Z]$/;

/** Lowercase French letters LangSegment adds to its Latin class when the filters contain fr or vi. */
const RE_FR = '\u00e0\u00e1\u00e2\u00e3\u00e4\u00e5\u00e6\u00e7\u00e8\u00e9\u00ea\u00eb\u00ec\u00ed\u00ee\u00ef\u00f0\u00f1'
  + '\u00f2\u00f3\u00f4\u00f5\u00f6\u00f9\u00fa\u00fb\u00fc\u00fd\u00fe\u00ff';
/** Lowercase Vietnamese letters, same condition. */
const RE_VI = '\u0111\u01a1\u01b0\u0103\u00e1\u00e0\u1ea3\u00e3\u1ea1\u1eaf\u1eb1\u1eb3\u1eb5\u1eb7\u1ea5\u1ea7\u1ea9'
  + '\u1eab\u1ead\u00e9\u00e8\u1ebb\u1ebd\u1eb9\u1ebf\u1ec1\u1ec3\u1ec5\u1ec7\u00ed\u00ec\u1ec9\u0129\u1ecb\u00f3\u00f2'
  + '\u1ecf\u00f5\u1ecd\u1ed1\u1ed3\u1ed5\u1ed7\u1ed9\u1edb\u1edd\u1edf\u1ee1\u1ee3\u00fa\u00f9\u1ee7\u0169\u1ee5\u1ee9'
  + '\u1eeb\u1eed\u1eef\u1ef1\u00f4\u00e2\u00ea\u01a1\u01b0\u1ef7\u1ef9';

/** `TAG_BASE`: optional opening quotes/brackets, a run of the script's letters, trailing non-word chars; repeated. */
function tagBase(letters: string): string {
  return `(([【《（(“‘"']*[${letters}]+[^${W}]*)+)`;
}

type ProcessName = 'symbol' | 'korean' | 'thai' | 'russian' | 'number' | 'english' | 'quotes';

interface ProcessItem {
  tag: string;
  all: RegExp;
  once: RegExp;
  process: ProcessName;
}

function item(tag: string, source: string, process: ProcessName): ProcessItem {
  return { tag, all: new RegExp(source, 'gu'), once: new RegExp(source, 'u'), process };
}

const PROCESS_LISTS = new Map<boolean, ProcessItem[]>();

/** The pattern list in upstream's order; built once per preview setting (the regexes carry no state we use). */
function processList(enablePreview: boolean): ProcessItem[] {
  const cached = PROCESS_LISTS.get(enablePreview);
  if (cached) return cached;
  const built = buildProcessList(enablePreview);
  PROCESS_LISTS.set(enablePreview, built);
  return built;
}

function buildProcessList(enablePreview: boolean): ProcessItem[] {
  const latin = `a-zA-Z${enablePreview ? RE_FR : ''}${enablePreview ? RE_VI : ''}`;
  return [
    item('$1', '(<([a-zA-Z|\\-]*)>([^\\n]*?)<\\/*[a-zA-Z|\\-]*>)', 'symbol'),
    item('$6', tagBase('\uac00-\ud7a3'), 'korean'),
    item('$8', tagBase('\u0e00-\u0e7f'), 'thai'),
    item('$7', tagBase('А-Яа-яЁё'), 'russian'),
    item('00', `([^${W}]*[${D}]+[^${W}]+[${D}]*[^${W}]*[${D}]*)`, 'number'),
    item('$5', tagBase(latin), 'english'),
    item('$3', '(["\'])([^\\n]*?)(\\1)', 'quotes'),
    item('$4', `(\\n*[【《（(“‘])([^【《（(“‘’”)）》】]{3,})([’”)）》】][^${W}]*\\n?)`, 'quotes'),
  ];
}

// ---------------------------------------------------------------------------------------------------
// LangSSML: the Chinese readings of `<number>`, `<telephone>`, `<currency>`, `<date>` tags

const ZH_DIGITS: Record<string, string> = {
  '0': '零', '1': '一', '2': '二', '3': '三', '4': '四', '5': '五', '6': '六', '7': '七', '8': '八', '9': '九',
};
const ZH_UNITS: [number, string][] = [[8, '亿'], [4, '万'], [3, '千'], [2, '百'], [1, '十']];
const DIGIT_RUN_SPLIT = new RegExp(`([${D}]+)`, 'u');
const STARTS_WITH_DIGIT = new RegExp(`^[${D}]`, 'u');

function zhDigit(digit: string): string {
  const value = ZH_DIGITS[digit];
  if (value === undefined) throw new LangSegmentError(`KeyError: ${JSON.stringify(digit)}`);
  return value;
}

function lstripZeros(text: string): string {
  return text.replace(/^0+/, '');
}

function zhValue(value: string[], useZero = true): string[] {
  const stripped = lstripZeros(value.join(''));
  const strippedLength = pyLen(stripped);
  if (strippedLength === 0) return [];
  if (strippedLength === 1) {
    if (useZero && strippedLength < value.length) return [zhDigit('0'), zhDigit(stripped)];
    return [zhDigit(stripped)];
  }
  const unit = ZH_UNITS.find(([power]) => power < strippedLength);
  if (!unit) throw new LangSegmentError('StopIteration');
  const [power, name] = unit;
  const first = value.slice(0, Math.max(0, value.length - power));
  const second = value.slice(Math.max(0, value.length - power));
  return [...zhValue(first), name, ...zhValue(second)];
}

function verbalizeCardinal(value: string): string {
  if (!value) return '';
  const stripped = lstripZeros(value);
  if (stripped.length === 0) return zhDigit('0');
  const symbols = zhValue([...stripped]);
  if (symbols.length >= 2 && symbols[0] === zhDigit('1') && symbols[1] === '十') return symbols.slice(1).join('');
  return symbols.join('');
}

/** `utils/num.py::num2str`: a digit string read as a Chinese cardinal (with `点` decimals). */
export function num2str(value: string): string {
  const parts = value.split('.');
  if (parts.length > 2) throw new LangSegmentError(`ValueError: ${value} has more than one point`);
  const [integer = '', decimal = ''] = parts;
  let result = verbalizeCardinal(integer);
  const kept = decimal.replace(/0+$/, '');
  if (kept) {
    result = result || '零';
    result += '点' + [...kept].map(zhDigit).join('');
  }
  return result;
}

function mapDigitRuns(text: string, run: (digits: string) => string): string {
  return text.split(DIGIT_RUN_SPLIT).map((piece) => (STARTS_WITH_DIGIT.test(piece) ? run(piece) : piece)).join('');
}

function toChineseNumber(text: string): string {
  return mapDigitRuns(text, (digits) => [...digits].map((d) => ZH_DIGITS[d] ?? '').join('')).replaceAll('.', '点');
}

function toChineseTelephone(text: string): string {
  return toChineseNumber(text.replaceAll('+86', '')).replaceAll('一', '幺');
}

function toChineseCurrency(text: string): string {
  return mapDigitRuns(text, num2str).replaceAll('.', '点');
}

function nonZero(value: string, suffix: string, read: (text: string) => string): string {
  const read_ = read(value);
  return read_ !== '' && read_ !== '0' ? `${read_}${suffix}` : '';
}

function toChineseDate(input: string): string {
  if (pyStrip(input) === '') return '';
  const text = input.replace(/[/._|年月]/gu, '-').replaceAll('日', '');
  let dateParts = text.split(' ');
  let timeText: string;
  if (dateParts.length === 1 && (dateParts[0] ?? '').includes(':')) {
    timeText = dateParts[0] ?? '';
    dateParts = [];
  } else {
    timeText = dateParts.length >= 2 ? (dateParts[1] ?? '') : '';
  }
  let yearMonthDay = '';
  if (dateParts.length > 0) {
    let year = '';
    let month = '';
    let day = '';
    const parts = (dateParts[0] ?? '').split('-');
    const p0 = parts[0] ?? '';
    if (parts.length === 3) [year, month, day] = parts as [string, string, string];
    else if (parts.length === 2) {
      if (pyLen(p0) === 4) [year, month] = parts as [string, string];
      else [month, day] = parts as [string, string];
    } else if (pyLen(p0) > 0) {
      if (pyLen(p0) === 4) year = p0;
      else day = p0;
    }
    yearMonthDay = `${nonZero(year, '年', toChineseNumber)}${nonZero(month, '月', toChineseCurrency)}${nonZero(day, '日', toChineseCurrency)}`
      .replace(/([年|月日])+/gu, '$1');
  }
  const timeParts = timeText.replace(/[/.\-：_]/gu, ':').split(':');
  let hours = '';
  let minutes = '';
  let seconds = '';
  if (timeParts.length === 3) [hours, minutes, seconds] = timeParts as [string, string, string];
  else if (timeParts.length === 2) [hours, minutes] = timeParts as [string, string];
  else if (pyLen(timeParts[0] ?? '') > 0) hours = `${timeParts[0] ?? ''}点`;
  if (timeParts.length > 1) {
    hours = nonZero(hours, '点', toChineseCurrency);
    minutes = nonZero(minutes, '分', toChineseCurrency);
    seconds = nonZero(seconds, '秒', toChineseCurrency);
  }
  return `${yearMonthDay}${`${hours}${minutes}${seconds}`.replace(/([点|分秒])+/gu, '$1')}`;
}

// ---------------------------------------------------------------------------------------------------
// The segmenter

type SymbolTag = null | true | string;

interface Word {
  lang: string;
  text: string;
  score: number;
  symbol: SymbolTag;
}

interface CacheEntry {
  process: ProcessName;
  groups: string[];
}

function isWordChar(ch: string): boolean {
  return WORD_CHAR.test(ch);
}

/** `_insert_english_uppercase`: a space before each ASCII capital that follows a word character, `-` stripped, a trailing space. */
export function insertEnglishUppercase(word: string): string {
  let out = '';
  let prev: string | null = null;
  for (const ch of word) {
    if (prev !== null && ASCII_UPPER.test(ch) && isWordChar(prev)) out += ' ';
    out += ch;
    prev = ch;
  }
  return stripChars(out, '-') + ' ';
}

/** `_cleans_text`: every non-word run becomes one space, repeated characters collapse, then strip. */
export function cleansText(text: string): string {
  return pyStrip(text.replace(CLEAN_NONWORD_G, (_m, head: string) => `${head} `).replace(REPEATS_G, '$1'));
}

function splitCamelCase(word: string): string {
  let out = '';
  let first = true;
  for (const ch of word) {
    if (!first && ASCII_UPPER.test(ch)) out += ' ';
    out += ch;
    first = false;
  }
  return out;
}

function isChinese(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x4e00 && cp <= 0x9fff) return true;
  }
  return false;
}

function allHan(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x4e00 || cp > 0x9fff) return false;
  }
  return true;
}

function clearTextNumber(text: string): [string, boolean] {
  if (text === '\n') return [text, false];
  const clear = pyStrip(text.replace(NEWLINES_G, '').replace(PUNCT_G, ''));
  return [clear, pyLen(clear.replace(DIGITS_G, '')) === 0];
}

/** The chunks `re.findall(r".*\n*", text)` yields, without its empty matches. */
function pyLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    while (text[end] === '\n') end++;
    lines.push(text.slice(start, end));
    start = end;
  }
  return lines;
}

/**
 * The segmenter, configured like ACE-Step's pipeline (`setfilters(language_filters.default)`), over a
 * py3langid classifier. Use one instance per lyric sequence, like upstream's pipeline.
 */
export class LangSegment {
  readonly filters: readonly string[];
  /** zh/ja priority threshold (`LangPriorityThreshold`). */
  readonly priorityThreshold = 0.89;
  private enablePreview = false;
  private textCache: Map<string, CacheEntry> | null = null;
  private textLasts: string | null = null;
  private textLangs: LangSegmentWord[] | null = null;
  private textWaits: Word[] | null = null;
  private langCount: Map<string, number> | [string, number][] | null = null;
  private langEos: boolean | null = null;

  constructor(private readonly classifier: LanguageClassifier, filters: readonly string[] = DEFAULT_FILTERS) {
    this.filters = [...filters];
  }

  private clears(): void {
    this.textCache = null;
    this.textLasts = null;
    this.textLangs = null;
    this.textWaits = null;
    this.langCount = null;
    this.langEos = null;
  }

  private filtersString(): string {
    return pyStrip(this.filters.join('-').toLowerCase());
  }

  private statistics(language: string, text: string): void {
    if (!(this.langCount instanceof Map)) this.langCount = new Map();
    if (!language.includes('|')) {
      const n = language === 'zh' ? pyLen(text) * 2 : pyLen(text);
      this.langCount.set(language, (this.langCount.get(language) ?? 0) + n);
    }
  }

  private langClassify(text: string): [string, number] {
    const { language, score } = this.classifier.classify(text);
    return [language, Number(score.toFixed(3))];
  }

  private saveData(words: Word[], languageIn: string, textIn: string, score: number, symbol: SymbolTag): Word {
    let language = languageIn;
    let text = textIn;
    const [clearText, isNumber] = clearTextNumber(text);
    const preData = words.length > 0 ? words[words.length - 1] : undefined;
    if (symbol !== null) {
      // a tagged segment is never merged
    } else if (preData !== undefined && preData.symbol === null) {
      if (clearText.length === 0) language = preData.lang;
      else if (isNumber) language = preData.lang;
      const [, preIsNumber] = clearTextNumber(preData.text);
      if (preData.lang === language) {
        this.statistics(preData.lang, text);
        preData.text = preData.text + text;
        return preData;
      } else if (preIsNumber) {
        text = `${preData.text}${text}`;
        words.pop();
      }
    } else if (isNumber) {
      const priority = this.filtersString().slice(0, 2);
      if ('ja-zh-en-ko-fr-vi'.includes(priority)) language = priority;
    }
    const data: Word = { lang: language, text, score, symbol };
    const filters = this.filters;
    const first = filters[0] ?? '';
    if (
      filters.length === 0
      || language.includes('?')
      || filters.includes(language)
      || first.includes(language)
      || first === '*'
      || 'alls-mixs-autos'.includes(first)
    ) {
      words.push(data);
      this.statistics(data.lang, data.text);
    }
    return data;
  }

  private addWords(words: Word[], languageIn: string | null, textIn: string, score: number, symbol: SymbolTag = null): boolean {
    let text = textIn;
    if (text === '\n') {
      // line breaks are kept
    } else if (pyStrip(text).length === 0) {
      return true;
    }
    let language = (languageIn ?? '').toLowerCase();
    if (language === 'en') text = insertEnglishUppercase(text);
    const waits = this.textWaits;
    if (waits === null) throw new LangSegmentError("TypeError: object of type 'NoneType' has no len()");
    const isPreWaits = waits.length > 0;
    let preResult: Word | undefined = isPreWaits ? waits.pop() : undefined;
    if (preResult === undefined) preResult = words.length > 0 ? words[words.length - 1] : undefined;
    if (preResult !== undefined && preResult.lang.includes('|')) {
      const preLang = preResult.lang;
      if (preLang.includes(language)) {
        language = language.split('|')[0] ?? '';
        preResult.lang = language;
      } else {
        preResult.lang = preLang.split('|')[0] ?? '';
      }
      if (isPreWaits) preResult = this.saveData(words, preResult.lang, preResult.text, preResult.score, preResult.symbol);
    }
    const preLang = preResult !== undefined ? preResult.lang : null;
    if (language.includes('|') && preLang && !language.includes(preLang) && !language.includes('…')) {
      language = language.split('|')[0] ?? '';
    }
    if (language.includes('|')) waits.push({ lang: language, text, score, symbol });
    else this.saveData(words, language, text, score, symbol);
    return false;
  }

  private matchEnding(input: string, index: number): [boolean, string | null] {
    if (input.length === 0) return [false, null];
    const squeezed = [...input.replace(SPACES_G, '')];
    if (squeezed.length === 0 || Math.abs(index) > squeezed.length) return [false, null];
    const ch = squeezed.at(index) ?? '';
    return [ENDING.test(ch), ch];
  }

  private meanProcessing(text: string): [string | null, number] {
    if (pyStrip(text) === '') return [null, 0];
    const counter = new Map<string, number>();
    for (const piece of splitCamelCase(text).split(' ')) {
      if (pyLen(pyStrip(piece)) <= 3) continue;
      const { language } = this.classifier.classify(piece);
      counter.set(language, (counter.get(language) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestCount = 0;
    for (const [language, count] of counter) {
      if (count > bestCount) {
        best = language;
        bestCount = count;
      }
    }
    return best === null ? [null, 0] : [best, 1];
  }

  private restoreNumber(value: string): string {
    const entry = this.textCache?.get(value);
    if (entry === undefined) return value;
    if (entry.groups.length !== 1) throw new LangSegmentError('TypeError: expected str instance, tuple found');
    return entry.groups[0] ?? '';
  }

  private parseLanguage(words: Word[], segment: string): void {
    const lines = segment.split(PUNCT_SPLIT);
    const linesMax = lines.length;
    const langEos = this.langEos;
    for (let index = 0; index < lines.length; index++) {
      const text = lines[index] ?? '';
      if (text.length === 0) continue;
      const eos = index >= linesMax - 1;
      const nextId = index + 1;
      const nextText = !eos ? (lines[nextId] ?? '') : '';
      const nextPunc = pyStrip(nextText.replace(NEWLINES_G, '').replace(PUNCT_G, '')).length === 0;
      const textPunc = pyStrip(text.replace(NEWLINES_G, '').replace(PUNCT_G, '')).length === 0;
      if (!eos && (textPunc || nextPunc)) {
        lines[nextId] = `${text}${nextText}`;
        continue;
      }
      const cleans = cleansText(text.replace(NUMBER_TAGS_G, '').replace(DIGITS_G, ''));
      const cleansLength = pyLen(cleans);
      if (!eos && cleansLength <= 2) {
        lines[nextId] = `${text}${nextText}`;
        continue;
      }
      let [language, score] = this.langClassify(cleans);
      const prevLanguage = words.length > 0 ? (words[words.length - 1]?.lang ?? null) : null;
      if (language !== 'zh' && allHan(cleans.replace(ONE_SPACE_G, ''))) {
        language = 'zh';
        score = 1;
      }
      if (cleansLength <= 5 && isChinese(cleans)) {
        const filtersString = this.filtersString();
        if (score < this.priorityThreshold && filtersString.length > 0) {
          const indexJa = filtersString.indexOf('ja');
          const indexZh = filtersString.indexOf('zh');
          if (indexJa !== -1 && indexJa < indexZh) language = 'ja';
          else if (indexZh !== -1 && indexZh < indexJa) language = 'zh';
        }
        if (KANA.test(cleans)) {
          language = 'ja';
        } else if (cleansLength > 2 && score > 0.9) {
          // confident enough
        } else if (eos && langEos) {
          language = cleansLength <= 1 ? 'zh' : language;
        } else {
          const unknown = language === 'zh' || (cleansLength <= 2 && prevLanguage === 'zh') ? 'zh|ja' : 'ja|zh';
          const [, matchChar] = this.matchEnding(text, -1);
          const referen = prevLanguage ? unknown.includes(prevLanguage) || prevLanguage.includes(unknown) : false;
          if (matchChar === null) throw new LangSegmentError("TypeError: 'in <string>' requires string as left operand, not NoneType");
          if ('。.'.includes(matchChar)) language = referen && words.length > 0 && prevLanguage !== null ? prevLanguage : language;
          else language = `${unknown}|…`;
        }
      }
      const restored = text.replace(NUMBER_TAGS_G, (m) => this.restoreNumber(m));
      this.addWords(words, language, restored, score);
    }
  }

  private processSymbol(words: Word[], groups: string[]): void {
    const language = groups[1] ?? '';
    const text = groups[2] ?? '';
    if (!this.filtersString().includes(language)) this.processSymbolSsml(words, groups);
    else this.addWords(words, language, text, 1.0, true);
  }

  private processSymbolSsml(words: Word[], groups: string[]): void {
    const ssml = groups[1] ?? '';
    let language = ssml;
    let text = groups[2] ?? '';
    if (ssml === 'telephone') {
      language = 'zh';
      text = toChineseTelephone(text);
    } else if (ssml === 'number') {
      language = 'zh';
      text = toChineseNumber(text);
    } else if (ssml === 'currency') {
      language = 'zh';
      text = toChineseCurrency(text);
    } else if (ssml === 'date') {
      language = 'zh';
      text = toChineseDate(text);
    }
    this.addWords(words, language, text, 1.0, ssml);
  }

  private processEnglish(words: Word[], groups: string[]): void {
    const whole = groups[0] ?? '';
    const filters = this.filtersString();
    const priority = filters.slice(0, 2);
    if (!this.enablePreview) {
      this.addWords(words, 'en', whole, 1.0);
      return;
    }
    for (const text of whole.split(ENGLISH_SENTENCES)) {
      if (pyStrip(text).length === 0) continue;
      const cleans = cleansText(text);
      const classified = this.langClassify(cleans);
      let language: string | null = classified[0];
      let score = classified[1];
      if (!filters.includes(classified[0])) [language, score] = this.meanProcessing(cleans);
      if (language === null || score <= 0) continue;
      else if (filters.includes(language)) {
        // kept as classified
      } else if (score >= 0.95) continue;
      else if (score <= 0.15 && filters.slice(0, 2) === 'fr') language = priority;
      else language = 'en';
      this.addWords(words, language, text, score);
    }
  }

  private processQuotes(words: Word[], groups: string[]): void {
    const text = groups.join('');
    if (findall(PARSE_TAG_G, text).length > 0) {
      this.processTags(words, text, false);
      return;
    }
    const cleans = cleansText(groups[1] ?? '');
    if (pyLen(cleans) <= 5) {
      this.parseLanguage(words, text);
    } else {
      const [language, score] = this.langClassify(cleans);
      this.addWords(words, language, text, score);
    }
  }

  private dispatch(words: Word[], entry: CacheEntry): void {
    const { groups } = entry;
    switch (entry.process) {
      case 'symbol': this.processSymbol(words, groups); break;
      case 'korean': this.addWords(words, 'ko', groups[0] ?? '', 1.0); break;
      case 'thai': this.addWords(words, 'th', groups[0] ?? '', 1.0); break;
      case 'russian': this.addWords(words, 'ru', groups[0] ?? '', 1.0); break;
      case 'number': this.addWords(words, words.length > 0 ? (words[0]?.lang ?? 'zh') : 'zh', groups[0] ?? '', 0.0); break;
      case 'english': this.processEnglish(words, groups); break;
      case 'quotes': this.processQuotes(words, groups); break;
    }
  }

  private processTags(words: Word[], text: string, root: boolean): Word[] {
    const segments = text.split(PARSE_TAG_SPLIT);
    const last = segments.length - 1;
    segments.forEach((segment, index) => {
      if (root) this.langEos = index >= last;
      if (PARSE_TAG_AT_START.test(segment)) {
        const entry = this.textCache?.get(segment);
        if (entry === undefined) throw new LangSegmentError(`KeyError: ${JSON.stringify(segment)}`);
        this.dispatch(words, entry);
      } else {
        this.parseLanguage(words, segment);
      }
    });
    return words;
  }

  private patternSymbols(item: ProcessItem, input: string): string {
    let text = input;
    const matches = findall(item.all, text);
    if (matches.length === 1 && (matches[0] ?? []).join('') === text) return text;
    matches.forEach((groups, i) => {
      const key = `⑥${item.tag}${String(i).padStart(6, '0')}⑥`;
      text = text.replace(item.once, () => key);
      this.textCache?.set(key, { process: item.process, groups });
    });
    return text;
  }

  private parseSymbols(input: string): LangSegmentWord[] {
    if (this.filters.includes('fr') || this.filters.includes('vi')) this.enablePreview = true;
    const items = processList(this.enablePreview);
    const words: Word[] = [];
    for (const line of pyLines(input.replace(PARSE_TAG_G, ''))) {
      if (pyStrip(line).length === 0) continue;
      this.langEos = false;
      this.textCache = new Map();
      let text = line;
      for (const entry of items) text = this.patternSymbols(entry, text);
      const current = this.processTags([], text, true);
      // Upstream would glue this line's first word to the previous line's when `symbol == False`, a value
      // `symbol` never takes (it is None, True or a tag name), so lines are simply appended.
      words.push(...current);
    }
    const merged: Word[] = [];
    for (const word of words) {
      const previous = merged[merged.length - 1];
      if (previous !== undefined && previous.lang === word.lang) previous.text = `${previous.text}${word.text}`;
      else merged.push(word);
    }
    if (this.langCount instanceof Map && this.langCount.size > 0) {
      this.langCount = [...this.langCount.entries()].sort((a, b) => b[1] - a[1]);
    }
    return merged.map(({ lang, text, score }) => ({ lang, text, score }));
  }

  /**
   * `getTexts`: the line's segments. Throws {@link LangSegmentError} where upstream raises, leaving the
   * instance in the state upstream leaves it in.
   */
  getTexts(text: string): readonly LangSegmentWord[] {
    if (pyStrip(text).length === 0) {
      this.clears();
      return [];
    }
    if (this.textLasts === text && this.textLangs !== null) return this.textLangs;
    this.textWaits = [];
    this.langCount = null;
    this.textLasts = text;
    const words = this.parseSymbols(text);
    this.textLangs = words;
    return words;
  }

  /**
   * `getCounts`: `[language, characters]` sorted by count (stable), `zh` counted double; `[["zh", 0]]`
   * when nothing was found. Throws where upstream's caller would fail on the result (counts that were
   * never sorted: an empty tally, or the tally of a parse that raised).
   */
  getCounts(): [string, number][] {
    const counts = this.langCount;
    if (counts instanceof Map) throw new LangSegmentError('TypeError: the language tally was never sorted (nothing counted)');
    if (counts !== null) return counts.map(([language, n]) => [language, n]);
    const langs = this.textLangs;
    if (langs === null || langs.length === 0) return [['zh', 0]];
    const tally = new Map<string, number>();
    for (const { lang, text } of langs) tally.set(lang, (tally.get(lang) ?? 0) + (lang === 'zh' ? pyLen(text) * 2 : pyLen(text)));
    const sorted = [...tally.entries()].sort((a, b) => b[1] - a[1]);
    this.langCount = sorted;
    return sorted.map(([language, n]) => [language, n]);
  }
}
