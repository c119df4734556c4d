/**
 * Which model packs this machine has: the ones `acejam packs add` installed under
 * `<dataDir>/packs/<name>/`, and the tiny pack bundled with the repository (docs/pack-format.md).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { GRAPH_NAMES, type GraphName, type PackManifest } from '../models/manifest.js';
import { readPack, type Precision } from '../models/pack.js';

/** The tiny pack committed with the repository (`models/tiny`). */
export const BUNDLED_PACK_DIR = fileURLToPath(new URL('../../../models/tiny', import.meta.url));

/** Where installed packs live: `<dataDir>/packs`. */
export function packsDir(dataDir: string): string {
  return join(dataDir, 'packs');
}

export interface PackSummary {
  name: string;
  description: string;
  /** Absolute pack folder. */
  dir: string;
  graphs: GraphName[];
  /** The precisions every graph has (a pack runs at one precision throughout). */
  precisions: Precision[];
  /** Bytes of the pack's own files. */
  bytes: number;
  /** Bytes it uses from its base pack (`../<base>/…`, LoRA variants); 0 for a base pack. */
  sharedBytes: number;
  /** True for the repository's tiny pack. */
  bundled: boolean;
  /** Set when the folder is not a loadable pack (bad manifest, missing or short file); the other fields are then partial. */
  problem?: string;
}

/** A summary of a manifest; `dir` is where the pack is (or will be). */
export function summarize(manifest: PackManifest, dir: string, bundled: boolean): PackSummary {
  let bytes = 0;
  let sharedBytes = 0;
  for (const entry of manifest.files) {
    if (entry.path.startsWith('../')) sharedBytes += entry.bytes;
    else bytes += entry.bytes;
  }
  const graphs = GRAPH_NAMES.filter((graph) => manifest.graphs[graph]);
  const precisions = (['fp32', 'fp16'] as const).filter((p) =>
    graphs.every((graph) => manifest.graphs[graph].precisions[p]),
  );
  return {
    name: manifest.name,
    description: manifest.description,
    dir,
    graphs,
    precisions,
    bytes,
    sharedBytes,
    bundled,
  };
}

/** Reads one pack folder (manifest schema and file sizes); a broken one comes back with `problem` set. */
export async function describePack(dir: string, bundled = false): Promise<PackSummary> {
  try {
    const pack = await readPack(dir);
    return summarize(pack.manifest, pack.dir, bundled);
  } catch (error) {
    const name = dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
    return {
      name,
      description: '',
      dir,
      graphs: [],
      precisions: [],
      bytes: 0,
      sharedBytes: 0,
      bundled,
      problem: (error as Error).message,
    };
  }
}

/** The bundled tiny pack first, then the installed packs by name. Folders starting with `.` (downloads in progress) are skipped. */
export async function listPacks(dataDir: string): Promise<PackSummary[]> {
  const root = packsDir(dataDir);
  const entries = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const names = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  const installed = await Promise.all(names.map((name) => describePack(join(root, name))));
  return [await describePack(BUNDLED_PACK_DIR, true), ...installed];
}
