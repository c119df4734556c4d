import { describe, expect, it } from 'vitest';

import { buildId3, id3Size, parseId3 } from '../../../../src/engine/audio/out/id3.js';
import { buildInfoChunk, insertChunkBeforeData, parseRiffInfo, riffChunks } from '../../../../src/engine/audio/out/riff.js';
import { recipeTags } from '../../../../src/engine/audio/out/tags.js';
import { buildVorbisComment, parseVorbisComment, vorbisFieldName } from '../../../../src/engine/audio/out/vorbis-comment.js';
import { encodeWav } from '../../../../src/engine/audio/wav.js';

const TAGS = recipeTags({ songId: 'Ab3dE5gH9k', seeds: [42, 7], tags: 'lofi, piano, 80 bpm', pack: 'acestep-v1-int8', title: 'Nächtliches Café ☕', parentId: 'Zz9yX8wV7u', operation: 'retake' });

describe('recipe tags', () => {
  it('carry song id, seeds, tags and pack under lower-case keys', () => {
    expect(TAGS).toMatchObject({ acejam_song_id: 'Ab3dE5gH9k', acejam_seed: '42,7', acejam_tags: 'lofi, piano, 80 bpm', acejam_pack: 'acestep-v1-int8', acejam_parent_id: 'Zz9yX8wV7u', acejam_operation: 'retake', artist: 'acejam' });
    expect(TAGS.comment).toContain('Ab3dE5gH9k');
  });
});

describe('ID3v2.4', () => {
  it('round-trips standard frames, COMM and TXXX with UTF-8 text', () => {
    const tag = buildId3(TAGS);
    expect(String.fromCharCode(...tag.subarray(0, 3))).toBe('ID3');
    expect(tag[3]).toBe(4);
    expect(id3Size(tag)).toBe(tag.length);
    const text = Buffer.from(tag).toString('latin1');
    for (const id of ['TIT2', 'TPE1', 'COMM', 'TXXX', 'TSSE']) expect(text).toContain(id);
    expect(parseId3(tag)).toEqual(TAGS);
    expect(buildId3({}).length).toBe(0);
  });

  it('reads ID3v2.3 frames in UTF-16 with a BOM and Latin-1 (what other taggers write)', () => {
    const utf16 = Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from('Tïtle', 'utf16le')]);
    const latin = Buffer.concat([Buffer.from([0]), Buffer.from('acejam_seed\0', 'latin1'), Buffer.from('99', 'latin1')]);
    const frame = (id: string, body: Buffer) => {
      const head = Buffer.alloc(10);
      head.write(id, 0, 'latin1');
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    const body = Buffer.concat([frame('TIT2', utf16), frame('TXXX', latin), Buffer.alloc(20)]);
    const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, (body.length >> 7) & 0x7f, body.length & 0x7f]);
    expect(parseId3(new Uint8Array(Buffer.concat([header, body])))).toEqual({ title: 'Tïtle', acejam_seed: '99' });
  });
});

describe('Vorbis comments', () => {
  it('upper-case the field names on write and lower-case them on read', () => {
    const body = buildVorbisComment('acejam test', TAGS);
    const text = Buffer.from(body).toString('utf8');
    expect(text).toContain('ACEJAM_SONG_ID=Ab3dE5gH9k');
    expect(text).toContain('TITLE=Nächtliches Café ☕');
    expect(parseVorbisComment(body)).toEqual({ vendor: 'acejam test', tags: TAGS });
    expect(vorbisFieldName('a=b~c')).toBe('A_B_C');
    expect(parseVorbisComment(body.subarray(0, body.length - 3))).toBeNull();
  });
});

describe('RIFF LIST/INFO', () => {
  it('goes before the data chunk and round-trips (custom keys as ICMT lines)', () => {
    const wav = encodeWav([new Float32Array([0, 0.5, -0.5])], 8000, 16);
    const withInfo = insertChunkBeforeData(wav, buildInfoChunk(TAGS));
    const ids = riffChunks(withInfo).map((c) => c.id);
    expect(ids).toEqual(['fmt ', 'LIST', 'data']);
    expect(new DataView(withInfo.buffer).getUint32(4, true)).toBe(withInfo.length - 8);
    expect(parseRiffInfo(withInfo)).toEqual(TAGS);
    expect(insertChunkBeforeData(wav, buildInfoChunk({}))).toBe(wav);
  });
});
