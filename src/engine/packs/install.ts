/**
 * Installing a model pack into `<dataDir>/packs/<name>/` from a folder or an http(s) URL of a pack
 * folder (docs/pack-format.md). The manifest comes first; then every file it lists is copied or
 * downloaded into a staging folder (`<dataDir>/packs/.staging/<name>/`) as `<file>.part`, checked against
 * the manifest's size and sha256, and renamed; when all are there the staging folder is renamed into
 * place, so a pack folder is either complete or absent.
 *
 * * Resume: an interrupted download keeps its `.part`; the next attempt asks for the rest with an HTTP
 *   Range request (a server that ignores Range sends the whole file again, which also works).
 * * Safety: every path in the manifest must stay inside the pack folder. The one exception is a LoRA
 *   variant's `../<base>/<file>`, which is never fetched: it must already be installed, as the base pack
 *   `<dataDir>/packs/<base>/`, with the size the manifest says (install the base first).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { AcejamError, CancelledError, PackError } from '../errors.js';
import { manifestSchema, type PackManifest } from '../models/manifest.js';
import { describePack, packsDir, type PackSummary } from './list.js';
import { folderSource, urlSource, type PackSource } from './sources.js';

/** An installed pack, as `listPacks` describes it. */
export type InstalledPack = PackSummary;

export interface InstallProgress {
  /** The file being transferred (pack-relative). */
  file: string;
  fileBytes: number;
  fileTotal: number;
  /** Bytes of the whole pack present so far (including resumed and already complete files). */
  bytesDone: number;
  bytesTotal: number;
}

export interface AddPackOptions {
  onProgress?: (progress: InstallProgress) => void;
  signal?: AbortSignal;
}

/** A folder name a pack may have: no separators, no leading dot. */
const PACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

type PathRef = { kind: 'own'; path: string } | { kind: 'base'; base: string; path: string };

/**
 * Classifies a manifest path: inside the pack, or `../<base>/<file>` into a sibling base pack.
 * @throws PackError for anything else (absolute paths, `..` elsewhere, backslashes, empty segments).
 */
export function classifyPath(packName: string, path: string): PathRef {
  const refuse = (why: string): never => {
    throw new PackError(`pack ${packName}: refusing file path ${JSON.stringify(path)}: ${why}`, {
      hint: 'a pack may only name files inside its own folder, or ../<base pack>/<file> of an installed base pack',
    });
  };
  if (path.includes('\\') || path.includes('\0')) refuse('backslashes and NUL are not allowed');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || /^[a-z][a-z0-9+.-]*:/i.test(path)) refuse('it is absolute');
  const segments = path.split('/');
  if (segments.some((segment) => segment === '' || segment === '.')) refuse('empty or "." segments');
  if (segments[0] === '..') {
    const [, base, ...rest] = segments;
    if (base === undefined || !PACK_NAME.test(base) || rest.length === 0 || rest.includes('..'))
      refuse('it leaves the pack folder');
    return { kind: 'base', base: base!, path: rest.join('/') };
  }
  if (segments.includes('..')) refuse('it leaves the pack folder');
  return { kind: 'own', path };
}

/** Every path a manifest names (the files list and the graph, tokenizer, mel and langid references). */
function referencedPaths(manifest: PackManifest): string[] {
  const paths = manifest.files.map((entry) => entry.path);
  for (const graph of Object.values(manifest.graphs)) {
    for (const variant of Object.values(graph.precisions)) if (variant) paths.push(variant.file, ...variant.files);
  }
  paths.push(
    manifest.tokenizers.text.file,
    manifest.tokenizers.text.config,
    manifest.tokenizers.lyric.file,
    manifest.mel_frontend.file,
  );
  if (manifest.langid) paths.push(manifest.langid.file);
  return [...new Set(paths)];
}

