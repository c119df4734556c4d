/**
 * numpy `.npy` files for latents and mels exchanged with Python tools (e.g. comparing against upstream):
 * format version 1.0 (2.0/3.0 headers are read too), dtype float32 little-endian (`<f4`), C order only.
 * Layout: magic `\x93NUMPY`, major, minor, a little-endian header length (u16 in 1.0, u32 in 2.0+), an
 * ASCII dict `{'descr': '<f4', 'fortran_order': False, 'shape': (…), }` padded with spaces and a newline
 * so the data starts at a multiple of 64 bytes, then the raw data.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';

import { AcejamError } from '../errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function fail(source: string, message: string): never {
  throw new AcejamError('INVALID_INPUT', `${source}: ${message}`, { hint: 'expected a float32 C-order .npy file (numpy: arr.astype("<f4"), np.ascontiguousarray)' });
}

/** Parses .npy bytes; `source` names the file in errors. */
export function parseNpy(bytes: Uint8Array, source = 'npy data'): { data: Float32Array; shape: number[] } {
  if (endianness() !== 'LE') fail(source, 'this reader needs a little-endian host');
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail(source, 'not a .npy file (bad magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail(source, 'truncated header');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    fail(source, `format version ${major}.${bytes[7]} is not supported`);
  }
  if (headerStart + headerLength > bytes.length) fail(source, 'truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  if (descr === undefined) fail(source, "header has no 'descr' field");
  if (descr !== '<f4') fail(source, `field 'descr' is '${descr}': only '<f4' (float32 little-endian) is supported`);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran === undefined) fail(source, "header has no 'fortran_order' field");
  if (fortran === 'True') fail(source, "field 'fortran_order' is True: only C order is supported");
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) fail(source, "header has no 'shape' field");
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : fail(source, `field 'shape' has a non-integer dimension '${s}'`)));

  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  const available = bytes.length - dataStart;
  if (available < count * 4) fail(source, `shape (${shape.join(', ')}) needs ${count * 4} data bytes but the file has ${available}`);
  // Copy into an aligned buffer (the data offset need not be a multiple of 4 in the Node Buffer pool).
  const data = new Float32Array(new Uint8Array(bytes.subarray(dataStart, dataStart + count * 4)).buffer);
  return { data, shape };
}

/** Reads a float32 C-order .npy file (spec: see module comment). Errors name the field at fault. */
export function readNpy(path: string): { data: Float32Array; shape: number[] } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new AcejamError('INVALID_INPUT', `${path}: cannot read (${(error as Error).message})`, { cause: error });
  }
  return parseNpy(bytes, path);
}

/** Encodes `data` with `shape` as a version 1.0 `<f4` C-order .npy file. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new AcejamError('INVALID_INPUT', `npy: shape [${shape.join(', ')}] must be non-negative integers`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new AcejamError('INVALID_INPUT', `npy: shape [${shape.join(', ')}] holds ${count} values but data has ${data.length}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1; // magic+version+length, dict, newline
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  if (header.length > 0xffff) throw new AcejamError('INVALID_INPUT', `npy: shape [${shape.join(', ')}] makes too long a header for format 1.0`);
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Writes `data` with `shape` to `path` as a float32 C-order .npy file (version 1.0). */
export function writeNpy(path: string, data: Float32Array, shape: readonly number[]): void {
  writeFileSync(path, encodeNpy(data, shape));
}
