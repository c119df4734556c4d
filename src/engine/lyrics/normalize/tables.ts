/**
 * Per-language abbreviation and symbol words of upstream's lyric normaliser (XTTS heritage, spec §1.3 and
 * §14 item 4): `dr.` → doctor and friends, and `& @ % # $ £ °` spelled out. Applied after number expansion.
 */
import type { NumberLanguage } from './num2words.js';

/** Languages that go through `multilingual_cleaners` (the number languages plus Chinese). */
export type CleanerLanguage = NumberLanguage | 'zh';

/** Abbreviation (without its dot) → expansion. Russian entries have no dot and are matched as whole words. */
export const ABBREVIATIONS: Readonly<Record<CleanerLanguage, ReadonlyArray<readonly [string, string]>>> = {
  en: [['mrs', 'misess'], ['mr', 'mister'], ['dr', 'doctor'], ['st', 'saint'], ['co', 'company'], ['jr', 'junior'],
    ['maj', 'major'], ['gen', 'general'], ['drs', 'doctors'], ['rev', 'reverend'], ['lt', 'lieutenant'], ['hon', 'honorable'],
    ['sgt', 'sergeant'], ['capt', 'captain'], ['esq', 'esquire'], ['ltd', 'limited'], ['col', 'colonel'], ['ft', 'fort']],
  es: [['sra', 'señora'], ['sr', 'señor'], ['dr', 'doctor'], ['dra', 'doctora'], ['st', 'santo'], ['co', 'compañía'],
    ['jr', 'junior'], ['ltd', 'limitada']],
  fr: [['mme', 'madame'], ['mr', 'monsieur'], ['dr', 'docteur'], ['st', 'saint'], ['co', 'compagnie'], ['jr', 'junior'],
    ['ltd', 'limitée']],
  de: [['fr', 'frau'], ['dr', 'doktor'], ['st', 'sankt'], ['co', 'firma'], ['jr', 'junior']],
  pt: [['sra', 'senhora'], ['sr', 'senhor'], ['dr', 'doutor'], ['dra', 'doutora'], ['st', 'santo'], ['co', 'companhia'],
    ['jr', 'júnior'], ['ltd', 'limitada']],
  it: [['sig', 'signore'], ['dr', 'dottore'], ['st', 'santo'], ['co', 'compagnia'], ['jr', 'junior'], ['ltd', 'limitata']],
  pl: [['p', 'pani'], ['m', 'pan'], ['dr', 'doktor'], ['sw', 'święty'], ['jr', 'junior']],
  ar: [],
  zh: [],
  cs: [['dr', 'doktor'], ['ing', 'inženýr'], ['p', 'pan']],
  ru: [['г-жа', 'госпожа'], ['г-н', 'господин'], ['д-р', 'доктор']],
  nl: [['dhr', 'de heer'], ['mevr', 'mevrouw'], ['dr', 'dokter'], ['jhr', 'jonkheer']],
  tr: [['b', 'bay'], ['byk', 'büyük'], ['dr', 'doktor']],
  hu: [['dr', 'doktor'], ['b', 'bácsi'], ['nőv', 'nővér']],
  ko: [],
};

/** Symbol → words, in upstream's order `& @ % # $ £ °` (the spaces are part of the replacement). */
const SYMBOL_ORDER = ['&', '@', '%', '#', '$', '£', '°'] as const;
const SYMBOL_WORDS: Readonly<Record<CleanerLanguage, readonly string[]>> = {
  en: ['and', 'at', 'percent', 'hash', 'dollar', 'pound', 'degree'],
  es: ['y', 'arroba', 'por ciento', 'numeral', 'dolar', 'libra', 'grados'],
  fr: ['et', 'arobase', 'pour cent', 'dièse', 'dollar', 'livre', 'degrés'],
  de: ['und', 'at', 'prozent', 'raute', 'dollar', 'pfund', 'grad'],
  pt: ['e', 'arroba', 'por cento', 'cardinal', 'dólar', 'libra', 'graus'],
  it: ['e', 'chiocciola', 'per cento', 'cancelletto', 'dollaro', 'sterlina', 'gradi'],
  pl: ['i', 'małpa', 'procent', 'krzyżyk', 'dolar', 'funt', 'stopnie'],
  ar: ['و', 'على', 'في المئة', 'رقم', 'دولار', 'جنيه', 'درجة'],
  zh: ['和', '在', '百分之', '号', '美元', '英镑', '度'],
  cs: ['a', 'na', 'procento', 'křížek', 'dolar', 'libra', 'stupně'],
  ru: ['и', 'собака', 'процентов', 'номер', 'доллар', 'фунт', 'градус'],
  nl: ['en', 'bij', 'procent', 'hekje', 'dollar', 'pond', 'graden'],
  tr: ['ve', 'at', 'yüzde', 'diyez', 'dolar', 'sterlin', 'derece'],
  hu: ['és', 'kukac', 'százalék', 'kettőskereszt', 'dollár', 'font', 'fok'],
  ko: ['그리고', '에', '퍼센트', '번호', '달러', '파운드', '도'],
};

/** `[symbol, " words "]` pairs for a language, in application order. */
export function symbolTable(lang: CleanerLanguage): ReadonlyArray<readonly [string, string]> {
  const words = SYMBOL_WORDS[lang];
  return SYMBOL_ORDER.map((sym, i) => [sym, ` ${words[i] as string} `] as const);
}
