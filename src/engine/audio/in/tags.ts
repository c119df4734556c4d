/**
 * Reading tags back from an audio file (issue 3/5 item 6: the recipe travels in the file; out/tags.ts
 * gives the key mapping): ID3v2 in MP3, VORBIS_COMMENT in FLAC, OpusTags in Ogg Opus, the comment
 * header in Ogg Vorbis, LIST/INFO in WAV. Used to recognise an acejam file a user uploads again, and by
 * the tests to check what the encoders wrote.
 */
import { flacMetadata } from '../out/flac.js';
import { id3Size, parseId3 } from '../out/id3.js';
import { oggPackets, readOggPages } from '../out/ogg.js';
import { parseRiffInfo } from '../out/riff.js';
import { parseVorbisComment } from '../out/vorbis-comment.js';

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** The tags of a WAV, MP3, FLAC, Ogg Opus or Ogg Vorbis file, or null when it has none we read. */
export function readAudioTags(bytes: Uint8Array): Record<string, string> | null {
  if (ascii(bytes, 0, 4) === 'RIFF') return parseRiffInfo(bytes);
  const id3 = parseId3(bytes);
  const afterId3 = id3Size(bytes);
  if (ascii(bytes, afterId3, 4) === 'fLaC') {
    const meta = flacMetadata(bytes.subarray(afterId3));
    const comment = meta?.blocks.find((b) => b.type === 4);
    const parsed = comment ? parseVorbisComment(comment.body) : null;
    return parsed ? parsed.tags : id3;
  }
  if (id3) return id3;
  if (ascii(bytes, 0, 4) === 'OggS') {
    const packets = oggPackets(readOggPages(bytes, 16).pages, 2);
    const second = packets[1];
    if (!second) return null;
    if (ascii(second, 0, 8) === 'OpusTags') return parseVorbisComment(second.subarray(8))?.tags ?? null;
    if (second[0] === 3 && ascii(second, 1, 6) === 'vorbis') return parseVorbisComment(second.subarray(7))?.tags ?? null;
  }
  return null;
}
