/**
 * Content-addressed artifact files (issue 3/5 item 3; docs/service-contract.md "Artifacts and audio
 * out"): `<dataDir>/artifacts/<sha256[0:2]>/<sha256>.<ext>`.
 *
 * Crash safety: `put` writes a temp file `.tmp-…` in the final file's own folder, fsyncs it, renames it
 * over the final name (atomic on POSIX within one file system) and fsyncs the folder, so after a crash
 * at any point there is either the complete file or no file under the final name, never a partial one.
 * Left-over temp files are removed by `sweep` once they are an hour old.
 *
 * Content addressing makes `put` idempotent: the same bytes give the same name, and a file already there
 * (same size) is not written again, only its time stamp refreshed. That time stamp is what protects a new
 * file from `sweep` in the window between writing the files and writing the song record that references
 * them (no record is written before its files): sweep only removes unreferenced files older than an hour.
 * (A `put` of existing bytes racing a `sweep` that already judged that file old can still lose it; run
 * sweep from one place, e.g. at start-up and then hourly, and pass every referenced sha256 as live.)
 *
 * Retention and budget: `enforceBudget` plans with budget.ts, has the caller drop the song records
 * first, then deletes the freed files, so a record never points at a missing file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Stats } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';

import { InvalidInputError } from '../errors.js';
import { planBudget, type BudgetLimits, type BudgetPlan, type BudgetSong } from './budget.js';

export interface ArtifactRef {
  sha256: string;
  bytes: number;
  path: string;
}

export interface StoredArtifact extends ArtifactRef {
  ext: string;
  mtimeMs: number;
}

export interface SweepOptions {
  /** Default `Date.now()`. */
  now?: number;
  /** Unreferenced files younger than this are kept (their record may be about to be written). Default 1 h. */
  minAgeMs?: number;
  /** Temp files older than this are removed. Default 1 h. */
  tempMaxAgeMs?: number;
}

export interface SweepResult {
  /** Final files removed, as `<sha256>.<ext>`. */
  removed: string[];
  /** Temp files removed. */
  temps: string[];
  bytesFreed: number;
}

const HOUR_MS = 3_600_000;
const SHA256 = /^[0-9a-f]{64}$/;
const EXT = /^[a-z0-9]{1,16}$/;
const FINAL_NAME = /^([0-9a-f]{64})\.([a-z0-9]{1,16})$/;
const TEMP_PREFIX = '.tmp-';

function checkSha(sha256: string): void {
  if (!SHA256.test(sha256)) throw new InvalidInputError('sha256', `must be 64 lower-case hex digits, got ${JSON.stringify(sha256)}`);
}

