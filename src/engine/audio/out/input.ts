/**
 * Checks shared by the encoders (issue 3/5 item 6): at least one channel, all the same length, a
 * positive whole sample rate, and no more channels than the format carries. Throws
 * {@link InvalidInputError} on field `audio`.
 */
import { InvalidInputError } from '../../errors.js';

/** Returns the length in samples of each channel after checking the input. */
export function checkAudio(format: string, channels: readonly Float32Array[], sampleRate: number, maxChannels: number): number {
  if (channels.length === 0) throw new InvalidInputError('audio', `${format}: no channels to encode`);
  if (channels.length > maxChannels) {
    throw new InvalidInputError('audio', `${format}: ${channels.length} channels, at most ${maxChannels} supported`, { hint: 'mix down to stereo first' });
  }
  const length = channels[0]!.length;
  if (channels.some((c) => c.length !== length)) {
    throw new InvalidInputError('audio', `${format}: channels differ in length (${channels.map((c) => c.length).join(', ')})`);
  }
  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0) {
    throw new InvalidInputError('audio', `${format}: sample rate must be a positive whole number, got ${sampleRate}`);
  }
  return length;
}

/** Float sample → 16-bit integer: clamp to [−1, 1], scale by 32768, round, clip to 32767 (as wav.ts does); NaN → 0. */
export function toInt16(x: number): number {
  const clamped = x > 1 ? 1 : x < -1 ? -1 : x || 0;
  const v = Math.round(clamped * 32768);
  return v > 32767 ? 32767 : v;
}
