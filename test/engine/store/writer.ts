/**
 * Child process for the concurrency test: opens the store named on the command line, prints "ready",
 * waits for "go" on stdin, then writes `count` songs as fast as it can (20 in flight) and prints their ids.
 * argv: <storeUrl|-> <dataDir> <namespace> <writer> <parentId> <count>
 */
import { createInterface } from 'node:readline';

import { newSongId, openStore, type Song } from '../../../src/engine/store/index.js';

const [storeArg, dataDir, namespace, writer, parentId, countArg] = process.argv.slice(2);
if (dataDir === undefined || namespace === undefined || writer === undefined || parentId === undefined || countArg === undefined) {
  throw new Error('usage: writer.ts <storeUrl|-> <dataDir> <namespace> <writer> <parentId> <count>');
}
const store = await openStore({ storeUrl: storeArg === '-' ? null : (storeArg ?? null), dataDir }, { namespace });
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;

const count = Number(countArg);
const ids: string[] = [];
const song = (i: number): Song => ({
  id: newSongId(),
  owner: i % 2 === 0 ? 'crowd' : `writer-${writer}`,
  origin: 'cli',
  createdAt: 1_700_000_000_000 + i, // both writers use the same times: ties are ordered by id
  parentId,
  operation: 'remix',
  contributors: [`writer-${writer}`],
  channelId: 'shared-channel',
  guildId: null,
  visibility: 'public',
  request: { task: 'retake', writer, i },
  seeds: [i],
  retakeSeeds: null,
  pack: 'tiny',
  durationSeconds: 1,
  sampleRate: 48000,
  frames: 11,
  artifacts: {},
});
let next = 0;
await Promise.all(
  Array.from({ length: 20 }, async () => {
    while (next < count) {
      const s = song(next++);
      ids.push(s.id);
      await store.putSong(s);
    }
  }),
);
await store.close();
process.stdout.write(`${JSON.stringify(ids)}\n`);
