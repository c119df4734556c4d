/**
 * One entry point for every delivery format (issue 3/5 item 6; docs/service-contract.md "Artifacts and
 * audio out"): the engine worker calls this to turn a song's 48 kHz stereo into the file a user gets.
 */
import { InvalidInputError } from '../../errors.js';
import { encodeFlac } from './flac.js';
import { FORMATS, OUTPUT_FORMATS, type EncodeOptions, type OutputFormat } from './formats.js';
import { encodeMp3 } from './mp3.js';
import { encodeOpus } from './opus.js';
import { encodeWavFile } from './wav.js';

/**
 * Encodes `channels` (float32 in [−1, 1], equal lengths) at `sampleRate` as `format`, with `tags` in the
 * file (tags.ts). wav16/wav24/flac ignore `bitrateKbps`; mp3 defaults to 192 kb/s CBR, opus to 128 kb/s
 * constrained VBR. MP3 and Opus take 1 or 2 channels, WAV and FLAC up to 8. Throws InvalidInputError for
 * an unknown format, bad audio or a bitrate the format does not take.
 */
export async function encodeAudioFile(format: OutputFormat, channels: readonly Float32Array[], sampleRate: number, options: EncodeOptions = {}): Promise<Uint8Array> {
  const tags = options.tags ?? {};
  switch (format) {
    case 'wav16':
      return encodeWavFile(channels, sampleRate, 16, tags);
    case 'wav24':
      return encodeWavFile(channels, sampleRate, 24, tags);
    case 'flac':
      return encodeFlac(channels, sampleRate, { tags });
    case 'mp3':
      return encodeMp3(channels, sampleRate, { ...options, tags });
    case 'opus':
      return encodeOpus(channels, sampleRate, { ...options, tags });
    default:
      throw new InvalidInputError('format', `unknown audio format ${JSON.stringify(format)}; one of ${OUTPUT_FORMATS.join(', ')}`);
  }
}

/** File extension (without dot) and MIME type of a format. */
export function formatFile(format: OutputFormat): { ext: string; mime: string } {
  const info = FORMATS[format];
  return { ext: info.ext, mime: info.mime };
}
