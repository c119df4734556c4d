/**
 * Turning a user's upload into audio the engine takes, or a clear refusal before anything is queued
 * (issue 3/5 item 5; docs/service-contract.md "Artifacts and audio out").
 *
 * Order of checks, cheapest first, each an {@link InvalidInputError} on field `upload`:
 * 1. empty (0 bytes); 2. larger than `maxBytes` (nothing is parsed); 3. not audio, or audio in a format
 * we do not decode (the bytes decide, never the name; sniff.ts); 4. damaged or cut short according to
 * its headers (probe.ts); 5. longer than `maxSeconds` according to its headers, before decoding;
 * 6. the decoder fails, reports bad frames (FLAC frame CRCs, Ogg packets) or finds no samples; 7. after
 * decoding: FLAC shorter than STREAMINFO says (cut short), longer than `maxSeconds`, or a sample rate
 * outside 8–192 kHz. (`maxBytes` or `maxSeconds` themselves not positive: InvalidInputError on that field.)
 *
 * "Cut short" means the file's own headers promise more than is there (probe.ts lists the rules per
 * format), so a song truncated by a broken upload is refused with how much is missing instead of
 * silently becoming a shorter song.
 *
 * Length tolerance: codec padding can make a file of exactly `maxSeconds` decode a few milliseconds
 * longer, so up to {@link LENGTH_TOLERANCE_S} over is accepted and trimmed to `maxSeconds`.
 *
 * Channels: mono and stereo come back as they are (the engine duplicates mono); 3–8 channels are mixed
 * down to stereo (downmix.ts) and `downmixedFrom` says so; more than 8 are refused. The sample rate is
 * the file's own: the engine resamples to 44.1 kHz itself (audio/encode.ts), so doing it here would
 * only resample twice.
 */
import { InvalidInputError } from '../../errors.js';
import { decodeFormat, type Decoded } from './decoders.js';
import { downmixToStereo } from './downmix.js';
import { probeUpload } from './probe.js';
import { sniffUpload, type UploadFormat } from './sniff.js';
import { readAudioTags } from './tags.js';

/** Seconds over `maxSeconds` still accepted (and trimmed off). */
export const LENGTH_TOLERANCE_S = 0.5;
/** Sample rates the engine's requests accept. */
export const MIN_RATE = 8000;
export const MAX_RATE = 192000;
const MAX_CHANNELS = 8;

export interface DecodeUploadOptions {
  /** Largest accepted file (config `maxUploadBytes`). */
  maxBytes: number;
  /** Longest accepted audio: 240 s unless extending. */
  maxSeconds: number;
  /** The file's name, only to word messages. */
  name?: string;
}

export interface DecodedUpload {
  /** 1 or 2 channels, float32 in [−1, 1]. */
  channels: Float32Array[];
  sampleRate: number;
  format: UploadFormat;
  seconds: number;
  /** Channel count of the file when it was mixed down to stereo. */
  downmixedFrom: number | null;
  /** Tags found in the file (recipe keys of acejam files: out/tags.ts). */
  tags: Record<string, string>;
}

