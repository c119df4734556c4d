/**
 * Upstream's `expand_numbers_multilingual` for every language but Chinese (spec §14 item 4): thousands
 * separators are dropped (commas in en/ru, dots elsewhere), then currencies (`£`, `$`, `€`, one guarded block:
 * the first failure skips all three), decimals (not for Turkish), ordinals and cardinals, in that order, with
 * num2words' words. Only ASCII digits expand (`[0-9]` patterns), although the separator patterns use Python's
 * Unicode `\d`. If any conversion raises, upstream's caller keeps the text as it was before this step; the
 * thrown error propagates to {@link ./multilingual.ts} which does exactly that.
 */
import { PY_BOUNDARY, PY_DIGIT, PY_SPACE } from './pyre.js';
import { type CurrencyCode, type NumberLanguage, type Num2WordsOptions, cardinal, currency, decimal, ordinal } from './num2words.js';

const B = PY_BOUNDARY;
const D = PY_DIGIT;
const COMMA_NUMBER = new RegExp(`${B}${D}{1,3}(?:,${D}{3})*(?:\\.${D}+)?${B}`, 'gu');
// Upstream's dot pattern has an unescaped '.', i.e. any character but a newline, between digit groups.
const DOT_NUMBER = new RegExp(`${B}${D}{1,3}(?:[^\\n]${D}{3})*(?:,${D}+)?${B}`, 'gu');
const DECIMAL = /([0-9]+[.,][0-9]+)/gu;
const NUMBER = /[0-9]+/gu;
const END = `(?=${PY_SPACE}|$)`;

const ORDINALS: Readonly<Record<NumberLanguage, RegExp>> = {
  en: /([0-9]+)(st|nd|rd|th)/gu,
  es: /([0-9]+)(º|ª|er|o|a|os|as)/gu,
  fr: /([0-9]+)(º|ª|er|re|e|ème)/gu,
  de: new RegExp(`([0-9]+)(st|nd|rd|th|º|ª|\\.${END})`, 'gu'),
  pt: /([0-9]+)(º|ª|o|a|os|as)/gu,
  it: /([0-9]+)(º|°|ª|o|a|i|e)/gu,
  pl: /([0-9]+)(º|ª|st|nd|rd|th)/gu,
  ar: /([0-9]+)(ون|ين|ث|ر|ى)/gu,
  cs: new RegExp(`([0-9]+)\\.${END}`, 'gu'),
  ru: /([0-9]+)(-й|-я|-е|-ое|-ье|-го)/gu,
  nl: /([0-9]+)(de|ste|e)/gu,
  tr: /([0-9]+)(\.|inci|nci|uncu|üncü|\.)/gu,
  hu: /([0-9]+)(\.|adik|edik|odik|edik|ödik|ödike|ik)/gu,
  ko: /([0-9]+)(번째|번|차|째)/gu,
};

const CURRENCIES: ReadonlyArray<readonly [CurrencyCode, RegExp]> = [
  ['GBP', /((£[0-9.,]*[0-9]+)|([0-9.,]*[0-9]+£))/gu],
  ['USD', /((\$[0-9.,]*[0-9]+)|([0-9.,]*[0-9]+\$))/gu],
  ['EUR', /(([0-9.,]*[0-9]+€)|((€[0-9.,]*[0-9]+)))/gu],
];

/** The word upstream cuts a whole amount's cents at (`and_equivalents`). */
const AND_EQUIVALENT: Readonly<Record<NumberLanguage, string>> = {
  en: ', ', es: ' con ', fr: ' et ', de: ' und ', pt: ' e ', it: ' e ', pl: ', ', cs: ', ', ru: ', ', nl: ', ', ar: ', ',
  tr: ', ', hu: ', ', ko: ', ',
};

/** Python's `float(s)` for the strings upstream builds (digits and dots only); throws as Python would. */
export function pyFloat(s: string): number {
  if (!/^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/u.test(s)) throw new Error(`could not convert string to float: '${s}'`);
  return Number(s);
}

function expandCurrency(match: string, lang: NumberLanguage, code: CurrencyCode, opts: Num2WordsOptions | undefined): string {
  const amount = pyFloat(match.replaceAll(',', '.').replace(/[^\p{Nd}.]/gu, ''));
  let full = currency(lang, amount, code, opts);
  if (Number.isInteger(amount)) {
    const cut = full.lastIndexOf(AND_EQUIVALENT[lang]);
    if (cut !== -1) full = full.slice(0, cut);
  }
  return full;
}

/** Expand numbers in already lower-cased text; throws where upstream's `expand_numbers_multilingual` raises. */
export function expandNumbers(text: string, lang: NumberLanguage, opts?: Num2WordsOptions): string {
  let out = lang === 'en' || lang === 'ru'
    ? text.replace(COMMA_NUMBER, (m) => m.replaceAll(',', ''))
    : text.replace(DOT_NUMBER, (m) => m.replaceAll('.', ''));
  try {
    for (const [code, re] of CURRENCIES) out = out.replace(re, (m) => expandCurrency(m, lang, code, opts));
  } catch {
    // upstream: `except: pass` around the three currency substitutions; the ones already done stay done
  }
  if (lang !== 'tr') out = out.replace(DECIMAL, (m) => decimal(lang, Number(m.replace(',', '.')), opts));
  out = out.replace(ORDINALS[lang], (_m, digits: string) => ordinal(lang, BigInt(digits), opts));
  return out.replace(NUMBER, (m) => cardinal(lang, BigInt(m), opts));
}
