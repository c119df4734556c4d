/**
 * Decoding each upload format to float32 channels (issue 3/5 item 5). WAV and MP3 go through read.ts
 * (wavefile; mpg123-decoder with gapless trimming); FLAC and Ogg FLAC through @wasm-audio-decoders/flac,
 * Ogg Vorbis through @wasm-audio-decoders/ogg-vorbis, Ogg Opus through ogg-opus-decoder (48 kHz, pre-skip
 * and end trimming applied). All are WebAssembly builds installed from npm; nothing native.
 * The decoders' arrays live on their wasm heaps until copied, and each decoder is freed after use.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { OggOpusDecoder } from 'ogg-opus-decoder';

import { readAudio } from '../read.js';
import type { UploadFormat } from './sniff.js';

export interface Decoded {
  channels: Float32Array[];
  sampleRate: number;
  /** Messages of frames the decoder reported as bad (it skips them). */
  errors: string[];
}

interface WasmResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

function copy(result: WasmResult): Decoded {
  return {
    channels: result.channelData.map((c) => c.slice(0, result.samplesDecoded)),
    sampleRate: result.sampleRate,
    errors: result.errors.map((e) => e.message),
  };
}

async function withDecoder<D extends { ready: Promise<void>; free(): void; decodeFile(bytes: Uint8Array): Promise<WasmResult> }>(decoder: D, bytes: Uint8Array): Promise<Decoded> {
  await decoder.ready;
  try {
    return copy(await decoder.decodeFile(bytes));
  } finally {
    decoder.free();
  }
}

/** Decodes `bytes` of a sniffed `format`; library failures are thrown as they come (the caller words them). */
export async function decodeFormat(bytes: Uint8Array, format: UploadFormat): Promise<Decoded> {
  switch (format) {
    case 'wav':
    case 'mp3': {
      const audio = await readAudio(bytes);
      return { channels: audio.channels, sampleRate: audio.sampleRate, errors: [] };
    }
    case 'flac':
    case 'ogg-flac':
      return withDecoder(new FLACDecoder(), bytes);
    case 'ogg-vorbis':
      return withDecoder(new OggVorbisDecoder(), bytes);
    case 'ogg-opus':
      return withDecoder(new OggOpusDecoder(), bytes);
  }
}
