/**
 * Lyric normalisation against upstream's own output: every expectation below was produced by running
 * ACE-Step's `VoiceBpeTokenizer.preprocess_text` (lyric_tokenizer.py with num2words 0.5.14, zh_num2words,
 * pypinyin 0.53.0, hangul-romanize 0.1.0) on the input (spec §14 items 4–5).
 */
import { describe, expect, it } from 'vitest';
import { LyricNormalizer } from '../../../src/engine/lyrics/normalize/index.js';
import { romanizeKorean } from '../../../src/engine/lyrics/normalize/korean.js';
import { multilingualCleaners } from '../../../src/engine/lyrics/normalize/multilingual.js';
import { cardinal, currency, decimal, ordinal } from '../../../src/engine/lyrics/normalize/num2words.js';
import { chineseTextNorm, num2chn } from '../../../src/engine/lyrics/normalize/zh-numbers.js';

/** [input, language, upstream's preprocess_text output]. */
const UPSTREAM: ReadonlyArray<readonly [string, string, string]> = [
  ["In 12.5 seconds.", "en", "in twelve point five seconds."],
  ["That will be $20 sir.", "en", "that will be twenty dollars sir."],
  ["That will be 20.15€ sir.", "en", "that will be twenty euro, fifteen cents sir."],
  ["That's 100,000.5.", "en", "that's one hundred thousand point five."],
  ["This is a 1st test, the 22nd and 103rd", "en", "this is a first test, the twenty-second and one hundred and third"],
  ["Back in 1999 we were 21 & free @ 100%", "en", "back in one thousand, nine hundred and ninety-nine we were twenty-one and free at one hundred percent"],
  ["Dr. Smith met Mr. Jones on St. James", "en", "doctor smith met mister jones on saint james"],
  ["It's 3 o'clock, 2019, 1,000,000 fans", "en", "it's three o'clock, two thousand and nineteen, one million fans"],
  ["£5 and £1.50 and 7£", "en", "five pounds sterling and one pound sterling, fifty pence and seven pounds sterling"],
  ["In 12,5 Sekunden 1 mal", "de", "in zwölf Komma fünf sekunden eins mal"],
  ["Am 3. Mai um 20€ mit Dr. Müller", "de", "am dritte mai um zwanzig Euro mit doktor müller"],
  ["1.000.000 Sterne, 21 Jahre", "de", "eine Million sterne, einundzwanzig jahre"],
  ["Il y avait 50 soldats, le 1er et la 2e", "fr", "il y avait cinquante soldats, le premier et la deuxième"],
  ["Cela vous fera 20,15€ monsieur, 80 ans", "fr", "cela vous fera vingt euros et quinze centimes monsieur, quatre-vingts ans"],
  ["Este es un 1er test con 16 años y $21", "es", "este es un primero test con dieciséis años y veintiún dólares"],
  ["Eso le costará 20,15€ señor, 21 libras £21", "es", "eso le costará veinte euros con quince céntimos señor, veintiuno libras veintiuna libras"],
  ["C'erano 18 soldati, 123 e 203 anni, 1° test", "it", "c'erano diciotto soldati, centoventitre e duecentotré anni, primo test"],
  ["Ti costerà 21€ signore", "it", "ti costerà ventun euro signore"],
  ["Este é um 1º teste, 21 anos, 1000000000 €5", "pt", "este é um primeiro teste, vinte e um anos, mil milhões cinco euros"],
  ["W 12,5 sekundy było 50 żołnierzy, 22 lata, 5€", "pl", "w dwanaście przecinek pięć sekundy było pięćdziesiąt żołnierzy, dwadzieścia dwa lata, pięć euro"],
  ["Через 12.5 секунды, 21 год, 1000 лет, 5$", "ru", "через двенадцать целых пять десятых секунды, двадцать один год, одна тысяча лет, пять долларов"],
  ["In 12,5 seconden, 101 en 21 dagen, 1e keer", "nl", "in twaalf komma vijf seconden, honderdéén en eenentwintig dagen, eerste keer"],
  ["50 asker vardı, Bu 1. test, 2.5 yıl, 14%", "tr", "elli asker vardı, bu birinci test, ikincibeş yıl, ondört yüzde"],
  ["İstanbul'da Öğle Üzeri 3 gün", "tr", "istanbul'da öğle üzeri üç gün"],
  ["12,5 másodperc alatt, 50 katona, az 1. teszt 12. hely", "hu", "tizenkettő egész öt tized másodperc alatt, ötven katona, az első teszt tizenkettedik hely"],
  ["12.5 초 안에 50 명, 1 번째 테스트 2번", "ko", "sib-i jeom o cho an-e osib myeong, il beon-jjae teseuteu du beon-jjae"],
  ["사랑해 오늘 밤 없어 값이 읽어", "ko", "salanghae oneul bam eobs-eo gabs-i ilg-eo"],
  ["كان هناك 50 جنديًا و 21 و ١٥", "ar", "كان هناك خمسون جنديًا و واحد و عشرون و ١٥"],
  ["Mám 14% baterie, 5 let, 12,5 a 1. místo", "cs", "mám 14 procento baterie, 5 let, 12,5 a 1. místo"],
  ["Dr. Novák & P. Dvořák @ 20€", "cs", "doktor novák a pan dvořák na 20€"],
  ["我出生在2019年", "zh", "wo3chu1sheng1zai4er4ling2yi1jiu3nian2"],
  ["在12.5秒内 有50名士兵", "zh", "zai4shi2er4dian3wu3miao3nei4 you3wu3shi2ming2shi4bing1"],
  ["你好，世界！我们12点见", "zh", "ni3hao3,shi4jie4,wo3men5shi2er4dian3jian4"],
  ["1/2的人 打了2个电话 13812345678", "zh", "er4fen1zhi1yi1de5ren2 da3le5er4ge4dian4hua4 yi1san1ba1yi1er4san1si4wu3liu4qi1ba1"],
  ["B2B 和 P2P 都是 2000多元", "zh", "b2b he2 p2p dou1shi4 liang3qian1duo1yuan2"],
  ["Hello 世界 A I 写 report", "zh", "hello shi4jie4 a i xie3 report"],
  ["\"Quoted\"  words   here", "en", "quoted words here"],
  ["मैं तुमसे प्यार करता हूँ 123", "hi", "मैं तुमसे प्यार करता हूँ 123"],
  ["Я люблю тебя, Д-р Иванов и Г-н Петров", "ru", "я люблю тебя, доктор иванов и господин петров"],
  ["he's 2nd in line with 3.14 pies", "en", "he's second in line with three point one four pies"],
  ["25th hour 2000s", "en", "twenty-fifth hour two thousands"],
];

