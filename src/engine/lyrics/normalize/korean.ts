/**
 * Hangul romanisation with hangul-romanize 0.1.0's `academic` rule (spec §1.3, §14 item 5; `오늘` → `oneul`).
 *
 * Each precomposed syllable (U+AC00–U+D7A3) splits into initial, vowel and final jamo, written with the
 * Revised Romanization letters below, syllable by syllable with no assimilation. A hyphen goes in front of a
 * syllable that follows another syllable when it starts with the silent ㅇ, or when the previous final plus
 * this initial could be read as more than one final+initial pair (e.g. `ng`+`g` vs `n`+`gg`); anything that
 * is not a Hangul syllable passes through unchanged and resets nothing but the "previous syllable".
 */
const INITIALS = ['g', 'kk', 'n', 'd', 'tt', 'l', 'm', 'b', 'pp', 's', 'ss', '', 'j', 'jj', 'ch', 'k', 't', 'p', 'h'];
const VOWELS = ['a', 'ae', 'ya', 'yae', 'eo', 'e', 'yeo', 'ye', 'o', 'wa', 'wae', 'oe', 'yo', 'u', 'wo', 'we', 'wi', 'yu', 'eu',
  'ui', 'i'];
const FINALS = ['', 'g', 'kk', 'gs', 'n', 'nj', 'nh', 'd', 'l', 'lg', 'lm', 'lb', 'ls', 'lt', 'lp', 'lh', 'm', 'b', 'bs', 's', 'ss',
  'ng', 'j', 'ch', 'k', 't', 'p', 'h'];
const SILENT_INITIAL = 11;

/** final+initial spellings that split into a (final, initial) pair in more than one way. */
const AMBIGUOUS: ReadonlySet<string> = (() => {
  const finals = new Set(FINALS);
  const initials = new Set(INITIALS);
  const out = new Set<string>();
  for (const f of FINALS) {
    for (const i of INITIALS) {
      const combined = f + i;
      let splits = 0;
      for (let k = 0; k < combined.length; k++) {
        if (finals.has(combined.slice(0, k)) && initials.has(combined.slice(k))) splits++;
        if (splits > 1) {
          out.add(combined);
          break;
        }
      }
    }
  }
  return out;
})();

interface Syllable { initial: number; vowel: number; final: number }

function syllable(ch: string): Syllable | null {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0xac00 || cp > 0xd7a3) return null;
  const index = cp - 0xac00;
  return { initial: Math.floor(index / 588), vowel: Math.floor(index / 28) % 21, final: index % 28 };
}

/** `Transliter(academic).translit(text)`. */
export function romanizeKorean(text: string): string {
  let out = '';
  let prev: Syllable | null = null;
  for (const ch of text) {
    const s = syllable(ch);
    if (s === null) out += ch;
    else {
      if (prev !== null && (s.initial === SILENT_INITIAL ||
        AMBIGUOUS.has((FINALS[prev.final] as string) + (INITIALS[s.initial] as string)))) out += '-';
      out += (INITIALS[s.initial] as string) + (VOWELS[s.vowel] as string) + (FINALS[s.final] as string);
    }
    prev = s;
  }
  return out;
}
