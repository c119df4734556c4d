/**
 * Number words as upstream's lyric normaliser gets them from Python's num2words 0.5.14 (spec §14 item 4).
 *
 * Cardinals come from n2words where it agrees with num2words (de, fr, pl, ru, hu, ko, and es/nl/pt/ar after
 * small spelling patches); English, Turkish and Italian follow num2words' own composition rules (English
 * "one hundred and one" with a comma after thousands, Turkish written as one word, Italian vowel elision and
 * the "tré" accent rule), because n2words spells them differently. Ordinals, decimals and currencies follow
 * num2words' observable output for each language. Czech raises {@link Num2WordsUnsupported} in faithful mode:
 * upstream asks num2words for `cz`, which 0.5.14 does not know, and the whole number step is then skipped.
 *
 * Everything here works on bigint so that long digit runs behave as Python's unbounded `int`.
 */
import * as ar from 'n2words/ar-SA';
import * as cs from 'n2words/cs-CZ';
import * as de from 'n2words/de-DE';
import * as es from 'n2words/es-ES';
import * as fr from 'n2words/fr-FR';
import * as hu from 'n2words/hu-HU';
import * as ko from 'n2words/ko-KR';
import * as nl from 'n2words/nl-NL';
import * as pl from 'n2words/pl-PL';
import * as pt from 'n2words/pt-PT';
import * as ru from 'n2words/ru-RU';

/** Languages whose text goes through upstream's `expand_numbers_multilingual` (all but zh, ja, hi). */
export type NumberLanguage = 'ar' | 'cs' | 'de' | 'en' | 'es' | 'fr' | 'hu' | 'it' | 'ko' | 'nl' | 'pl' | 'pt' | 'ru' | 'tr';

/** The currencies upstream's currency patterns recognise. */
export type CurrencyCode = 'USD' | 'GBP' | 'EUR';

/** Raised where num2words 0.5.14 raises (unknown language, currency not implemented, …). */
export class Num2WordsUnsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Num2WordsUnsupported';
  }
}

/** Options shared by every entry point. */
export interface Num2WordsOptions {
  /** Expand Czech numbers (acejam's fixed mode); faithful mode leaves them alone, as upstream does. */
  czech?: boolean;
}

const assertNever = (x: never): never => {
  throw new Num2WordsUnsupported(`language ${String(x)}`);
};

function czechGuard(opts: Num2WordsOptions | undefined): void {
  if (!opts?.czech) throw new Num2WordsUnsupported('num2words has no language "cz" (upstream passes cz for Czech)');
}

// ---------------------------------------------------------------------------------------------- English

const EN_SMALL = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const EN_SCALES = ['thousand', 'million', 'billion', 'trillion', 'quadrillion', 'quintillion', 'sextillion', 'septillion',
  'octillion', 'nonillion', 'decillion'];

function enCardinal(n: bigint): string {
  if (n < 20n) return EN_SMALL[Number(n)] as string;
  if (n < 100n) {
    const t = EN_TENS[Number(n / 10n)] as string;
    return n % 10n === 0n ? t : `${t}-${EN_SMALL[Number(n % 10n)] as string}`;
  }
  if (n < 1000n) {
    const head = `${EN_SMALL[Number(n / 100n)] as string} hundred`;
    return n % 100n === 0n ? head : `${head} and ${enCardinal(n % 100n)}`;
  }
  let scale = 1000n;
  let index = 0;
  while (n >= scale * 1000n) {
    scale *= 1000n;
    index++;
  }
  const name = EN_SCALES[index];
  if (name === undefined) throw new Num2WordsUnsupported('number too large for English');
  const head = `${enCardinal(n / scale)} ${name}`;
  const rest = n % scale;
  if (rest === 0n) return head;
  return rest < 100n ? `${head} and ${enCardinal(rest)}` : `${head}, ${enCardinal(rest)}`;
}

const EN_ORDINAL_WORDS: Record<string, string> = {
  one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth',
};