function checkExt(ext: string): void {
  if (!EXT.test(ext)) throw new InvalidInputError('ext', `must be 1–16 lower-case letters or digits, got ${JSON.stringify(ext)}`);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** fsync a folder so a rename or new entry in it survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class ArtifactStore {
  /** `<dataDir>/artifacts`. */
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'artifacts');
  }

  /** Where the artifact `sha256` with extension `ext` lives (whether or not it exists). */
  path(sha256: string, ext: string): string {
    checkSha(sha256);
    checkExt(ext);
    return join(this.root, sha256.slice(0, 2), `${sha256}.${ext}`);
  }

  /** Stores `bytes` under their SHA-256 (see the module comment for atomicity and idempotence). */
  async put(bytes: Uint8Array, ext: string): Promise<ArtifactRef> {
    checkExt(ext);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.path(sha256, ext);
    const dir = join(this.root, sha256.slice(0, 2));
    const existing = await stat(path).catch((error: unknown) => {
      if (isMissing(error)) return null;
      throw error;
    });
    if (existing?.isFile() && existing.size === bytes.length) {
      const now = new Date();
      await utimes(path, now, now); // fresh again: sweep's grace period starts over
      return { sha256, bytes: bytes.length, path };
    }
    const created = await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${sha256}.${ext}.${process.pid}.${randomBytes(6).toString('hex')}`);
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await handle.close();
    await rename(temp, path);
    await syncDir(dir);
    if (created !== undefined) await syncDir(this.root).catch(() => undefined); // the new sub-folder's entry
    return { sha256, bytes: bytes.length, path };
  }

  /** Whether the artifact exists. */
  async has(sha256: string, ext: string): Promise<boolean> {
    try {
      return (await stat(this.path(sha256, ext))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /**
   * Reads an artifact; with `verify` the SHA-256 is checked. Throws InvalidInputError (field
   * `sha256`) for a missing artifact and Error for one whose bytes do not match its name.
   */
  async read(sha256: string, ext: string, options: { verify?: boolean } = {}): Promise<Uint8Array> {
    let data: Buffer;
    try {
      data = await readFile(this.path(sha256, ext));
    } catch (error) {
      if (isMissing(error)) throw new InvalidInputError('sha256', `no artifact ${sha256}.${ext}`, { cause: error });
      throw error;
    }
    if (options.verify && createHash('sha256').update(data).digest('hex') !== sha256) {
      throw new Error(`artifact ${sha256}.${ext} is damaged: its content no longer matches its SHA-256`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Every final artifact file (temp files excluded). */
  async list(): Promise<StoredArtifact[]> {
    const out: StoredArtifact[] = [];
    for (const { name, path, stats } of await this.entries()) {
      const match = FINAL_NAME.exec(name);
      if (match) out.push({ sha256: match[1]!, ext: match[2]!, bytes: stats.size, path, mtimeMs: stats.mtimeMs });
    }
    return out;
  }

  /** Total bytes of final artifact files. */
  async usage(): Promise<number> {
    return (await this.list()).reduce((sum, a) => sum + a.bytes, 0);
  }

  /**
   * Removes artifacts whose SHA-256 is not in `live` (and older than `minAgeMs`), and temp files older
   * than `tempMaxAgeMs` (left by a crash mid-write).
   */
  async sweep(live: ReadonlySet<string>, options: SweepOptions = {}): Promise<SweepResult> {
    const now = options.now ?? Date.now();
    const minAge = options.minAgeMs ?? HOUR_MS;
    const tempAge = options.tempMaxAgeMs ?? HOUR_MS;
    const result: SweepResult = { removed: [], temps: [], bytesFreed: 0 };
    for (const { name, path, stats } of await this.entries()) {
      const age = now - stats.mtimeMs;
      if (name.startsWith(TEMP_PREFIX)) {
        if (age < tempAge) continue;
        if (await this.unlinkQuiet(path)) {
          result.temps.push(name);
          result.bytesFreed += stats.size;
        }
        continue;
      }
      const match = FINAL_NAME.exec(name);
      if (!match || live.has(match[1]!) || age < minAge) continue;
      if (await this.unlinkQuiet(path)) {
        result.removed.push(name);
        result.bytesFreed += stats.size;
      }
    }
    return result;
  }

  /**
   * Applies retention and the disk budget (budget.ts): plans which songs go, calls `dropSongs` with
   * their ids (the caller deletes the records; if it throws, no file is touched), then deletes the
   * files no kept song references. Returns the plan.
   */
  async enforceBudget(limits: BudgetLimits, songsOldestFirst: readonly BudgetSong[], dropSongs: (songIds: string[]) => Promise<void>, options: { now?: number } = {}): Promise<BudgetPlan> {
    const sizes = new Map<string, number>();
    for (const artifact of await this.list()) sizes.set(artifact.sha256, (sizes.get(artifact.sha256) ?? 0) + artifact.bytes);
    const plan = planBudget(limits, songsOldestFirst, sizes, options.now ?? Date.now());
    if (plan.songIds.length === 0) return plan;
    await dropSongs(plan.songIds);
    await this.remove(plan.sha256s);
    return plan;
  }

  /** Deletes every file of these artifacts (any extension). Returns the file names removed. */
  async remove(sha256s: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const sha256 of sha256s) {
      checkSha(sha256);
      const dir = join(this.root, sha256.slice(0, 2));
      const names = await readdir(dir).catch((error: unknown) => {
        if (isMissing(error)) return [] as string[];
        throw error;
      });
      for (const name of names) {
        if (name.startsWith(`${sha256}.`) && FINAL_NAME.test(name) && (await this.unlinkQuiet(join(dir, name)))) removed.push(name);
      }
    }
    return removed;
  }

  private async unlinkQuiet(path: string): Promise<boolean> {
    try {
      await unlink(path);
      return true;
    } catch (error) {
      if (isMissing(error)) return false; // removed meanwhile
      throw error;
    }
  }

  /** Files in the two-hex-digit sub-folders, with their stats. */
  private async entries(): Promise<{ name: string; path: string; stats: Stats }[]> {
    const dirs = await readdir(this.root).catch((error: unknown) => {
      if (isMissing(error)) return [] as string[];
      throw error;
    });
    const out: { name: string; path: string; stats: Stats }[] = [];
    for (const dir of dirs) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      const names = await readdir(join(this.root, dir)).catch((error: unknown) => {
        if (isMissing(error)) return [] as string[];
        throw error;
      });
      for (const name of names) {
        const path = join(this.root, dir, name);
        const stats = await stat(path).catch(() => null);
        if (stats?.isFile()) out.push({ name, path, stats });
      }
    }
    return out;
  }
}
