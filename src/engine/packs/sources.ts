/**
 * Where `acejam packs add` reads a pack from: a local folder, or an http(s) URL of a pack folder
 * (Node's fetch, with `Range: bytes=N-` to resume). Both hand out a file's bytes from an offset as a
 * lazily started stream of chunks, so an early failure waits for the reader instead of going unheard.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { AcejamError, PackError } from '../errors.js';

export interface OpenedFile {
  /** The offset the body really starts at: the one asked for, or 0 when a server ignored the Range. */
  start: number;
  /** The file's total size when the source says so. */
  total: number | undefined;
  body: AsyncIterable<Uint8Array>;
  /** Drops the body unread. */
  cancel(): Promise<void>;
}

export interface PackSource {
  label: string;
  manifestText(signal?: AbortSignal): Promise<string>;
  open(path: string, offset: number, signal?: AbortSignal): Promise<OpenedFile>;
  /** What to pass to `acejam packs add` to install a base pack this one refers to. */
  baseSource(base: string): string;
}

export function folderSource(dir: string): PackSource {
  return {
    label: dir,
    async manifestText() {
      try {
        return await readFile(join(dir, 'manifest.json'), 'utf8');
      } catch (error) {
        throw new AcejamError(
          'PACK_NOT_FOUND',
          `${dir} is not a pack folder: no readable manifest.json (${(error as Error).message})`,
          {
            cause: error,
          },
        );
      }
    },
    async open(path, offset) {
      const file = join(dir, path);
      const info = await stat(file).catch(() => undefined);
      if (!info) throw new PackError(`${file} is missing from the source pack folder`);
      // Created on first read: a stream that fails before anyone listens would be an unhandled 'error' event.
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for await (const chunk of createReadStream(file, { start: offset })) yield chunk as Buffer;
      }
      return { start: offset, total: info.size, body: chunks(), cancel: async () => undefined };
    },
    baseSource: (base) => resolve(dir, '..', base),
  };
}

/**
 * A fetch body as chunks, read through the web stream's own reader: an error that arrives before the
 * first read (the server closed early) waits in the stream until then instead of being emitted unheard.
 */
async function* webChunks(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the transfer when the consumer gives up early (size or sha mismatch).
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

export function urlSource(url: URL): PackSource {
  const base = new URL(url.href.replace(/manifest\.json$/, ''));
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const fileUrl = (path: string) => {
    const target = new URL(path.split('/').map(encodeURIComponent).join('/'), base);
    if (!target.href.startsWith(base.href)) throw new PackError(`refusing ${path}: it resolves outside ${base.href}`);
    return target;
  };
  const get = async (target: URL, headers: Record<string, string>, signal?: AbortSignal) => {
    try {
      return await fetch(target, { headers, signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      const cause = (error as Error & { cause?: Error }).cause;
      throw new AcejamError(
        'PACK_NOT_FOUND',
        `cannot reach ${target.href}: ${cause?.message ?? (error as Error).message}`,
        { cause: error },
      );
    }
  };
  return {
    label: base.href,
    async manifestText(signal) {
      const target = fileUrl('manifest.json');
      const response = await get(target, {}, signal);
      if (!response.ok) {
        throw new AcejamError(
          'PACK_NOT_FOUND',
          `no pack at ${base.href}: GET ${target.href} answered HTTP ${response.status}`,
          {
            hint: 'give the URL of the pack folder (the one holding manifest.json)',
          },
        );
      }
      return response.text();
    },
    async open(path, offset, signal) {
      const target = fileUrl(path);
      const response = await get(target, offset > 0 ? { range: `bytes=${offset}-` } : {}, signal);
      if (response.status !== 200 && response.status !== 206) {
        await response.body?.cancel();
        throw new PackError(`download of ${path} failed: GET ${target.href} answered HTTP ${response.status}`);
      }
      let start = 0;
      let total = Number(response.headers.get('content-length') ?? NaN);
      if (response.status === 206) {
        const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
        if (!range || Number(range[1]) !== offset) {
          await response.body?.cancel();
          throw new PackError(
            `download of ${path}: the server answered a Range request for byte ${offset} with ${response.headers.get('content-range') ?? 'no Content-Range'}`,
          );
        }
        start = offset;
        total = range[2] === '*' ? NaN : Number(range[2]);
      }
      return {
        start,
        total: Number.isFinite(total) ? total : undefined,
        body: webChunks(response.body),
        cancel: async () => {
          await response.body?.cancel().catch(() => undefined);
        },
      };
    },
    baseSource: (name) => new URL(`../${encodeURIComponent(name)}/`, base).href,
  };
}