function enOrdinal(n: bigint): string {
  const words = enCardinal(n).split(' ');
  const last = words.pop() as string;
  const parts = last.split('-');
  const tail = parts.pop() as string;
  let ord = EN_ORDINAL_WORDS[tail];
  if (ord === undefined) ord = tail.endsWith('y') ? `${tail.slice(0, -1)}ieth` : `${tail}th`;
  parts.push(ord);
  words.push(parts.join('-'));
  return words.join(' ');
}

// ---------------------------------------------------------------------------------------------- Turkish

const TR_ONES = ['', 'bir', 'iki', 'üç', 'dört', 'beş', 'altı', 'yedi', 'sekiz', 'dokuz'];
const TR_TENS = ['', 'on', 'yirmi', 'otuz', 'kırk', 'elli', 'altmış', 'yetmiş', 'seksen', 'doksan'];
const TR_SCALES = ['', 'bin', 'milyon', 'milyar', 'trilyon', 'katrilyon', 'kentilyon'];

function trGroup(g: number): string {
  const h = Math.floor(g / 100);
  const rest = g % 100;
  return (h > 1 ? (TR_ONES[h] as string) : '') + (h >= 1 ? 'yüz' : '') + (TR_TENS[Math.floor(rest / 10)] as string) +
    (TR_ONES[rest % 10] as string);
}

function trCardinal(n: bigint): string {
  if (n === 0n) return 'sıfır';
  const groups: number[] = [];
  for (let v = n; v > 0n; v /= 1000n) groups.push(Number(v % 1000n));
  if (groups.length > TR_SCALES.length) throw new Num2WordsUnsupported('number too large for Turkish');
  let out = '';
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i] as number;
    if (g === 0) continue;
    if (i === 1 && g === 1) out += 'bin';
    else out += trGroup(g) + (TR_SCALES[i] as string);
  }
  return out;
}

const TR_HARMONY: Record<string, string> = { a: 'ı', ı: 'ı', e: 'i', i: 'i', o: 'u', u: 'u', ö: 'ü', ü: 'ü' };

function trOrdinal(n: bigint): string {
  let card = trCardinal(n);
  if (card.endsWith('dört')) card = `${card.slice(0, -1)}d`;
  const chars = [...card];
  let vowel = 'i';
  for (let i = chars.length - 1; i >= 0; i--) {
    const h = TR_HARMONY[chars[i] as string];
    if (h !== undefined) {
      vowel = h;
      break;
    }
  }
  const endsWithVowel = TR_HARMONY[chars[chars.length - 1] as string] !== undefined;
  return endsWithVowel ? `${card}nc${vowel}` : `${card}${vowel}nc${vowel}`;
}

// ---------------------------------------------------------------------------------------------- Italian

const IT_ZERO = 'zero';
const IT_CARDINALS = [IT_ZERO, 'uno', 'due', 'tre', 'quattro', 'cinque', 'sei', 'sette', 'otto', 'nove', 'dieci', 'undici',
  'dodici', 'tredici', 'quattordici', 'quindici', 'sedici', 'diciassette', 'diciotto', 'diciannove'];
const IT_ORDINALS = [IT_ZERO, 'primo', 'secondo', 'terzo', 'quarto', 'quinto', 'sesto', 'settimo', 'ottavo', 'nono', 'decimo',
  'undicesimo', 'dodicesimo', 'tredicesimo', 'quattordicesimo', 'quindicesimo', 'sedicesimo', 'diciassettesimo',
  'diciottesimo', 'diciannovesimo'];
const IT_TENS: Record<number, string> = { 2: 'venti', 3: 'trenta', 4: 'quaranta', 6: 'sessanta' };
const IT_EXPONENTS = [IT_ZERO, 'm', 'b', 'tr', 'quadr', 'quint', 'sest', 'sett', 'ott', 'nov', 'dec'];

/** Vowel elision at a compound joint ("ventiotto" → "ventotto"), applied to the whole word as num2words does. */
function itContract(s: string): string {
  return s.replaceAll('oo', 'o').replaceAll('ao', 'o').replaceAll('io', 'o').replaceAll('au', 'u').replaceAll('iu', 'u');
}

