/**
 * A small safetensors reader for the pack's side files (`mel_filterbank.safetensors`, `langid.safetensors`;
 * docs/pack-format.md). The format is an 8-byte little-endian header length, a JSON header mapping each
 * tensor name to `{dtype, shape, data_offsets}` (plus an optional `__metadata__` of string values), then
 * the raw little-endian tensor bytes. Every tensor is copied into its own aligned buffer, so the typed
 * arrays returned never alias the file or each other.
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';

import { PackError } from './errors.js';

/** The safetensors dtypes this reader understands. F16 and BF16 are returned as raw 16-bit patterns. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

export type SafetensorsData =
  | Float64Array
  | Float32Array
  | Uint16Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint8Array;

/** One tensor: its stored dtype, its shape and its elements in row-major order. */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

/** Tensor name → tensor, in header order, plus the header's `__metadata__` (string → string). */
export class SafetensorsFile extends Map<string, SafeTensor> {
  metadata: Record<string, string> = {};

  /** The tensor `name`, or a PackError naming the file and the tensors it does have. */
  require(name: string, source = 'safetensors file'): SafeTensor {
    const tensor = this.get(name);
    if (!tensor) throw new PackError(`${source}: tensor ${name} is missing (has ${[...this.keys()].join(', ') || 'none'})`);
    return tensor;
  }
}

const ITEM_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

const MAX_HEADER_BYTES = 100 * 1024 * 1024;

function view(dtype: SafetensorsDtype, buffer: ArrayBuffer): SafetensorsData {
  switch (dtype) {
    case 'F64': return new Float64Array(buffer);
    case 'F32': return new Float32Array(buffer);
    case 'F16':
    case 'BF16':
    case 'U16': return new Uint16Array(buffer);
    case 'I64': return new BigInt64Array(buffer);
    case 'U64': return new BigUint64Array(buffer);
    case 'I32': return new Int32Array(buffer);
    case 'U32': return new Uint32Array(buffer);
    case 'I16': return new Int16Array(buffer);
    case 'I8': return new Int8Array(buffer);
    case 'U8':
    case 'BOOL': return new Uint8Array(buffer);
  }
}

/**
 * Parses safetensors bytes. `source` names the file in error messages. Throws PackError for anything
 * that is not a complete, consistent safetensors file (short file, header not JSON, offsets outside the
 * data, byte count not matching dtype × shape, unknown dtype).
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors file'): SafetensorsFile {
  if (endianness() !== 'LE') throw new PackError(`${source}: this reader needs a little-endian host`);
  if (bytes.length < 8) throw new PackError(`${source}: ${bytes.length} bytes is too short to be a safetensors file`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new PackError(`${source}: header length ${headerLength} does not fit the file (${bytes.length} bytes): not safetensors, or truncated`);
  }
  const base = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, base)));
  } catch (error) {
    throw new PackError(`${source}: header is not JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new PackError(`${source}: header is not a JSON object`);
  }
  const file = new SafetensorsFile();
  const dataBytes = bytes.length - base;
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null) throw new PackError(`${source}: __metadata__ is not an object`);
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value !== 'string') throw new PackError(`${source}: __metadata__.${key} is not a string`);
        file.metadata[key] = value;
      }
      continue;
    }
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = entry.dtype;
    if (typeof dtype !== 'string' || !(dtype in ITEM_BYTES)) {
      throw new PackError(`${source}: tensor ${name} has unsupported dtype ${String(dtype)}`);
    }
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new PackError(`${source}: tensor ${name} has an invalid shape ${JSON.stringify(shape)}`);
    }
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new PackError(`${source}: tensor ${name} has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [start, end] = offsets as [number, number];
    if (end < start || end > dataBytes) {
      throw new PackError(`${source}: tensor ${name} spans bytes [${start}, ${end}) but the data has ${dataBytes} bytes (truncated file?)`);
    }
    const itemBytes = ITEM_BYTES[dtype as SafetensorsDtype];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (count * itemBytes !== end - start) {
      throw new PackError(`${source}: tensor ${name} is ${dtype} ${JSON.stringify(shape)} = ${count * itemBytes} bytes, but its offsets span ${end - start}`);
    }
    // A copy into a fresh, aligned ArrayBuffer (Buffer#slice would alias the file's bytes).
    const buffer = new Uint8Array(bytes.subarray(base + start, base + end)).buffer;
    file.set(name, { dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], data: view(dtype as SafetensorsDtype, buffer) });
  }
  return file;
}

/** Reads a safetensors file from disk (see {@link parseSafetensors}); errors name the path. */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new PackError(`${path}: cannot read (${(error as Error).message})`, { cause: error });
  }
  return parseSafetensors(bytes, path);
}
