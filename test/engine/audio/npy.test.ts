import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AcejamError } from '../../../src/engine/errors.js';
import { encodeNpy, parseNpy, readNpy, writeNpy } from '../../../src/engine/audio/npy.js';

/** A .npy file as numpy writes it (version 1.0, header padded to 64 bytes). */
function npyBytes(header: string, data: Uint8Array, version: 1 | 2 = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const padded = header + ' '.repeat((64 - ((prefix + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(prefix + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded.length, true);
  else view.setUint32(8, padded.length, true);
  out.set(new TextEncoder().encode(padded), prefix);
  out.set(data, prefix + padded.length);
  return out;
}

describe('npy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'acejam-npy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes numpy's exact v1.0 layout and reads it back", async () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => i - 3.5);
    const path = join(dir, 'a.npy');
    writeNpy(path, data, [2, 3, 4]);
    const bytes = new Uint8Array(await readFile(path));
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLength) % 64).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }");
    expect(header.endsWith('\n')).toBe(true);
    expect(bytes.length).toBe(10 + headerLength + 96);
    const back = readNpy(path);
    expect(back.shape).toEqual([2, 3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    // 1-D shapes use numpy's trailing comma; scalars an empty tuple.
    expect(new TextDecoder().decode(encodeNpy(new Float32Array(3), [3]))).toContain("'shape': (3,), }");
    expect(parseNpy(encodeNpy(Float32Array.of(2.5), [])).shape).toEqual([]);
  });

  it('reads headers written by other writers (double quotes, no spaces, version 2.0)', () => {
    const data = new Uint8Array(Float32Array.of(1, 2).buffer);
    expect(parseNpy(npyBytes('{"descr":"<f4","fortran_order":False,"shape":(1,2)}', data)).shape).toEqual([1, 2]);
    expect(Array.from(parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data, 2)).data)).toEqual([1, 2]);
  });

  it('rejects other dtypes, Fortran order and short data, naming the field', async () => {
    const eight = new Uint8Array(16);
    expect(() => parseNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", eight), 'x.npy')).toThrow(
      /x.npy: field 'descr' is '<f8': only '<f4'/,
    );
    expect(() => parseNpy(npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", eight))).toThrow(/field 'descr' is '>f4'/);
    expect(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", eight))).toThrow(/field 'fortran_order' is True/);
    expect(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", eight))).toThrow(/needs 20 data bytes but the file has 16/);
    expect(() => parseNpy(npyBytes("{'fortran_order': False, 'shape': (2,), }", eight))).toThrow(/no 'descr' field/);
    expect(() => parseNpy(new TextEncoder().encode('not numpy at all'))).toThrow(/bad magic/);
    const path = join(dir, 'bad.npy');
    await writeFile(path, npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", eight));
    expect(() => readNpy(path)).toThrow(AcejamError);
    expect(() => writeNpy(join(dir, 'c.npy'), new Float32Array(5), [2, 3])).toThrow(/holds 6 values but data has 5/);
  });
});
