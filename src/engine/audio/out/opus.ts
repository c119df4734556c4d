/**
 * Ogg Opus delivery files (issue 3/5 item 6; `../shared/spec/product.md` §1.1: Discord plays Ogg Opus
 * inline and voice messages are Ogg Opus). @evan/opus (libopus, native addon with a wasm fallback)
 * gives raw packets; we wrap them as RFC 7845 says:
 *
 * - page 0: the OpusHead packet alone (version 1, channels, pre-skip = the encoder's lookahead, input
 *   rate, gain 0, mapping family 0), first-page flag;
 * - page 1: the OpusTags packet alone (vendor + the recipe as Vorbis comments, vorbis-comment.ts);
 * - then 20 ms audio packets, at most one second per page; each page's granule position counts the
 *   48 kHz samples decoded up to its last packet, pre-skip included, and the last page (end-of-stream
 *   flag) carries pre-skip + the song's length, so players trim the zero padding of the last packet.
 *
 * Audio is encoded at 48 kHz (other rates are resampled with resample.ts), constrained VBR (the size
 * stays within a few percent of bitrate × duration, which fit.ts relies on), complexity 10, music signal.
 */
import { Encoder } from '@evan/opus';

import { InvalidInputError } from '../../errors.js';
import { resample } from '../resample.js';
import { FORMATS } from './formats.js';
import { checkAudio, toInt16 } from './input.js';
import { OggPageWriter } from './ogg.js';
import { buildVorbisComment } from './vorbis-comment.js';

export const OPUS_RATE = 48000;
/** 20 ms packets. */
const FRAME = 960;
/** Packets per page: one second. */
const PACKETS_PER_PAGE = 50;
const VENDOR = 'acejam (libopus via @evan/opus)';

function opusHead(channels: number, preSkip: number, inputRate: number): Uint8Array {
  const head = new Uint8Array(19);
  const view = new DataView(head.buffer);
  head.set([0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64], 0); // "OpusHead"
  head[8] = 1; // version
  head[9] = channels;
  view.setUint16(10, preSkip, true);
  view.setUint32(12, inputRate, true);
  view.setInt16(16, 0, true); // output gain
  head[18] = 0; // mapping family 0: mono or stereo, no table
  return head;
}

function opusTags(tags: Readonly<Record<string, string>>): Uint8Array {
  const body = buildVorbisComment(VENDOR, tags);
  const packet = new Uint8Array(8 + body.length);
  packet.set([0x4f, 0x70, 0x75, 0x73, 0x54, 0x61, 0x67, 0x73], 0); // "OpusTags"
  packet.set(body, 8);
  return packet;
}

/**
 * Predicted size of {@link encodeOpus}'s output, meant as an upper bound: bitrate × duration + 3 % + 1 KiB
 * (constrained VBR overshoots by up to about 2 % on noise and on the first second) plus Ogg page
 * overhead and headers.
 */
export function predictOpusSize(length: number, sampleRate: number, bitrateKbps: number, tags: Readonly<Record<string, string>> = {}): number {
  const seconds = length / sampleRate;
  const packets = Math.ceil((seconds * OPUS_RATE + 312) / FRAME);
  const pages = 1 + Math.ceil(packets / PACKETS_PER_PAGE);
  const packetBytes = (1.03 * bitrateKbps * 1000 * FRAME) / OPUS_RATE / 8;
  const lacing = packets * (Math.floor(packetBytes / 255) + 1);
  return Math.ceil(1024 + packets * packetBytes + pages * 27 + lacing + 28 + 19 + 28 + opusTags(tags).length + 1);
}

/**
 * Encodes 1 or 2 channels to Ogg Opus at `bitrateKbps` (6–510, default 128) with the recipe tags.
 * The Ogg stream serial number is derived from the audio, so the same input gives the same bytes.
 */
export async function encodeOpus(channels: readonly Float32Array[], sampleRate: number, options: { bitrateKbps?: number; tags?: Readonly<Record<string, string>> } = {}): Promise<Uint8Array> {
  checkAudio('opus', channels, sampleRate, 2);
  const kbps = options.bitrateKbps ?? FORMATS.opus.defaultKbps!;
  if (!(kbps >= 6 && kbps <= 510)) throw new InvalidInputError('bitrateKbps', `Opus takes 6–510 kb/s, got ${kbps}`);
  const input = sampleRate === OPUS_RATE ? channels : channels.map((c) => resample(c, sampleRate, OPUS_RATE));
  const count = input.length;
  const length = input[0]!.length;

  const encoder = new Encoder({ channels: count as 1 | 2, sample_rate: OPUS_RATE, application: 'audio' });
  encoder.bitrate = Math.round(kbps * 1000);
  encoder.vbr = true;
  encoder.vbr_constraint = true;
  encoder.complexity = 10;
  encoder.signal = 'music';
  const preSkip = (encoder as unknown as { lookahead: number }).lookahead;

  let serial = 0x61636a6d; // "acjm", mixed with a few samples for a per-file serial
  for (let i = 0; i < Math.min(length, 64); i++) serial = (Math.imul(serial ^ toInt16(input[0]![i * 97 % length]!), 0x01000193) >>> 0);
  const ogg = new OggPageWriter(serial);
  ogg.packet(opusHead(count, preSkip, sampleRate), 0n, true);
  ogg.packet(opusTags(options.tags ?? {}), 0n, true);

  const packets = Math.ceil((length + preSkip) / FRAME);
  // Interleaved 16-bit PCM of the whole song, zero-padded to whole packets (one tight pass).
  const pcm = new Int16Array(packets * FRAME * count);
  for (let c = 0; c < count; c++) {
    const channel = input[c]!;
    for (let i = 0, at = c; i < length; i++, at += count) {
      const x = channel[i]!;
      const v = Math.round((x > 1 ? 1 : x < -1 ? -1 : x || 0) * 32768);
      pcm[at] = v > 32767 ? 32767 : v;
    }
  }
  const packetBytes = FRAME * count * 2;
  for (let k = 0; k < packets; k++) {
    const frame = new Uint8Array(pcm.buffer, k * packetBytes, packetBytes);
    const packet = new Uint8Array(encoder.encode(frame)); // the addon returns a view on its own buffer
    const last = k === packets - 1;
    const granule = last ? BigInt(preSkip + length) : BigInt((k + 1) * FRAME);
    ogg.packet(packet, granule);
    // The first audio packet gets a page of its own: decoders (ogg-opus-decoder) derive the start from
    // the first audio page, and mishandle pre-skip when that page is also the last one.
    if (!last && (k === 0 || ogg.pendingPackets >= PACKETS_PER_PAGE)) ogg.flush(false);
  }
  return ogg.finish();
}
