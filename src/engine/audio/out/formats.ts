/**
 * The delivery formats (issue 3/5 item 6; `../shared/spec/product.md` §1.1: Discord plays MP3 and Ogg
 * Opus inline, uploads are limited per file) with their file extension, MIME type and bitrate ladder.
 */

export type OutputFormat = 'wav16' | 'wav24' | 'flac' | 'mp3' | 'opus';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['wav16', 'wav24', 'flac', 'mp3', 'opus'];

export interface FormatInfo {
  ext: string;
  mime: string;
  lossless: boolean;
  /** Bitrates tried by fitToLimit, highest first (lossy formats only). */
  ladderKbps: readonly number[];
  /** Bitrate used when none is asked for. */
  defaultKbps: number | null;
}

export const FORMATS: Readonly<Record<OutputFormat, FormatInfo>> = {
  wav16: { ext: 'wav', mime: 'audio/wav', lossless: true, ladderKbps: [], defaultKbps: null },
  wav24: { ext: 'wav', mime: 'audio/wav', lossless: true, ladderKbps: [], defaultKbps: null },
  flac: { ext: 'flac', mime: 'audio/flac', lossless: true, ladderKbps: [], defaultKbps: null },
  mp3: { ext: 'mp3', mime: 'audio/mpeg', lossless: false, ladderKbps: [320, 256, 192, 128, 96, 64], defaultKbps: 192 },
  opus: { ext: 'opus', mime: 'audio/ogg', lossless: false, ladderKbps: [160, 128, 96, 64, 48], defaultKbps: 128 },
};

/** Options every encoder takes. */
export interface EncodeOptions {
  /** Lossy formats only: the target bitrate in kb/s (MP3: one of LAME's CBR rates; Opus: 6–510). */
  bitrateKbps?: number;
  /** Tags written into the file (keys and mapping: tags.ts). */
  tags?: Readonly<Record<string, string>>;
}

/** MP3 CBR bitrates LAME accepts (MPEG-1 and MPEG-2 rates together). */
export const MP3_BITRATES = [8, 16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] as const;
export type Mp3Bitrate = (typeof MP3_BITRATES)[number];