/** The final "tre" of a compound takes an accent; any other "tré" loses it. */
function itAccent(s: string): string {
  return s.split(/\s+/u).filter((w) => w !== '').map((w) =>
    w.endsWith('tre') && [...w].length > 3 ? `${w.replaceAll('tré', 'tre').slice(0, -3)}tré` : w.replaceAll('tré', 'tre'),
  ).join(' ');
}

const itOmitZero = (s: string): string => (s === IT_ZERO ? '' : s);

function itCardinal(n: bigint): string {
  let s: string;
  if (n < 20n) s = IT_CARDINALS[Number(n)] as string;
  else if (n < 100n) {
    const tens = Number(n / 10n);
    const prefix = IT_TENS[tens] ?? `${(IT_CARDINALS[tens] as string).slice(0, -1)}anta`;
    s = itContract(prefix + itOmitZero(IT_CARDINALS[Number(n % 10n)] as string));
  } else if (n < 1000n) {
    const h = Number(n / 100n);
    const prefix = h === 1 ? 'cento' : `${IT_CARDINALS[h] as string}cento`;
    s = itContract(prefix + itOmitZero(itCardinal(n % 100n)));
  } else if (n < 1000000n) {
    const th = n / 1000n;
    const prefix = th === 1n ? 'mille' : `${itCardinal(th)}mila`;
    s = prefix + itOmitZero(itCardinal(n % 1000n));
  } else {
    const digits = n.toString();
    if (digits.length >= 66) throw new Num2WordsUnsupported('number too large for Italian');
    const pre = digits.length % 3 || 3;
    const multiplier = digits.slice(0, pre);
    const exponent = digits.slice(pre);
    const expLen = exponent.length;
    let infix = (IT_EXPONENTS[Math.floor(expLen / 6)] as string) + (expLen % 6 === 0 ? 'ilione' : 'iliardo');
    let prefix: string;
    if (multiplier === '1') prefix = 'un ';
    else {
      prefix = itCardinal(BigInt(multiplier));
      infix = ` ${infix.slice(0, -1)}i`;
    }
    let postfix = '';
    if (/[^0]/u.test(exponent)) {
      postfix = itCardinal(BigInt(exponent));
      infix += postfix.includes(' e ') ? ', ' : ' e ';
    }
    s = prefix + infix + postfix;
  }
  return itAccent(s);
}

function itOrdinal(n: bigint): string {
  const tens = n % 100n;
  const outsideTeens = !(tens > 10n && tens < 20n);
  if (n < 20n) return IT_ORDINALS[Number(n)] as string;
  if (outsideTeens && tens % 10n === 3n) return `${itCardinal(n).slice(0, -1)}eesimo`;
  if (outsideTeens && tens % 10n === 6n) return `${itCardinal(n)}esimo`;
  let s = itCardinal(n).slice(0, -1);
  if (s.endsWith('mil')) s += 'l';
  return `${s}esimo`;
}

// ---------------------------------------------------------------------------------------------- Dutch

const NL_ORDINAL_ENDINGS: ReadonlyArray<readonly [string, string]> = [
  ['nul', 'nuld'], ['één', 'eerst'], ['twee', 'tweed'], ['drie', 'derd'], ['vier', 'vierd'], ['vijf', 'vijfd'], ['zes', 'zesd'],
  ['zeven', 'zevend'], ['acht', 'achtst'], ['negen', 'negend'], ['tien', 'tiend'], ['elf', 'elfd'], ['twaalf', 'twaalfd'],
  ['ig', 'igst'], ['erd', 'erdst'], ['end', 'endst'], ['joen', 'joenst'], ['rd', 'rdst'],
];

