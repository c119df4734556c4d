/**
 * The recipe a delivered file carries in its tags (issue 3/5 item 6; `../shared/spec/product.md` §1.1):
 * song id, seeds, tags (the prompt), pack, so a file found later says how to make it again.
 *
 * Tags are a flat `Record<string, string>`. Keys are lower-case ASCII (`[a-z0-9_]`); each writer maps
 * them to its format:
 *
 * | key | MP3 (ID3v2.4) | Ogg Opus / FLAC (Vorbis comment) | WAV (RIFF LIST/INFO) |
 * |---|---|---|---|
 * | title | TIT2 | TITLE | INAM |
 * | artist | TPE1 | ARTIST | IART |
 * | album | TALB | ALBUM | IPRD |
 * | date | TDRC | DATE | ICRD |
 * | genre | TCON | GENRE | IGNR |
 * | comment | COMM (eng) | COMMENT | ICMT (first lines) |
 * | encoder | TSSE | ENCODER | ISFT |
 * | any other, e.g. acejam_song_id | TXXX (description = key) | ACEJAM_SONG_ID | ICMT line `key=value` |
 *
 * `readAudioTags` (in/tags.ts) maps them back, so these keys round-trip in every format (in WAV,
 * newlines inside values become spaces).
 */

/** The standard keys with a native field in every format. */
export const STANDARD_TAGS = ['title', 'artist', 'album', 'date', 'genre', 'comment', 'encoder'] as const;

/** ID3v2.4 text frames for the standard keys (comment uses COMM, handled by the ID3 writer). */
export const ID3_FRAMES: Readonly<Record<string, string>> = {
  title: 'TIT2',
  artist: 'TPE1',
  album: 'TALB',
  date: 'TDRC',
  genre: 'TCON',
  encoder: 'TSSE',
};

/** RIFF INFO chunk ids for the standard keys; other keys go into ICMT as `key=value` lines. */
export const RIFF_INFO_IDS: Readonly<Record<string, string>> = {
  title: 'INAM',
  artist: 'IART',
  album: 'IPRD',
  date: 'ICRD',
  genre: 'IGNR',
  comment: 'ICMT',
  encoder: 'ISFT',
};

/** What a song's file says about how it was made. */
export interface Recipe {
  songId: string;
  seeds: readonly number[];
  /** The style tags (prompt). */
  tags: string;
  pack: string;
  title?: string;
  parentId?: string | null;
  operation?: string | null;
}

/**
 * The tag set for a song's file: title (given, or "acejam <id>"), artist "acejam", a one-line comment
 * with the recipe, and the machine-readable `acejam_*` keys.
 */
export function recipeTags(recipe: Recipe): Record<string, string> {
  const seeds = recipe.seeds.join(',');
  const tags: Record<string, string> = {
    title: recipe.title ?? `acejam ${recipe.songId}`,
    artist: 'acejam',
    comment: `acejam song ${recipe.songId} · seed ${seeds} · pack ${recipe.pack} · ${recipe.tags}`,
    encoder: 'acejam',
    acejam_song_id: recipe.songId,
    acejam_seed: seeds,
    acejam_tags: recipe.tags,
    acejam_pack: recipe.pack,
  };
  if (recipe.parentId) tags.acejam_parent_id = recipe.parentId;
  if (recipe.operation) tags.acejam_operation = recipe.operation;
  return tags;
}
