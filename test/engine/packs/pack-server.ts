/**
 * A loopback HTTP server for pack-install tests: `/<prefix>/<file>` serves `models/tiny/<file>` with
 * Range support, and tests override single paths to misbehave (close early, corrupt bytes, a crafted
 * manifest). Every request is recorded.
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface PackServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  origin: string;
  requests: { path: string; range: string | undefined }[];
  /** Replaces what one path serves; `once` handlers remove themselves after a request. */
  override(path: string, handler: Handler, options?: { once?: boolean }): void;
  close(): Promise<void>;
}

/** Sends `bytes`, honouring a `Range: bytes=N-` request with 206 unless told not to. */
export function sendBytes(req: IncomingMessage, res: ServerResponse, bytes: Buffer, honorRange = true): void {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range && honorRange) {
    const start = Number(range[1]);
    if (start >= bytes.length) {
      res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
      return;
    }
    res.writeHead(206, {
      'content-length': bytes.length - start,
      'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
      'accept-ranges': 'bytes',
    });
    res.end(bytes.subarray(start));
    return;
  }
  res.writeHead(200, { 'content-length': bytes.length, 'accept-ranges': 'bytes' });
  res.end(bytes);
}

/**
 * Announces the full length, sends the first `count` bytes, waits for `beforeClose` (e.g. until the
 * client has stored them: fetch drops chunks still queued when the connection closes), then closes.
 */
export function closeAfter(
  count: number,
  beforeClose: () => Promise<void> = async () => undefined,
): (bytes: Buffer) => Handler {
  return (bytes) => (_req, res) => {
    res.writeHead(200, { 'content-length': bytes.length });
    res.write(bytes.subarray(0, count), () => {
      void beforeClose().finally(() => res.socket?.end());
    });
  };
}

/** Resolves once `path` has at least `size` bytes (polling), or after `timeoutMs` regardless. */
export async function fileReaches(path: string, size: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = await stat(path).catch(() => undefined);
    if (info && info.size >= size) return;
    await new Promise((done) => setTimeout(done, 5));
  }
}

export async function startPackServer(root: string): Promise<PackServer> {
  const overrides = new Map<string, { handler: Handler; once: boolean }>();
  const requests: PackServer['requests'] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    requests.push({ path, range: req.headers.range });
    const override = overrides.get(path);
    if (override) {
      if (override.once) overrides.delete(path);
      override.handler(req, res);
      return;
    }
    const [, , file, ...deeper] = path.split('/');
    if (!file || deeper.length > 0 || file === '..' || file === '.') {
      res.writeHead(404).end();
      return;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(root, file));
    } catch {
      res.writeHead(404).end();
      return;
    }
    sendBytes(req, res, bytes);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    override(path, handler, options = {}) {
      overrides.set(path, { handler, once: options.once ?? false });
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