function nlCardinal(n: bigint): string {
  let s = nl.toCardinal(n, { accentOne: true, noHundredPairing: true });
  // num2words keeps the accented "één" at the end of a compound ("honderdéén"); n2words writes "een" there.
  if (n > 100n && n % 100n === 1n && s.endsWith('een')) s = `${s.slice(0, -3)}één`;
  // num2words writes one word up to the millions; "miljoen", "miljard", … stand apart, after "een" (not "één").
  const big = /^(?:miljoen|miljard|biljoen|biljard|triljoen|triljard)/u;
  s = s.replace(/ /gu, (m, offset: number, whole: string) =>
    big.test(whole.slice(offset + 1)) || /(?:joen|jard)$/u.test(whole.slice(0, offset)) ? m : '');
  return s.replace(/(^|\s)één (?=miljoen|miljard|biljoen|biljard|triljoen|triljard)/gu, '$1een ');
}

function nlOrdinal(n: bigint): string {
  let out = nlCardinal(n);
  for (const [card, ord] of NL_ORDINAL_ENDINGS) {
    if (out.endsWith(card)) {
      out = out.slice(0, out.length - card.length) + ord;
      break;
    }
  }
  return `${out}e`;
}

// ---------------------------------------------------------------------------------------------- Hungarian

const HU_ORDINAL_ENDINGS: ReadonlyArray<readonly [string, string]> = [
  ['nulla', 'nullad'], ['egy', 'egyed'], ['kettő', 'ketted'], ['három', 'harmad'], ['négy', 'negyed'], ['öt', 'ötöd'],
  ['hat', 'hatod'], ['hét', 'heted'], ['nyolc', 'nyolcad'], ['kilenc', 'kilenced'], ['tíz', 'tized'], ['húsz', 'huszad'],
  ['harminc', 'harmincad'], ['negyven', 'negyvened'], ['ötven', 'ötvened'], ['hatvan', 'hatvanad'], ['hetven', 'hetvened'],
  ['nyolcvan', 'nyolcvanad'], ['kilencven', 'kilencvened'], ['száz', 'század'], ['ezer', 'ezred'], ['illió', 'milliomod'],
  ['illiárd', 'milliárdod'],
];

function huOrdinal(n: bigint): string {
  if (n === 1n) return 'első';
  if (n === 2n) return 'második';
  let out = hu.toCardinal(n);
  for (const [card, ord] of HU_ORDINAL_ENDINGS) {
    if (out.endsWith(card)) {
      out = out.slice(0, out.length - card.length) + (card === 'illió' || card === 'illiárd' ? ord.slice(1) : ord);
      break;
    }
  }
  return `${out}ik`;
}

// ---------------------------------------------------------------------------------------------- Korean

const KO_NATIVE_ONES = ['', '한', '두', '세', '네', '다섯', '여섯', '일곱', '여덟', '아홉'];
const KO_NATIVE_TENS = ['', '열', '스물', '서른', '마흔', '쉰', '예순', '일흔', '여든', '아흔'];

function koOrdinal(n: bigint): string {
  if (n === 0n) throw new Num2WordsUnsupported('Korean ordinal of zero');
  if (n === 1n) return '첫 번째';
  const rest = Number(n % 100n);
  if (rest === 0 || n >= 1000n) throw new Num2WordsUnsupported('Korean ordinal num2words cannot spell');
  const native = (KO_NATIVE_TENS[Math.floor(rest / 10)] as string) + (KO_NATIVE_ONES[rest % 10] as string);
  return n < 100n ? `${native} 번째` : `${ko.toCardinal(n - BigInt(rest))} ${native} 번째`;
}

// ---------------------------------------------------------------------------------------------- Arabic

const AR_ORDINALS = ['', 'اول', 'ثاني', 'ثالث', 'رابع', 'خامس', 'سادس', 'سابع', 'ثامن', 'تاسع', 'عاشر'];

function arCardinal(n: bigint): string {
  // num2words spaces the conjunction ("واحد و عشرون") and ends a bare dual without its nūn ("مئتا").
  return ar.toCardinal(n).replace(/ و(?=\S)/gu, ' و ').replace(/(مئتا|ألفا|مليونا)ن$/u, '$1');
}