function size(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} bytes`;
}

const SUPPORTED = 'WAV, MP3, FLAC, Ogg Vorbis or Ogg Opus';

/** Decodes an upload as the module comment describes. */
export async function decodeUpload(bytes: Uint8Array, options: DecodeUploadOptions): Promise<DecodedUpload> {
  const { maxBytes, maxSeconds } = options;
  const file = options.name ? `"${options.name}"` : 'the file';
  const fail = (message: string, hint?: string): never => {
    throw new InvalidInputError('upload', message, hint ? { hint } : {});
  };
  if (!(maxBytes > 0)) throw new InvalidInputError('maxBytes', `must be a positive number of bytes, got ${maxBytes}`);
  if (!(maxSeconds > 0)) throw new InvalidInputError('maxSeconds', `must be a positive number of seconds, got ${maxSeconds}`);

  if (bytes.length === 0) fail(`${file} is empty (0 bytes)`, 'upload the audio file again');
  if (bytes.length > maxBytes) fail(`${file} is ${size(bytes.length)}, over the ${size(maxBytes)} upload limit`, 'trim it or send a compressed format (MP3, Opus)');

  const sniffed = sniffUpload(bytes);
  if (sniffed.kind === 'other') {
    fail(sniffed.audio ? `${file} is ${sniffed.what}, which acejam does not decode` : `${file} is ${sniffed.what}, not audio`, `send ${SUPPORTED}`);
  }
  if (sniffed.kind !== 'audio') return fail(`${file} is not an audio file acejam recognises`, `send ${SUPPORTED}`);
  const { format } = sniffed;
  const stream = sniffed.offset > 0 ? bytes.subarray(sniffed.offset) : bytes;

  const probe = probeUpload(stream, format);
  if (probe.problem) {
    fail(probe.problem.kind === 'truncated' ? `${file} is cut short: ${probe.problem.detail}` : `${file} is damaged: ${probe.problem.detail}`, 'upload the complete file again');
  }
  if (probe.samples !== null && probe.sampleRate) {
    const declared = probe.samples / probe.sampleRate;
    if (declared > maxSeconds + LENGTH_TOLERANCE_S) fail(`${file} is ${declared.toFixed(1)} s long, over the ${maxSeconds} s limit`, 'trim it first');
  }
  if (probe.channels !== null && probe.channels > MAX_CHANNELS) fail(`${file} has ${probe.channels} channels; at most ${MAX_CHANNELS} are mixed down to stereo`);

  let decoded: Decoded;
  try {
    decoded = await decodeFormat(stream, format);
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^audio bytes: /, '') : String(error);
    return fail(`${file} could not be decoded as ${format} (${why})`, 'the file may be damaged; upload it again');
  }
  const length = decoded.channels[0]?.length ?? 0;
  if (decoded.channels.length === 0 || length === 0) fail(`${file} holds no audio samples`);
  if (decoded.errors.length > 0) fail(`${file} is damaged: ${decoded.errors.length} bad frame(s), the first: ${decoded.errors[0]}`, 'upload the complete file again');
  if (format === 'flac' && probe.samples !== null && length < probe.samples) {
    const missing = (probe.samples - length) / decoded.sampleRate;
    fail(`${file} is cut short: FLAC header announces ${probe.samples} samples but ${length} decode (${missing.toFixed(1)} s missing)`, 'upload the complete file again');
  }
  const { sampleRate } = decoded;
  if (!(sampleRate >= MIN_RATE && sampleRate <= MAX_RATE)) fail(`${file} has a sample rate of ${sampleRate} Hz; ${MIN_RATE}–${MAX_RATE} Hz are accepted`);
  const seconds = length / sampleRate;
  if (seconds > maxSeconds + LENGTH_TOLERANCE_S) fail(`${file} is ${seconds.toFixed(1)} s long, over the ${maxSeconds} s limit`, 'trim it first');
  if (decoded.channels.length > MAX_CHANNELS) fail(`${file} has ${decoded.channels.length} channels; at most ${MAX_CHANNELS} are mixed down to stereo`);

  let channels = decoded.channels;
  // mpg123-decoder always outputs two channels; a mono MP3 (per its frame headers) comes back as one.
  if (probe.channels === 1 && channels.length === 2) channels = [channels[0]!];
  const downmixedFrom = channels.length > 2 ? channels.length : null;
  if (downmixedFrom !== null) channels = downmixToStereo(channels, format === 'ogg-opus' || format === 'ogg-vorbis' ? 'vorbis' : 'wav', probe.channelMask);
  const keep = Math.min(length, Math.floor(maxSeconds * sampleRate));
  if (keep < length) channels = channels.map((c) => c.slice(0, keep));

  return { channels, sampleRate, format, seconds: keep / sampleRate, downmixedFrom, tags: readAudioTags(bytes) ?? {} };
}
