/**
 * Chinese number normalisation as upstream runs it (`zh_num2words.TextNorm()` with default options, spec §14
 * items 4–5): dates, money, phone numbers, fractions, percentages, numbers before a measure word, long digit
 * strings and plain numbers become hanzi, then every Chinese and ASCII punctuation mark becomes `,`.
 *
 * Upstream's quirks are kept: each stage collects its matches first and then replaces the *first occurrence
 * of the matched text anywhere in the line* (Python `str.replace(old, new, 1)`), years are read digit by digit
 * (`2019年` → 二零一九年), 2 before a unit other than 十 reads 两, a leading 一十 drops its 一, and Python's `\d`
 * accepts any script's decimal digits.
 */
import { digitValue } from './pyre.js';

const DIGITS = '零一二三四五六七八九';
const POINT = '点';
/** Units of the "mid" numbering system: 十 百 千 万, then 亿 = 10^8, 兆 = 10^12, … (each ×10^4). */
const UNITS: ReadonlyArray<readonly [number, string]> = [
  [1, '十'], [2, '百'], [3, '千'], [4, '万'],
  ...[...'亿兆京垓秭穰沟涧正载'].map((ch, i) => [(i + 2) * 4, ch] as const),
];

type Sym = { kind: 'digit'; value: number } | { kind: 'unit'; power: number; text: string } | { kind: 'point' };

function digitSym(value: number): Sym {
  return { kind: 'digit', value };
}

/** `get_value`: the symbols of an integer string, recursively split at the largest unit that fits. */
function valueSymbols(value: string, useZeros = true): Sym[] {
  const stripped = value.replace(/^0+/u, '');
  const chars = [...stripped];
  if (chars.length === 0) return [];
  if (chars.length === 1) {
    const d = digitSym(digitValue(chars[0] as string));
    return useZeros && [...value].length !== chars.length ? [digitSym(0), d] : [d];
  }
  let unit: readonly [number, string] | undefined;
  for (let i = UNITS.length - 1; i >= 0; i--) {
    const u = UNITS[i] as readonly [number, string];
    if (u[0] < chars.length) {
      unit = u;
      break;
    }
  }
  if (unit === undefined) throw new Error('no unit');
  const valueChars = [...value];
  const head = valueChars.slice(0, valueChars.length - unit[0]).join('');
  const tail = chars.slice(chars.length - unit[0]).join('');
  return [...valueSymbols(head), { kind: 'unit', power: unit[0], text: unit[1] }, ...valueSymbols(tail)];
}

/** `num2chn(number_string, alt_two=…, use_units=…)` with upstream's defaults otherwise. */
export function num2chn(numberString: string, opts: { altTwo?: boolean; useUnits?: boolean } = {}): string {
  const altTwo = opts.altTwo ?? true;
  const useUnits = opts.useUnits ?? true;
  const parts = numberString.split('.');
  if (parts.length > 2) throw new Error(`invalid input num string with more than one dot: ${numberString}`);
  const intString = parts[0] as string;
  const decString = parts[1] ?? '';
  let symbols: Sym[] = useUnits && [...intString].length > 1
    ? valueSymbols(intString)
    : [...intString].map((c) => digitSym(digitValue(c)));
  if (decString) symbols = [...symbols, { kind: 'point' }, ...[...decString].map((c) => digitSym(digitValue(c)))];
  const liang = new Set<number>();
  if (altTwo) {
    symbols.forEach((s, i) => {
      if (s.kind !== 'digit' || s.value !== 2) return;
      const next = symbols[i + 1];
      const prev = i > 0 ? symbols[i - 1] : undefined;
      if (next?.kind === 'unit' && (prev === undefined || prev.kind === 'unit')) {
        if (next.power !== 1 && (prev === undefined || prev.power !== 1)) liang.add(i);
      }
    });
  }
  let result = symbols.map((s, i) => {
    if (s.kind === 'digit') return liang.has(i) ? '两' : (DIGITS[s.value] as string);
    if (s.kind === 'unit') return s.text;
    return POINT;
  }).join('');
  if (result.startsWith(POINT)) return DIGITS[0] + result;
  const chars = [...result];
  if (chars.length >= 2 && chars[1] === '十' && chars[0] === '一') result = chars.slice(1).join('');
  return result;
}

