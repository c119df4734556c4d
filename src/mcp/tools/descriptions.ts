/** Parameter descriptions and annotations the tools share, written for a model reading them. */
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';

export const TAGS_DESCRIPTION =
  'Style tags, comma-separated: genre, instruments, mood, tempo, vocals. Examples: "lofi hip hop, jazzy piano, vinyl crackle, chill, 80 bpm"; "epic orchestral, choir, taiko drums, cinematic"; "k-pop, female vocals, catchy, synth bass, 128 bpm". See the acejam://reference/tags resource for more.';

export const LYRICS_DESCRIPTION = `Lyrics with one structure tag per section, each on its own line: [intro], [verse], [pre-chorus], [chorus], [bridge], [hook], [inst], [solo], [break], [outro]. Example:
[verse]
Walking down an empty street tonight
[chorus]
Hold on, hold on, the morning's near
Empty or "[instrumental]" gives an instrumental. Lines may be in English, Chinese, Japanese, Korean, Spanish, French, German, Portuguese, Italian, Russian and other languages.`;

export const SONG_ID_DESCRIPTION = 'The id of the song to work from, as returned by compose_music or list_songs (e.g. "a1B2c3D4e5"). Songs other people made work too when they are public or shared with you.';

/** Generation tools add a song (never change or delete one) and run only the local model. */
export const GENERATION_ANNOTATIONS: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};

/** Lookups: read the store, change nothing. */
export const READ_ANNOTATIONS: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
