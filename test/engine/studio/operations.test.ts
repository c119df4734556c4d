import { describe, expect, it } from 'vitest';

import { parseRequest } from '../../../src/engine/request.js';
import { composeRequest, editRequest, extendRequest, remixRequest, repaintRequest, retakeRequest, type QueuedRequest } from '../../../src/engine/studio/operations.js';

const parent = {
  id: 'Abc123xyz0',
  source: { kind: 'song' as const, songId: 'Abc123xyz0' },
  seeds: [77],
  durationSeconds: 30,
  request: { task: 'text2music', tags: 'funk, pop', lyrics: '[verse]\na\nb\n[chorus]\nc\nd', duration: 30, steps: 27, guidanceScale: 12, scheduler: 'heun', seeds: [77] },
};

/** The queued request with its source reference swapped for a latent is a valid engine request. */
function asEngineRequest(queued: QueuedRequest) {
  const { source, ...rest } = queued;
  return parseRequest(source ? { ...rest, source: { kind: 'latent', latent: new Float32Array(128 * 322), frames: 322 } } : rest);
}

describe('operations', () => {
  it('compose: variants become a batch with consecutive seeds, defaults fill the gaps', () => {
    const request = asEngineRequest(composeRequest({ tags: 'lofi', variants: 3, seed: 5, visibility: 'private' }, { duration: 45, steps: 40 }));
    expect(request).toMatchObject({ task: 'text2music', batch: 3, seeds: [5], duration: 45, steps: 40 });
  });

  it("retake keeps the parent's recipe and original seed and mixes in a new one", () => {
    const request = asEngineRequest(retakeRequest(parent, { songId: parent.id, variance: 0.5, seed: 9 }));
    expect(request).toMatchObject({ task: 'retake', tags: 'funk, pop', duration: 30, steps: 27, guidanceScale: 12, scheduler: 'heun', seeds: [77], retakeSeeds: [9], variance: 0.5 });
  });

  it('repaint by lyric section picks that section’s estimated seconds', () => {
    const queued = repaintRequest(parent, { songId: parent.id, section: 'chorus' });
    expect(queued.source).toEqual({ kind: 'song', songId: parent.id });
    expect(asEngineRequest(queued)).toMatchObject({ task: 'repaint', start: 15, end: 30, variance: 0.5, seeds: [77] });
    expect(() => repaintRequest(parent, { songId: parent.id, section: 'bridge' })).toThrow(/section: no section "bridge".*verse, chorus/);
    expect(() => repaintRequest(parent, { songId: parent.id, start: 10, end: 45 })).toThrow(/end: 45 s is past the end/);
  });

  it('extend, edit and remix reference their source and validate', () => {
    expect(asEngineRequest(extendRequest(parent, { songId: parent.id, right: 20 }))).toMatchObject({ task: 'extend', left: 0, right: 20 });
    expect(asEngineRequest(editRequest(parent, { songId: parent.id, lyrics: '[verse]\nnew', mode: 'remix' }))).toMatchObject({ task: 'edit', preset: 'remix', targetLyrics: '[verse]\nnew', tags: 'funk, pop' });
    expect(() => editRequest(parent, { songId: parent.id })).toThrow(/lyrics: an edit needs/);
    expect(asEngineRequest(remixRequest({ source: { songId: 'x' }, tags: 'jazz', strength: 0.7 }, { kind: 'song', songId: 'x' }))).toMatchObject({ task: 'audio2audio', strength: 0.7 });
  });
});