const cardinal = (s: string): string => num2chn(s);
const digitString = (s: string): string => num2chn(s, { altTwo: false, useUnits: false });

function date2chntext(date: string): string {
  const trimmed = date.trim();
  let year = '';
  let other: string;
  const y = trimmed.indexOf('年');
  if (y === -1) other = date;
  else {
    year = `${digitString(trimmed.slice(0, y))}年`;
    other = trimmed.slice(y + 1);
  }
  let month = '';
  let day = '';
  if (other) {
    const o = other.trim();
    const m = o.indexOf('月');
    if (m === -1) day = date;
    else {
      month = `${cardinal(o.slice(0, m))}月`;
      day = o.slice(m + 1);
    }
    if (day) {
      const dc = [...day];
      day = cardinal(dc.slice(0, -1).join('')) + (dc[dc.length - 1] as string);
    }
  }
  return year + month + day;
}

const D = String.raw`\p{Nd}`;
const ND = String.raw`[^\p{Nd}]`;
const CURRENCY_UNITS = '((亿|千万|百万|万|千|百)|(亿|千万|百万|万|千|百|)元|(亿|千万|百万|万|千|百|)块|角|毛|分)';
const COM_QUANTIFIERS = '(匹|张|座|回|场|尾|条|个|首|阙|阵|网|炮|顶|丘|棵|只|支|袭|辆|挑|担|颗|壳|窠|曲|墙|群|腔|' +
  '砣|座|客|贯|扎|捆|刀|令|打|手|罗|坡|山|岭|江|溪|钟|队|单|双|对|出|口|头|脚|板|跳|枝|件|贴|' +
  '针|线|管|名|位|身|堂|课|本|页|家|户|层|丝|毫|厘|分|钱|两|斤|担|铢|石|钧|锱|忽|(千|毫|微)克|' +
  '毫|厘|分|寸|尺|丈|里|寻|常|铺|程|(千|分|厘|毫|微)米|撮|勺|合|升|斗|石|盘|碗|碟|叠|桶|笼|盆|' +
  '盒|杯|钟|斛|锅|簋|篮|盘|桶|罐|瓶|壶|卮|盏|箩|箱|煲|啖|袋|钵|年|月|日|季|刻|时|周|天|秒|分|旬|' +
  '纪|岁|世|更|夜|春|夏|秋|冬|代|伏|辈|丸|泡|粒|颗|幢|堆|条|根|支|道|面|片|张|颗|块)';

const DATE_RE = new RegExp(`${ND}+((([089]${D}|(19|20)${D}{2})年)?(${D}{1,2}月(${D}{1,2}[日号])?)?)`, 'gu');
const MONEY_RE = new RegExp(`${ND}+((${D}+(\\.${D}+)?)[多余几]?${CURRENCY_UNITS}(${D}${CURRENCY_UNITS}?)?)`, 'gu');
const MOBILE_RE = new RegExp(`${ND}((\\+?86 ?)?1([38]${D}|5[0-35-9]|7[678]|9[89])${D}{8})${ND}`, 'gu');
const FIXED_RE = new RegExp(`${ND}((0(10|2[1-3]|[3-9]${D}{2})-?)?[1-9]${D}{6,7})${ND}`, 'gu');
const FRACTION_RE = new RegExp(`(${D}+/${D}+)`, 'gu');
const PERCENT_RE = new RegExp(`(${D}+(\\.${D}+)?%)`, 'gu');
const QUANTIFIER_RE = new RegExp(`(${D}+(\\.${D}+)?)[多余几]?${COM_QUANTIFIERS}`, 'gu');
const DIGITS_RE = new RegExp(`(${D}{4,32})`, 'gu');
const NUMBER_RE = new RegExp(`(${D}+(\\.${D}+)?)`, 'gu');
const PARTICULAR_RE = /(([a-zA-Z]+)二([a-zA-Z]+))/gu;
const MONEY_NUMBER_RE = new RegExp(`(${D}+(\\.${D}+)?)`, 'gu');

