/**
 * Python `re`/`str` semantics that upstream's lyric normaliser relies on, expressed for JavaScript regular
 * expressions (spec §14 item 4–5). Python 3 patterns on `str` are Unicode-aware: `\w` is "alphanumeric or `_`"
 * (letters and every numeric category, but *not* combining marks), `\d` is any decimal digit (`Nd`), `\s` is
 * `str.isspace()`, and `\b` is a boundary between those `\w` and non-`\w`. JavaScript's `\w`, `\d` and `\b` are
 * ASCII-only even with the `u` flag, so the normaliser builds its patterns from the fragments below.
 */

/** One Python `\w` character (inside a character class use {@link PY_WORD_CLASS_BODY}). */
export const PY_WORD = String.raw`[\p{L}\p{N}_]`;
/** The body of {@link PY_WORD}, to combine with other members inside `[...]`. */
export const PY_WORD_CLASS_BODY = String.raw`\p{L}\p{N}_`;
/** Python `\b` for Unicode `str` patterns. */
export const PY_BOUNDARY = String.raw`(?:(?<=${PY_WORD})(?!${PY_WORD})|(?<!${PY_WORD})(?=${PY_WORD}))`;
/** Python `\d` for `str` patterns: any decimal digit (general category Nd). */
export const PY_DIGIT = String.raw`\p{Nd}`;
/** The characters `str.isspace()` accepts (and Python's `\s` matches). */
export const PY_SPACE_BODY = String.raw`\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;
/** Python `\s`. */
export const PY_SPACE = `[${PY_SPACE_BODY}]`;

const LEADING_SPACE = new RegExp(`^${PY_SPACE}+`, 'u');
const TRAILING_SPACE = new RegExp(`${PY_SPACE}+$`, 'u');
const SPACE_RUNS = new RegExp(`${PY_SPACE}+`, 'gu');

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  return text.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}

/** Python's `re.sub(r"\s+", " ", text)` (upstream's `collapse_whitespace`). */
export function collapseWhitespace(text: string): string {
  return text.replace(SPACE_RUNS, ' ');
}

/** Python's `str.lower()`; JavaScript's locale-independent `toLowerCase` applies the same Unicode mappings. */
export function pyLower(text: string): string {
  return text.toLowerCase();
}

const ND = /\p{Nd}/u;

/**
 * The value of one decimal digit character (`unicodedata.digit` for category Nd), so that Python's
 * `int("١٥")` can be reproduced where upstream calls `int()` on a `\d+` match. Decimal digits come in
 * contiguous runs of ten starting at zero, so the value is the distance to the run start modulo ten.
 */
export function digitValue(ch: string): number {
  const cp = ch.codePointAt(0);
  if (cp === undefined || !ND.test(ch)) throw new Error(`not a decimal digit: ${ch}`);
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  let start = cp;
  while (start > 0 && ND.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Python's `int(s)` for a string of decimal digits (any script), as a bigint. */
export function pyInt(digits: string): bigint {
  let value = 0n;
  for (const ch of digits) value = value * 10n + BigInt(digitValue(ch));
  return value;
}

/** Python's `str.translate` with a one-to-one (or deleting, when mapped to '') character table. */
export function translate(text: string, table: ReadonlyMap<string, string>): string {
  let out = '';
  for (const ch of text) {
    const mapped = table.get(ch);
    out += mapped === undefined ? ch : mapped;
  }
  return out;
}
