/**
 * Hanzi → pinyin as upstream's `chinese_transliterate` (pypinyin 0.53.0, `Style.TONE3`, `neutral_tone_with_five`,
 * no heteronyms, spec §14 item 5): every hanzi becomes its syllable with the tone digit (neutral = 5, ü = v),
 * syllables are joined with nothing between them and every other character is kept as it is.
 *
 * pinyin-pro stands in for pypinyin (tone sandhi off, as pypinyin's default). Both pick readings of
 * polyphonic characters from phrase dictionaries, and the dictionaries differ: over the 607 Chinese lyric lines
 * of ACE-Step's examples and test track, 3.0 % of the syllables differ (mostly 子 zi5/zi3, 不 bu2/bu4 and
 * 一 yi4/yi1 inside set phrases, 只 zhi3/zhi1, 了 le5/liao3, 哦 o2/o4), so those lines get other ids than
 * upstream's.
 */
import { pinyin } from 'pinyin-pro';

const SYLLABLE = /^[a-zü]+[0-5]$/u;

/** Pinyin TONE3 of a line, syllables joined without spaces. */
export function chineseTransliterate(text: string): string {
  const items = pinyin(text, { toneType: 'num', type: 'array', v: true, nonZh: 'consecutive', toneSandhi: false });
  return items.map((s) => (SYLLABLE.test(s) && s.endsWith('0') ? `${s.slice(0, -1)}5` : s)).join('');
}