/** Python `str.replace(old, new, 1)`. */
function replaceFirst(text: string, old: string, replacement: string): string {
  const at = text.indexOf(old);
  return at === -1 ? text : text.slice(0, at) + replacement + text.slice(at + old.length);
}

/** One stage: collect group 1 of every match on the stage's input, then replace each first occurrence. */
function stage(text: string, re: RegExp, convert: (m: RegExpExecArray) => [string, string]): string {
  const matches = [...text.matchAll(re)];
  let out = text;
  for (const m of matches) {
    const [old, replacement] = convert(m);
    out = replaceFirst(out, old, replacement);
  }
  return out;
}

function money2chntext(money: string): string {
  let out = money;
  for (const m of money.matchAll(MONEY_NUMBER_RE)) out = out.split(m[1] as string).join(cardinal(m[1] as string));
  return out;
}

function telephone2chntext(phone: string, fixed: boolean): string {
  if (fixed) return phone.split('-').map(digitString).join('');
  return phone.replace(/^\++|\++$/gu, '').split(/\s+/u).filter((p) => p !== '').map(digitString).join('');
}

/** `normalize_nsw`: non-standard words (numbers) to hanzi. */
export function normalizeNsw(raw: string): string {
  let text = `^${raw}$`;
  text = stage(text, DATE_RE, (m) => {
    const g = m[1] as string;
    return [g, g === '' ? '' : date2chntext(g)];
  });
  text = stage(text, MONEY_RE, (m) => [m[1] as string, money2chntext(m[1] as string)]);
  text = stage(text, MOBILE_RE, (m) => [m[1] as string, telephone2chntext(m[1] as string, false)]);
  text = stage(text, FIXED_RE, (m) => [m[1] as string, telephone2chntext(m[1] as string, true)]);
  text = stage(text, FRACTION_RE, (m) => {
    const [num, den] = (m[1] as string).split('/') as [string, string];
    return [m[1] as string, `${cardinal(den)}分之${cardinal(num)}`];
  });
  text = text.replaceAll('％', '%');
  text = stage(text, PERCENT_RE, (m) => [m[1] as string, `百分之${cardinal((m[1] as string).trim().replace(/^%+|%+$/gu, ''))}`]);
  text = stage(text, QUANTIFIER_RE, (m) => [m[1] as string, cardinal(m[1] as string)]);
  text = stage(text, DIGITS_RE, (m) => [m[1] as string, digitString(m[1] as string)]);
  text = stage(text, NUMBER_RE, (m) => [m[1] as string, cardinal(m[1] as string)]);
  text = stage(text, PARTICULAR_RE, (m) => [m[1] as string, `${m[2] as string}2${m[3] as string}`]);
  return text.replace(/^\^+/u, '').replace(/\$+$/u, '');
}

const CN_PUNCS = '！？｡。＂＃＄％＆＇（）＊＋，－／：；＜＝＞＠［＼］＾＿｀｛｜｝～｟｠｢｣､、〃《》「」『』【】〔〕〖〗〘〙〚〛〜〝〞〟〰〾〿–—‘’‛“”„‟…‧﹏·〈〉-';
const ASCII_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const PUNCS = new Set([...CN_PUNCS, ...ASCII_PUNCTUATION]);

/** Upstream's `TextNorm()(text)`: numbers to hanzi, then every punctuation mark to `,`. */
export function chineseTextNorm(text: string): string {
  return [...normalizeNsw(text)].map((ch) => (PUNCS.has(ch) ? ',' : ch)).join('');
}
