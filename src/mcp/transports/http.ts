/**
 * `acejam mcp --http`: stateless Streamable HTTP on one endpoint (POST /mcp). Each request gets a fresh
 * server bound to the caller's identity; progress streams back on the request's SSE response. Before
 * any MCP parsing, every request passes, in order:
 *   1. Host check (loopback binds answer only to loopback host names: DNS rebinding), 403;
 *   2. Origin check (a browser Origin must be allowed), 403;
 *   3. bearer token → user, 401 with WWW-Authenticate;
 *   4. body size (declared and streamed), 413.
 * Binding a non-loopback address without configured tokens is refused.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

import { AcejamError } from '../../engine/index.js';
import type { Logger } from '../../engine/logger.js';
import { TokenTable, type Identity } from '../identity.js';
import { CancelRegistry } from '../shared/cancellations.js';
import { JobTaskStore } from '../shared/task-store.js';
import { createServer, type CreateServerOptions } from '../server.js';
import type { StudioPort } from '../studio.js';

export const MCP_PATH = '/mcp';

export interface HttpOptions extends Omit<CreateServerOptions, 'transport' | 'identity'> {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** token → user id. With none on a loopback address, one token is generated for `localUser`. */
  tokens: Readonly<Record<string, string>>;
  /** The user a generated token maps to. */
  localUser: Identity;
  /** Extra browser origins allowed besides the server's own loopback origins. */
  allowedOrigins?: readonly string[];
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  logger: Logger;
}

export interface HttpServerHandle {
  url: string;
  /** Set when no token was configured and one was generated for this run. */
  generatedToken: string | null;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function hostName(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (bracketed) return `[${bracketed[1]!.toLowerCase()}]`;
  return hostHeader.replace(/:\d+$/, '').toLowerCase();
}

function reject(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/** Starts the HTTP server; refuses a non-loopback bind without tokens. */
export async function serveHttp(studio: StudioPort, options: HttpOptions): Promise<HttpServerHandle> {
  const { host, port, tokens, localUser, allowedOrigins = [], maxBodyBytes, logger, ...serverOptions } = options;
  const loopback = isLoopback(host);
  let generatedToken: string | null = null;
  let table = new TokenTable(tokens);
  if (table.size === 0) {
    if (!loopback) {
      throw new AcejamError('INVALID_INPUT', `refusing to serve MCP over HTTP on ${host}, a non-loopback address, without a bearer token`, {
        hint: 'set ACEJAM_MCP_TOKENS="user=<token>" (tokens of at least 16 characters), or bind 127.0.0.1',
      });
    }
    generatedToken = randomBytes(24).toString('base64url');
    table = new TokenTable({ [generatedToken]: localUser.user });
  }

  const cancellations = new CancelRegistry();
  const lifetime = new AbortController();
  // Tasks outlive the request that created them: one store per user for the server's lifetime.
  const taskStores = new Map<string, JobTaskStore>();
  const tasksOf = (user: string) => {
    let store = taskStores.get(user);
    if (!store) taskStores.set(user, (store = new JobTaskStore()));
    return store;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== MCP_PATH) return reject(res, 404, `not found: the MCP endpoint is ${MCP_PATH}`);
    const hostHeader = req.headers.host ?? '';
    if (loopback && !isLoopback(hostName(hostHeader))) return reject(res, 403, `forbidden: Host ${JSON.stringify(hostHeader)} is not a loopback name`);
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin)) return reject(res, 403, `forbidden: Origin ${JSON.stringify(origin)} is not allowed`);
    const identity = table.authenticate(req.headers.authorization);
    if (!identity) {
      return reject(res, 401, req.headers.authorization ? 'unauthorized: unknown bearer token' : 'unauthorized: send Authorization: Bearer <token>', {
        'WWW-Authenticate': 'Bearer realm="acejam"',
      });
    }
    if (req.method !== 'POST') return reject(res, 405, 'method not allowed: this stateless server takes POST only', { Allow: 'POST' });
    if (Number(req.headers['content-length']) > maxBodyBytes) return reject(res, 413, `payload too large: at most ${maxBodyBytes} bytes`);

    const { server, cleanup } = createServer(studio, { ...serverOptions, identity, transport: 'http', logger, cancellations, tasks: tasksOf(identity.user), lifetime: lifetime.signal });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, maxRequestBodySize: maxBodyBytes });
    res.on('close', () => {
      void transport.close().catch(() => undefined);
      void cleanup().catch(() => undefined);
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };

  const server: Server = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'MCP HTTP request failed');
      reject(res, 500, 'internal server error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const base = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const own = new Set([`http://localhost:${address.port}`, `http://127.0.0.1:${address.port}`, `http://[::1]:${address.port}`, base]);
  function originAllowed(origin: string): boolean {
    return own.has(origin.toLowerCase()) || allowedOrigins.includes(origin);
  }
  logger.info({ url: `${base}${MCP_PATH}` }, 'MCP server listening');
  return {
    url: `${base}${MCP_PATH}`,
    generatedToken,
    close: () =>
      new Promise<void>((resolve) => {
        lifetime.abort();
        for (const store of taskStores.values()) store.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