function parseManifest(text: string, label: string): PackManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PackError(`${label}manifest.json is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new PackError(`${label}: not a valid acejam-pack/1 manifest: ${issues.join('; ')}`);
  }
  return parsed.data;
}

class Progress {
  bytesDone = 0;
  constructor(
    readonly bytesTotal: number,
    private readonly report: AddPackOptions['onProgress'],
  ) {}
  emit(file: string, fileBytes: number, fileTotal: number): void {
    this.report?.({ file, fileBytes, fileTotal, bytesDone: this.bytesDone, bytesTotal: this.bytesTotal });
  }
}

async function hashPrefix(path: string, bytes: number): Promise<Hash> {
  const hash = createHash('sha256');
  if (bytes > 0) for await (const chunk of createReadStream(path, { end: bytes - 1 })) hash.update(chunk as Buffer);
  return hash;
}

/** Brings one file into the staging folder: resume its `.part`, check size and sha256, rename. */
async function transfer(
  source: PackSource,
  entry: PackManifest['files'][number],
  staging: string,
  progress: Progress,
  signal?: AbortSignal,
) {
  const target = join(staging, entry.path);
  await mkdir(dirname(target), { recursive: true });
  // A file renamed into staging on an earlier attempt was verified then (and staging is wiped when the manifest changes).
  if ((await stat(target).catch(() => undefined))?.size === entry.bytes) {
    progress.bytesDone += entry.bytes;
    progress.emit(entry.path, entry.bytes, entry.bytes);
    return;
  }
  const part = `${target}.part`;
  let have = (await stat(part).catch(() => undefined))?.size ?? 0;
  if (have > entry.bytes) have = 0;
  let hash = await hashPrefix(part, have);
  let written = have;
  if (have < entry.bytes) {
    const opened = await source.open(entry.path, have, signal);
    if (opened.total !== undefined && opened.total !== entry.bytes) {
      await opened.cancel();
      throw new PackError(
        `${entry.path}: the source has ${opened.total} bytes, the manifest says ${entry.bytes} (a different version of the pack?)`,
      );
    }
    if (opened.start !== have) {
      hash = createHash('sha256');
      written = 0;
    }
    progress.bytesDone += written;
    progress.emit(entry.path, written, entry.bytes);
    const handle = await open(part, written === 0 ? 'w' : 'a');
    try {
      for await (const chunk of opened.body) {
        signal?.throwIfAborted();
        if (written + chunk.length > entry.bytes) {
          throw new PackError(
            `${entry.path}: the source sent more than the manifest's ${entry.bytes} bytes (a different version of the pack?)`,
          );
        }
        await handle.write(chunk);
        hash.update(chunk);
        written += chunk.length;
        progress.bytesDone += chunk.length;
        progress.emit(entry.path, written, entry.bytes);
      }
    } catch (error) {
      if (signal?.aborted || error instanceof AcejamError) throw error;
      throw truncated(entry, written, error);
    } finally {
      await handle.close();
    }
    if (written < entry.bytes) throw truncated(entry, written);
  } else {
    if (entry.bytes === 0) await writeFile(part, '');
    progress.bytesDone += written;
    progress.emit(entry.path, written, entry.bytes);
  }
  const digest = hash.digest('hex');
  if (digest !== entry.sha256) {
    await rm(part, { force: true });
    throw new PackError(`${entry.path} is corrupted: its sha256 is ${digest}, the manifest says ${entry.sha256}`, {
      hint: 'the partial file was deleted; run the install again to download it afresh',
    });
  }
  await rename(part, target);
}

function truncated(entry: PackManifest['files'][number], written: number, cause?: unknown): PackError {
  const why = cause instanceof Error ? ` (${cause.message})` : '';
  return new PackError(`${entry.path}: the transfer stopped at ${written} of ${entry.bytes} bytes${why}`, {
    hint: 'run the same install again: it resumes from the partial file',
    cause,
  });
}

