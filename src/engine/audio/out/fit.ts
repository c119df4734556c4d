/**
 * Picking a format and bitrate so a song fits an upload limit (issue 3/5 item 6;
 * `../shared/spec/product.md` §1.1: Discord allows 10 MiB per file by default and tells each interaction
 * its `attachment_size_limit`; past it, deliver a link).
 *
 * The preferred formats are tried in order; a lossy format walks its bitrate ladder downwards (MP3
 * 320→256→192→128→96→64, Opus 160→128→96→64→48; formats.ts). Each candidate's size is predicted first
 * and skipped without encoding when the prediction is over the limit: MP3 is CBR and predicted to the
 * byte (mp3.ts), Opus is constrained VBR and predicted with a 3 % + 1 KiB margin (opus.ts), WAV is exact, and
 * FLAC is skipped when even a 5:1 compression would not fit (music rarely beats 2:1). A candidate that was
 * encoded but came out over the limit moves on to the next one. The result is always under the limit,
 * or a link with the reason.
 */
import { InvalidInputError } from '../../errors.js';
import { encodeFlac } from './flac.js';
import { FORMATS, type OutputFormat } from './formats.js';
import { checkAudio } from './input.js';
import { encodeMp3, predictMp3Size } from './mp3.js';
import { encodeOpus, predictOpusSize } from './opus.js';
import { encodeWavFile, wavFileSize } from './wav.js';

export type FitFormat = Extract<OutputFormat, 'mp3' | 'opus' | 'flac' | 'wav16'>;

export interface FitOptions {
  /** Formats in order of preference (default mp3, then opus). */
  preferred?: readonly FitFormat[];
  tags?: Readonly<Record<string, string>>;
}

/** A file that fits: its format, bitrate (lossless: the average kb/s), bytes, extension and MIME type. */
export interface FittedFile {
  link: false;
  format: FitFormat;
  bitrateKbps: number;
  data: Uint8Array;
  ext: string;
  mime: string;
  /** How many encodes it took (predictions skip the hopeless ones). */
  encodes: number;
}

/** Nothing fits: deliver a link instead. */
export interface LinkInstead {
  link: true;
  reason: string;
  encodes: number;
}

/** FLAC is assumed to need at least this share of the 16-bit WAV size. */
const FLAC_BEST_RATIO = 0.2;

function mib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}

/**
 * Encodes `channels` in the first preferred format and highest bitrate whose file is at most
 * `limitBytes`, or says why none fits. Throws InvalidInputError for a bad limit or audio.
 */
export async function fitToLimit(channels: readonly Float32Array[], sampleRate: number, limitBytes: number, options: FitOptions = {}): Promise<FittedFile | LinkInstead> {
  if (!(Number.isFinite(limitBytes) && limitBytes > 0)) throw new InvalidInputError('limitBytes', `must be a positive number of bytes, got ${limitBytes}`);
  const preferred = options.preferred ?? ['mp3', 'opus'];
  if (preferred.length === 0) throw new InvalidInputError('preferred', 'needs at least one format');
  const length = checkAudio('fitToLimit', channels, sampleRate, 2);
  const tags = options.tags ?? {};
  const seconds = length / sampleRate;
  let encodes = 0;
  let smallest: { format: FitFormat; kbps: number | null; bytes: number } | null = null;
  const note = (format: FitFormat, kbps: number | null, bytes: number) => {
    if (!smallest || bytes < smallest.bytes) smallest = { format, kbps, bytes };
  };
  const done = (format: FitFormat, kbps: number, data: Uint8Array): FittedFile => ({ link: false, format, bitrateKbps: kbps, data, ext: FORMATS[format].ext, mime: FORMATS[format].mime, encodes });
  const average = (bytes: number) => Math.round((bytes * 8) / Math.max(seconds, 1e-9) / 1000);

  for (const format of preferred) {
    if (format === 'wav16') {
      const size = wavFileSize(length, channels.length, 16, tags);
      note(format, null, size);
      if (size > limitBytes) continue;
      encodes++;
      const data = encodeWavFile(channels, sampleRate, 16, tags);
      return done(format, average(data.length), data);
    }
    if (format === 'flac') {
      const floor = Math.ceil(wavFileSize(length, channels.length, 16) * FLAC_BEST_RATIO);
      if (floor > limitBytes) {
        note(format, null, floor);
        continue;
      }
      encodes++;
      const data = await encodeFlac(channels, sampleRate, { tags });
      note(format, null, data.length);
      if (data.length <= limitBytes) return done(format, average(data.length), data);
      continue;
    }
    for (const kbps of FORMATS[format].ladderKbps) {
      const predicted = format === 'mp3' ? predictMp3Size(length, sampleRate, kbps, tags) : predictOpusSize(length, sampleRate, kbps, tags);
      if (predicted > limitBytes) {
        note(format, kbps, predicted);
        continue;
      }
      encodes++;
      const data = format === 'mp3' ? await encodeMp3(channels, sampleRate, { bitrateKbps: kbps, tags }) : await encodeOpus(channels, sampleRate, { bitrateKbps: kbps, tags });
      note(format, kbps, data.length);
      if (data.length <= limitBytes) return done(format, kbps, data);
    }
  }
  const best = smallest as { format: FitFormat; kbps: number | null; bytes: number } | null;
  const how = best ? `; the smallest, ${best.format}${best.kbps ? ` at ${best.kbps} kb/s` : ''}, needs ${mib(best.bytes)}` : '';
  return { link: true, reason: `${seconds.toFixed(1)} s of audio does not fit in ${mib(limitBytes)} as ${preferred.join(' or ')}${how}`, encodes };
}