describe('preprocess_text parity with upstream', () => {
  const normalizer = new LyricNormalizer();
  it.each(UPSTREAM)('%s (%s)', async (text, lang, expected) => {
    expect(await normalizer.normalize(text, lang)).toBe(expected);
  });
});

describe('num2words quirks upstream depends on (spec §14 item 4)', () => {
  it('spells cardinals as num2words 0.5.14 does', () => {
    expect(cardinal('de', 1n)).toBe('eins');
    expect(cardinal('nl', 1n)).toBe('één');
    expect(cardinal('nl', 101n)).toBe('honderdéén');
    expect(cardinal('en', 1999n)).toBe('one thousand, nine hundred and ninety-nine');
    expect(cardinal('tr', 2019n)).toBe('ikibinondokuz');
    expect(cardinal('it', 118n)).toBe('centodicotto');
    expect(cardinal('es', 16n)).toBe('dieciséis');
    expect(cardinal('ar', 21n)).toBe('واحد و عشرون');
  });
  it('spells ordinals, decimals and currencies', () => {
    expect(ordinal('ko', 2n)).toBe('두 번째');
    expect(ordinal('tr', 4n)).toBe('dördüncü');
    expect(ordinal('hu', 12n)).toBe('tizenkettedik');
    expect(ordinal('en', 22n)).toBe('twenty-second');
    expect(decimal('de', 12.5)).toBe('zwölf Komma fünf');
    expect(decimal('ru', 12.05)).toBe('двенадцать целых пять сотых');
    expect(decimal('it', 12.0)).toBe('dodici virgola zero');
    expect(currency('en', 20.15, 'EUR')).toBe('twenty euro, fifteen cents');
    expect(() => currency('tr', 2, 'USD')).toThrow();
  });
  it('refuses Czech unless asked (upstream asks num2words for "cz")', () => {
    expect(() => cardinal('cs', 5n)).toThrow();
    expect(cardinal('cs', 5n, { czech: true })).toBe('pět');
  });
});

