/**
 * Child process for the crash test (store.test.ts): stores a large artifact and is killed (SIGKILL)
 * by the parent while writing. Prints "writing <sha256>" just before `put`, "done" after it.
 * Run: node --import tsx test/engine/artifacts/put-child.ts <dataDir> <megabytes>
 */
import { createHash } from 'node:crypto';

import { ArtifactStore } from '../../../src/engine/artifacts/store.js';

const [dataDir, megabytes] = process.argv.slice(2);
const bytes = new Uint8Array(Number(megabytes) * 2 ** 20);
for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i >> 12) & 0xff;
const store = new ArtifactStore(dataDir!);
process.stdout.write(`writing ${createHash('sha256').update(bytes).digest('hex')}\n`);
await store.put(bytes, 'wav');
process.stdout.write('done\n');