function arOrdinal(n: bigint): string {
  if (n >= 1n && n <= 10n) return AR_ORDINALS[Number(n)] as string;
  if (n === 11n) return 'حادي عشر';
  if (n > 11n && n < 20n) return `${AR_ORDINALS[Number(n - 10n)] as string} عشر`;
  return ar.toCardinal(n, { gender: 'feminine' }).replace(/ و(?=\S)/gu, ' و ').replace(/^واحدة و/u, 'إحدى و');
}

// ---------------------------------------------------------------------------------------------- dispatch

/** num2words(n, lang) for a non-negative integer. */
export function cardinal(lang: NumberLanguage, n: bigint, opts?: Num2WordsOptions): string {
  switch (lang) {
    case 'en': return enCardinal(n);
    case 'de': return de.toCardinal(n);
    case 'fr': return fr.toCardinal(n);
    case 'es': return es.toCardinal(n).replaceAll('dieciseis', 'dieciséis');
    case 'it': return itCardinal(n);
    case 'pt': return pt.toCardinal(n).replace(/^um mil (?=mil)/u, 'mil ');
    case 'pl': return pl.toCardinal(n);
    case 'ru': return ru.toCardinal(n);
    case 'nl': return nlCardinal(n);
    case 'tr': return trCardinal(n);
    case 'hu': return hu.toCardinal(n);
    case 'ko': return ko.toCardinal(n);
    case 'ar': return arCardinal(n);
    case 'cs':
      czechGuard(opts);
      return cs.toCardinal(n);
    default: return assertNever(lang);
  }
}

