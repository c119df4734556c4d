/**
 * The `acejam` command line. Until the engine lands, its job is checking model packs:
 *   acejam packs verify [PATH]   validate a pack's manifest, files (sha256) and every graph's IO
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AcejamError } from '../engine/errors.js';
import { readPack, verifyPack } from '../engine/models/pack.js';

const DEFAULT_PACK = resolve(fileURLToPath(new URL('../../models/tiny', import.meta.url)));

const USAGE = `usage: acejam packs verify [PATH]   (default PATH: ${DEFAULT_PACK})`;

async function packsVerify(path: string): Promise<void> {
  const pack = await readPack(path);
  const report = await verifyPack(pack);
  console.log(`pack ${report.pack}: manifest valid, ${report.files} files match their sha256`);
  for (const graph of report.graphs) {
    console.log(`  ${graph.graph} (${graph.precision}): ${graph.inputs} inputs, ${graph.outputs} outputs match the manifest`);
  }
  console.log(pack.manifest.description);
}

export async function main(argv: string[]): Promise<number> {
  const [group, action, path] = argv;
  try {
    if (group === 'packs' && action === 'verify') {
      await packsVerify(path ?? DEFAULT_PACK);
      return 0;
    }
    console.error(USAGE);
    return 64;
  } catch (error) {
    if (error instanceof AcejamError) {
      console.error(`error (${error.code}): ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