/**
 * Installs a pack from a folder or an http(s) URL of a pack folder into `<dataDir>/packs/<name>/`.
 * Installing the same pack again is a no-op; a different pack of the same name is refused.
 * @throws PackError naming the file for a truncated transfer (resumable), a sha256 mismatch, a path that
 *   leaves the pack, or a missing base pack; AcejamError `PACK_NOT_FOUND` when the source has no manifest;
 *   CancelledError when `signal` aborts (the partial files stay, so the next attempt resumes).
 */
export async function addPack(source: string, dataDir: string, options: AddPackOptions = {}): Promise<InstalledPack> {
  try {
    return await install(source, dataDir, options);
  } catch (error) {
    if (options.signal?.aborted && !(error instanceof AcejamError)) {
      throw new CancelledError(
        `installing ${source} was cancelled; partial files are kept and the next attempt resumes`,
      );
    }
    throw error;
  }
}

async function install(source: string, dataDir: string, options: AddPackOptions): Promise<InstalledPack> {
  const { signal } = options;
  const from = /^https?:\/\//i.test(source) ? urlSource(new URL(source)) : folderSource(resolve(source));
  const text = await from.manifestText(signal);
  const manifest = parseManifest(text, from.label);
  if (!PACK_NAME.test(manifest.name)) {
    throw new PackError(
      `${from.label}: pack name ${JSON.stringify(manifest.name)} is not a safe folder name (letters, digits, . _ + -)`,
    );
  }
  const refs = referencedPaths(manifest).map((path) => classifyPath(manifest.name, path));

  const root = packsDir(dataDir);
  const finalDir = join(root, manifest.name);
  const installed = await readFile(join(finalDir, 'manifest.json'), 'utf8').catch(() => undefined);
  if (installed !== undefined) {
    if (installed === text) return describePack(finalDir);
    throw new AcejamError(
      'INVALID_INPUT',
      `a different pack named ${manifest.name} is already installed at ${finalDir}`,
      {
        hint: `remove that folder first to replace it`,
      },
    );
  }

  // A variant's base-pack files are never fetched: they must be installed already.
  for (const ref of refs) {
    if (ref.kind !== 'base') continue;
    const file = join(root, ref.base, ref.path);
    const entry = manifest.files.find((f) => f.path === `../${ref.base}/${ref.path}`);
    const info = await stat(file).catch(() => undefined);
    if (!info) {
      throw new PackError(
        `pack ${manifest.name} uses ${ref.path} of its base pack ${ref.base}, which is not installed in ${root}`,
        {
          hint: `install the base pack first: acejam packs add ${from.baseSource(ref.base)}`,
        },
      );
    }
    if (entry && info.size !== entry.bytes) {
      throw new PackError(
        `pack ${manifest.name} expects ${ref.path} of base pack ${ref.base} to have ${entry.bytes} bytes; the installed one has ${info.size}`,
        {
          hint: 'the installed base pack is a different version than the one this variant was exported from',
        },
      );
    }
  }

  const staging = join(root, '.staging', manifest.name);
  const staged = await readFile(join(staging, 'manifest.json'), 'utf8').catch(() => undefined);
  if (staged !== undefined && staged !== text) await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await writeFile(join(staging, 'manifest.json'), text);

  const own = manifest.files.filter((entry) => classifyPath(manifest.name, entry.path).kind === 'own');
  const progress = new Progress(
    own.reduce((sum, entry) => sum + entry.bytes, 0),
    options.onProgress,
  );
  for (const entry of own) await transfer(from, entry, staging, progress, signal);

  try {
    await rename(staging, finalDir);
  } catch (error) {
    throw new AcejamError('INVALID_INPUT', `cannot move the pack into ${finalDir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  await rmdir(join(root, '.staging')).catch(() => undefined);
  const summary = await describePack(finalDir);
  if (summary.problem) throw new PackError(`pack ${manifest.name} was installed but does not load: ${summary.problem}`);
  return summary;
}
