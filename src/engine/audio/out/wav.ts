/**
 * WAV delivery files (issue 3/5 item 6): 16- or 24-bit PCM written by `encodeWav` (../wav.ts, the one
 * WAV writer), with the tags in a LIST/INFO chunk placed before the `data` chunk (riff.ts).
 */
import { encodeWav } from '../wav.js';
import { checkAudio } from './input.js';
import { buildInfoChunk, insertChunkBeforeData } from './riff.js';

/** Most channels our WAV files carry (WAVE_FORMAT_PCM without a channel mask). */
const MAX_CHANNELS = 8;

/** A WAV file of `channels` at `bitDepth` (16 or 24) with `tags` in LIST/INFO. */
export function encodeWavFile(channels: readonly Float32Array[], sampleRate: number, bitDepth: 16 | 24, tags: Readonly<Record<string, string>> = {}): Uint8Array {
  checkAudio(`wav${bitDepth}`, channels, sampleRate, MAX_CHANNELS);
  return insertChunkBeforeData(encodeWav(channels, sampleRate, bitDepth), buildInfoChunk(tags));
}

/** Exact size of {@link encodeWavFile}'s output. */
export function wavFileSize(length: number, channelCount: number, bitDepth: 16 | 24, tags: Readonly<Record<string, string>> = {}): number {
  return 44 + length * channelCount * (bitDepth / 8) + buildInfoChunk(tags).length;
}