describe('language specifics', () => {
  const normalizer = new LyricNormalizer();
  it('keeps Czech digits in faithful mode and expands them in fixed mode; symbols expand either way', async () => {
    expect(await normalizer.normalize('Mám 14% baterie', 'cs')).toBe('mám 14 procento baterie');
    expect(await normalizer.normalize('Mám 14% baterie', 'cs', { czechNumbers: true })).toBe('mám čtrnáct procento baterie');
  });
  it('expands only ASCII digits outside Chinese', async () => {
    expect(await normalizer.normalize('١٥ سنة', 'ar')).toBe('١٥ سنة');
    expect(multilingualCleaners('ich bin 12,5', 'de')).toBe('ich bin zwölf Komma fünf');
  });
  it('romanises Hangul with the academic rule', () => {
    expect(romanizeKorean('오늘')).toBe('oneul');
    expect(romanizeKorean('사랑해요')).toBe('salanghae-yo');
    expect(romanizeKorean('없어 abc')).toBe('eobs-eo abc');
  });
  it('reads Chinese numbers with upstream\'s zh rules', () => {
    expect(num2chn('2')).toBe('二');
    expect(num2chn('12')).toBe('十二');
    expect(num2chn('2000')).toBe('两千');
    expect(num2chn('110')).toBe('一百一十');
    expect(chineseTextNorm('2019年，你好！')).toBe('二零一九年,你好,');
  });
  it('differs from pypinyin where the phrase dictionaries differ (documented: ~3 % of syllables)', async () => {
    // upstream (pypinyin's phrase 一百 = yì bǎi): wu3yue4san1ri4 wo3ai4ni3 bai3fen1zhi1yi4bai3
    expect(await normalizer.normalize('5月3日 我爱你 100%', 'zh')).toBe('wu3yue4san1ri4 wo3ai4ni3 bai3fen1zhi1yi1bai3');
  });
  it('leaves Hindi alone but lower-cases and collapses whitespace', async () => {
    expect(await normalizer.normalize('नमस्ते   DUNIYA 5', 'hi')).toBe('नमस्ते duniya 5');
  });
  it('refuses languages upstream does not know', async () => {
    await expect(normalizer.normalize('hello', 'xx')).rejects.toThrow(/not supported/u);
  });
});

describe('Japanese romaji (cutlet stand-in)', () => {
  const normalizer = new LyricNormalizer();
  it('matches cutlet on native words', async () => {
    expect(await normalizer.normalize('彼女は王への手紙を読み上げた。', 'ja')).toBe('kanojo wa ou e no tegami wo yomiageta.');
    expect(await normalizer.normalize('桜が咲いた', 'ja')).toBe('sakura ga saita');
    expect(await normalizer.normalize('東京', 'ja')).toBe('tokyo');
  });
  it('spells loanwords from kana (cutlet prints UniDic\'s foreign spelling: "coffee")', async () => {
    expect(await normalizer.normalize('コーヒーが好きです', 'ja')).toBe('koohii ga suki desu');
  });
});
