/**
 * Local files for stdio clients: the folders a client lets the server touch (its MCP roots, else the
 * working directory) and the checks that keep `output_dir` and `file_path` inside them. Paths are
 * compared after resolving symbolic links, so `..` segments and links cannot step outside a root.
 */
import { constants } from 'node:fs';
import { mkdir, open, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

import { InvalidInputError } from '../../engine/index.js';
import type { Logger } from '../../engine/logger.js';

/** The client's file roots if it declares the roots capability, else `[cwd]`. */
export async function allowedRoots(server: McpServer, cwd: string, logger: Logger): Promise<string[]> {
  if (!server.server.getClientCapabilities()?.roots) return [cwd];
  try {
    const { roots } = await server.server.listRoots(undefined, { timeout: 5000 });
    return roots.filter((root) => root.uri.startsWith('file://')).map((root) => fileURLToPath(root.uri));
  } catch (error) {
    logger.warn({ err: error }, 'the client declared roots but roots/list failed; using the working directory');
    return [cwd];
  }
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of `path`'s deepest existing ancestor, with the missing tail appended. */
async function realpathOfExisting(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = dirname(current);
      if (parent === current) throw error;
      missing.push(basename(current));
      current = parent;
    }
  }
}

async function check(field: string, requested: string, roots: readonly string[]): Promise<string> {
  if (requested.includes('\0')) throw new InvalidInputError(field, 'must not contain NUL characters');
  if (roots.length === 0) throw new InvalidInputError(field, 'the client shared no file roots, so the server may not touch local files', { hint: 'add a workspace folder (root) in the client, or use the resource link instead' });
  const target = await realpathOfExisting(isAbsolute(requested) ? resolve(requested) : resolve(roots[0]!, requested));
  for (const root of roots) {
    const real = await realpath(root).catch(() => null);
    if (real !== null && isInside(target, real)) return target;
  }
  throw new InvalidInputError(field, `${JSON.stringify(requested)} is outside the allowed roots (${roots.join(', ')})`, {
    hint: 'give a path inside one of those folders, or a relative path',
  });
}

/** Validates (and creates) an output folder inside the roots. */
export async function outputDirectory(requested: string, roots: readonly string[]): Promise<string> {
  const dir = await check('output_dir', requested, roots);
  await mkdir(dir, { recursive: true });
  if (!(await stat(dir)).isDirectory()) throw new InvalidInputError('output_dir', `${requested} is not a folder`);
  return dir;
}

/** Validates a file to read inside the roots and returns its real path. */
export async function inputFile(requested: string, roots: readonly string[], maxBytes: number): Promise<string> {
  const path = await check('file_path', requested, roots);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new InvalidInputError('file_path', `${JSON.stringify(requested)} is not a readable file`);
  if (info.size > maxBytes) throw new InvalidInputError('file_path', `the file is ${info.size} bytes, over the ${maxBytes}-byte upload limit`);
  return path;
}

/**
 * Writes `data` as `<dir>/<name>` without following or replacing anything already there (O_EXCL). A
 * file that already exists is left alone: song ids are unique, so it is this song written before.
 */
export async function writeNew(dir: string, name: string, data: Uint8Array): Promise<string> {
  const path = join(dir, name);
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return path;
    throw error;
  }
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
  return path;
}
