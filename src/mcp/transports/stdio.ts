/**
 * `acejam mcp` over stdio, the transport an agent host launches. stdout carries nothing but protocol:
 * the process's own stdout (console.log, a library's print, a worker thread's output) is redirected
 * to stderr, and only the transport keeps a handle on the real stdout.
 */
import { Writable } from 'node:stream';

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

import { createServer, type CreateServerOptions } from '../server.js';
import type { StudioPort } from '../studio.js';

/**
 * Sends everything written to process.stdout to stderr from now on and returns a stream that still
 * writes to the real stdout, for the protocol alone.
 */
export function reserveStdout(): Writable {
  const stdout = process.stdout;
  const realWrite = stdout.write.bind(stdout) as (chunk: Uint8Array | string, callback: (error?: Error | null) => void) => boolean;
  const protocol = new Writable({
    write(chunk: Uint8Array, _encoding, callback) {
      realWrite(chunk, callback);
    },
  });
  stdout.write = ((chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...args: unknown[]) => boolean)(chunk, ...rest)) as typeof stdout.write;
  return protocol;
}

export interface StdioOptions extends Omit<CreateServerOptions, 'transport'> {
  stdin?: NodeJS.ReadableStream;
  stdout?: Writable;
  /** Largest JSON-RPC message read from stdin, in bytes. */
  maxMessageBytes?: number;
}

/** Serves one client on stdin/stdout; `closed` resolves when the client goes away (stdin ends). */
export async function serveStdio(studio: StudioPort, options: StdioOptions): Promise<{ closed: Promise<void>; close(): Promise<void> }> {
  const { stdin = process.stdin, stdout = process.stdout, maxMessageBytes, ...serverOptions } = options;
  const { server, cleanup } = createServer(studio, { ...serverOptions, transport: 'stdio' });
  const transport = new StdioServerTransport(stdin as typeof process.stdin, stdout, maxMessageBytes ? { maxBufferSize: maxMessageBytes } : undefined);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= cleanup().finally(resolveClosed));
  server.server.onclose = () => void close();
  stdin.once('end', () => void close());
  // The client went away mid-write (EPIPE): close instead of crashing on an unhandled 'error'.
  stdout.on('error', () => void close());
  await server.connect(transport);
  return { closed, close };
}