/** num2words(n, lang, ordinal=True). */
export function ordinal(lang: NumberLanguage, n: bigint, opts?: Num2WordsOptions): string {
  switch (lang) {
    case 'en': return n === 0n ? 'zeroth' : enOrdinal(n);
    case 'de': {
      if (n === 0n) return 'nullte';
      const s = de.toOrdinal(n);
      if (n === 100n || n === 1000n) return s.replace(/^ein/u, '');
      return s.replace(/^eine Million/u, 'million');
    }
    case 'fr': {
      if (n === 0n) return 'zéroième';
      const card = fr.toCardinal(n);
      return card.endsWith('quatre-vingts') ? `${card}ième` : fr.toOrdinal(n);
    }
    case 'es': {
      if (n === 0n) return '';
      return es.toOrdinal(n).replace(/(^| )décimo (primero|segundo)$/u, '$1décimo$2').replaceAll('cuadragésimo', 'quadragésimo');
    }
    case 'it': return itOrdinal(n);
    case 'pt': return n === 0n ? '' : pt.toOrdinal(n);
    case 'pl':
      if (n === 0n) throw new Num2WordsUnsupported('Polish ordinal of zero');
      return pl.toOrdinal(n);
    case 'ru': return n === 0n ? 'нулевой' : ru.toOrdinal(n);
    case 'nl': return nlOrdinal(n);
    case 'tr': return trOrdinal(n);
    case 'hu': return huOrdinal(n);
    case 'ko': return koOrdinal(n);
    case 'ar': return n === 0n ? '' : arOrdinal(n);
    case 'cs':
      czechGuard(opts);
      return cs.toOrdinal(n);
    default: return assertNever(lang);
  }
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const ax = Math.abs(x);
  if (ax !== 0 && (ax < 1e-4 || ax >= 1e16)) {
    const [mant, exp] = x.toExponential().split('e') as [string, string];
    const e = Number(exp);
    return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/** num2words' `float2tuple` + `to_cardinal_float` (the base-class rendering of a fractional number). */
function baseFloat(x: number, card: (n: bigint) => string, pointword: string): string {
  const repr = pyFloatRepr(x);
  const m = /^(-?\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/u.exec(repr);
  if (!m) throw new Num2WordsUnsupported(`float ${repr}`);
  const fracDigits = (m[2] ?? '').replace(/^$/u, '');
  const exp = m[3] === undefined ? 0 : Number(m[3]);
  const precision = Math.abs(exp - fracDigits.length);
  const pre = Math.trunc(x);
  let post = Math.abs(x - pre) * 10 ** precision;
  post = Math.abs(Math.round(post) - post) < 0.01 ? Math.round(post) : Math.floor(post);
  const postStr = String(post).padStart(precision, '0');
  const out = [card(BigInt(pre))];
  if (precision) out.push(pointword);
  for (let i = 0; i < precision; i++) out.push(card(BigInt(Number(postStr[i]))));
  return out.join(' ');
}

const RU_POINT = ['целая', 'целых', 'целых'];
const RU_BITNESS = ['десят', 'сот', 'тысячн', 'десятитысячн', 'стотысячн', 'миллионн'];

function ruPlural(n: bigint, forms: readonly string[]): string {
  const d = n % 10n;
  const h = n % 100n;
  if (d === 1n && h !== 11n) return forms[0] as string;
  if (d >= 2n && d <= 4n && (h < 10n || h >= 20n)) return forms[1] as string;
  return forms[2] as string;
}

function ruFloat(x: number): string {
  const [left, right] = pyFloatRepr(x).split('.') as [string, string | undefined];
  if (right === undefined || !/^\d+$/u.test(left) || !/^\d+$/u.test(right)) throw new Num2WordsUnsupported('float');
  const l = BigInt(left);
  const r = BigInt(right);
  const stem = RU_BITNESS[right.length - 1];
  if (stem === undefined) throw new Num2WordsUnsupported('float precision');
  const bit = r % 10n === 1n && r % 100n !== 11n ? `${stem}ая` : `${stem}ых`;
  return `${ru.toCardinal(l, { gender: 'feminine' })} ${ruPlural(l, RU_POINT)} ${ru.toCardinal(r, { gender: 'feminine' })} ${bit}`;
}

const HU_FRACTION: Record<number, string> = { 1: 'tized', 2: 'század', 3: 'ezred' };

/** num2words(float(x), lang): the decimal-number step (not used for Turkish, which upstream skips). */
export function decimal(lang: NumberLanguage, x: number, opts?: Num2WordsOptions): string {
  const integral = Number.isInteger(x);
  switch (lang) {
    case 'en': return integral ? enCardinal(BigInt(x)) : baseFloat(x, enCardinal, 'point');
    case 'de': return integral ? de.toCardinal(BigInt(x)) : baseFloat(x, (n) => de.toCardinal(n), 'Komma');
    case 'fr': return integral ? fr.toCardinal(BigInt(x)) : baseFloat(x, (n) => fr.toCardinal(n), 'virgule');
    case 'es': return integral ? cardinal('es', BigInt(x)) : baseFloat(x, (n) => cardinal('es', n), 'punto');
    case 'pt': return integral ? cardinal('pt', BigInt(x)) : baseFloat(x, (n) => cardinal('pt', n), 'vírgula');
    case 'nl': return integral ? nlCardinal(BigInt(x)) : baseFloat(x, nlCardinal, 'komma');
    case 'ko': return integral ? ko.toCardinal(BigInt(x)) : baseFloat(x, (n) => ko.toCardinal(n), '점');
    case 'tr': return integral ? trCardinal(BigInt(x)) : baseFloat(x, trCardinal, 'virgül');
    case 'it': {
      const [left, right] = pyFloatRepr(x).split('.') as [string, string | undefined];
      if (right === undefined) throw new Num2WordsUnsupported('float');
      return `${itCardinal(BigInt(left))} virgola ${[...right].map((c) => itCardinal(BigInt(c))).join(' ')}`;
    }
    case 'pl': {
      const [left, right] = pyFloatRepr(x).split('.') as [string, string | undefined];
      if (right === undefined) throw new Num2WordsUnsupported('float');
      const zeros = right.length - right.replace(/^0+/u, '').length;
      return `${pl.toCardinal(BigInt(left))} przecinek ${'zero '.repeat(zeros)}${pl.toCardinal(BigInt(right))}`;
    }
    case 'ru': return ruFloat(x);
    case 'hu': {
      if (integral) return hu.toCardinal(BigInt(x));
      const [left, right] = pyFloatRepr(x).split('.') as [string, string | undefined];
      const unit = right === undefined ? undefined : HU_FRACTION[right.length];
      if (right === undefined || unit === undefined) throw new Num2WordsUnsupported('float');
      return `${hu.toCardinal(BigInt(left))} egész ${hu.toCardinal(BigInt(right))} ${unit}`;
    }
    case 'ar': {
      if (integral) return arCardinal(BigInt(x));
      const cents = BigInt(Math.round((x - Math.trunc(x)) * 100));
      const whole = Math.trunc(x) === 0 ? '' : `${arCardinal(BigInt(Math.trunc(x)))}  `;
      return `${whole}, ${arCardinal(cents)}`;
    }
    case 'cs':
      czechGuard(opts);
      return integral ? cs.toCardinal(BigInt(x)) : baseFloat(x, (n) => cs.toCardinal(n), 'celá');
    default: return assertNever(lang);
  }
}

// ---------------------------------------------------------------------------------------------- currency

type Forms = readonly [string, string] | readonly [string, string, string];
interface CurrencyStyle {
  forms: Partial<Record<CurrencyCode, readonly [Forms, Forms]>>;
  separator: string;
  plural: (n: bigint, forms: Forms) => string;
  /** Cardinal used in front of the currency name (may differ from the plain cardinal, e.g. de "ein"). */
  money?: (n: bigint, code: CurrencyCode) => string;
  cents?: (n: bigint, code: CurrencyCode) => string;
  /** The cents part is left out when zero (pt EUR/USD). */
  omitZeroCents?: (code: CurrencyCode) => boolean;
  post?: (s: string, code: CurrencyCode) => string;
}

const pluralOne = (n: bigint, f: Forms): string => (n === 1n ? f[0] : f[1]);
const singularOnly = (_n: bigint, f: Forms): string => f[0];
const pluralPl = (n: bigint, f: Forms): string => {
  if (n === 1n) return f[0];
  const d = n % 10n;
  const h = n % 100n;
  return d >= 2n && d <= 4n && (h < 10n || h > 20n) ? f[1] : (f[2] ?? f[1]);
};

const CURRENCY: Partial<Record<NumberLanguage, CurrencyStyle>> = {
  en: {
    forms: {
      USD: [['dollar', 'dollars'], ['cent', 'cents']],
      GBP: [['pound sterling', 'pounds sterling'], ['penny', 'pence']],
      EUR: [['euro', 'euro'], ['cent', 'cents']],
    },
    separator: ',', plural: pluralOne,
  },
  de: {
    forms: {
      USD: [['Dollar', 'Dollar'], ['Cent', 'Cent']],
      GBP: [['Pfund', 'Pfund'], ['Penny', 'Pence']],
      EUR: [['Euro', 'Euro'], ['Cent', 'Cent']],
    },
    separator: ' und', plural: pluralOne,
    money: (n) => (n === 1n ? 'ein' : de.toCardinal(n)),
    cents: (n) => (n === 1n ? 'ein' : de.toCardinal(n)),
  },
  fr: {
    forms: {
      USD: [['dollar', 'dollars'], ['cent', 'cents']],
      GBP: [['livre', 'livres'], ['penny', 'pence']],
      EUR: [['euro', 'euros'], ['centime', 'centimes']],
    },
    separator: ' et', plural: pluralOne,
  },
  es: {
    forms: {
      USD: [['dólar', 'dólares'], ['centavo', 'centavos']],
      GBP: [['libra', 'libras'], ['penique', 'peniques']],
      EUR: [['euro', 'euros'], ['céntimo', 'céntimos']],
    },
    separator: ' con', plural: pluralOne,
    money: (n, code) => {
      const s = cardinal('es', n);
      if (code === 'GBP') return s.replace(/uno$/u, 'una');
      return s.replace(/veintiuno$/u, 'veintiún').replace(/uno$/u, 'un');
    },
    cents: (n) => cardinal('es', n).replace(/veintiuno$/u, 'veintiún').replace(/uno$/u, 'un'),
  },
  it: {
    forms: {
      USD: [['dollaro', 'dollari'], ['centesimo', 'centesimi']],
      GBP: [['sterlina', 'sterline'], ['penny', 'penny']],
      EUR: [['euro', 'euro'], ['centesimo', 'centesimi']],
    },
    separator: ' e', plural: pluralOne,
    post: (s, code) => {
      let out = s;
      if (code === 'GBP' && out.startsWith('uno ')) out = `una${out.slice(3)}`;
      return out.replaceAll('uno', 'un');
    },
  },
  pt: {
    forms: {
      USD: [['dólar', 'dólares'], ['cêntimo', 'cêntimos']],
      GBP: [['libra', 'libras'], ['péni', 'pence']],
      EUR: [['euro', 'euros'], ['cêntimo', 'cêntimos']],
    },
    separator: ' e', plural: pluralOne,
    omitZeroCents: (code) => code !== 'GBP',
  },
  pl: {
    forms: {
      USD: [['dolar amerykański', 'dolary amerykańskie', 'dolarów amerykańskich'], ['cent', 'centy', 'centów']],
      EUR: [['euro', 'euro', 'euro'], ['cent', 'centy', 'centów']],
    },
    separator: ',', plural: pluralPl,
  },
  ru: {
    forms: {
      USD: [['доллар', 'доллара', 'долларов'], ['цент', 'цента', 'центов']],
      EUR: [['евро', 'евро', 'евро'], ['цент', 'цента', 'центов']],
    },
    separator: ',', plural: (n, f) => ruPlural(n, f),
  },
  nl: {
    forms: {
      USD: [['dollar', 'dollar'], ['cent', 'cent']],
      GBP: [['pond', 'pond'], ['penny', 'penny']],
      EUR: [['euro', 'euro'], ['cent', 'cent']],
    },
    separator: ',', plural: singularOnly,
  },
  hu: {
    forms: {
      USD: [['dollar', 'dollars'], ['cent', 'cents']],
      GBP: [['pound sterling', 'pounds sterling'], ['penny', 'pence']],
      EUR: [['euro', 'euro'], ['cent', 'cents']],
    },
    separator: ',', plural: pluralOne,
  },
};

/**
 * num2words(amount, lang, to='currency', currency=code) for a Python float amount, before upstream trims the
 * cents of a whole amount. Throws where num2words throws (Turkish always; GBP in pl/ru; EUR and GBP in ko;
 * Arabic is not reproduced and throws too, so the currency step is skipped there).
 */
export function currency(lang: NumberLanguage, amount: number, code: CurrencyCode, opts?: Num2WordsOptions): string {
  if (lang === 'cs') {
    czechGuard(opts);
    throw new Num2WordsUnsupported('currency for cs');
  }
  // Decimal(value).quantize(Decimal('.01'), ROUND_HALF_UP): toFixed rounds the exact binary value half up.
  const fixed = Math.abs(amount).toFixed(2);
  const [intPart, centPart] = fixed.split('.') as [string, string];
  const whole = BigInt(intPart);
  const cents = BigInt(centPart);
  if (lang === 'ko') {
    if (code !== 'USD') throw new Num2WordsUnsupported(`currency ${code} for ko`);
    return `${ko.toCardinal(whole)}달러 ${ko.toCardinal(cents)}센트`;
  }
  const style = CURRENCY[lang];
  const forms = style?.forms[code];
  if (style === undefined || forms === undefined) throw new Num2WordsUnsupported(`currency ${code} for ${lang}`);
  const money = style.money ? style.money(whole, code) : cardinal(lang, whole);
  const centsWords = style.cents ? style.cents(cents, code) : cardinal(lang, cents);
  let out = `${money} ${style.plural(whole, forms[0])}`;
  if (!(cents === 0n && style.omitZeroCents?.(code))) {
    out += `${style.separator} ${centsWords} ${style.plural(cents, forms[1])}`;
  }
  return style.post ? style.post(out, code) : out;
}
