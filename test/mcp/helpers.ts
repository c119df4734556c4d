/** Connecting a real SDK Client to a server in process (linked in-memory transports). */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { pathToFileURL } from 'node:url';

import { decodeUpload } from '../../src/engine/audio/in/index.js';
import { createServer, type CreateServerOptions } from '../../src/mcp/server.js';
import type { StudioPort } from '../../src/mcp/studio.js';

export interface Connected {
  client: Client;
  close(): Promise<void>;
}

export async function connect(studio: StudioPort, options: Partial<CreateServerOptions> & { roots?: string[] } = {}): Promise<Connected> {
  const { roots, ...rest } = options;
  const { server, cleanup } = createServer(studio, { identity: { user: 'test:alice', name: 'alice' }, ...rest });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'acejam-test', version: '1.0.0' }, { capabilities: roots ? { roots: { listChanged: false } } : {} });
  if (roots) client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: roots.map((dir) => ({ uri: pathToFileURL(dir).href, name: dir })) }));
  await client.connect(clientTransport);
  return {
    client,
    close: async () => {
      await client.close();
      await cleanup();
    },
  };
}

/** The text of a tool result's first text item. */
export function textOf(result: unknown): string {
  const content = ((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[];
  return content.filter((c) => c.type === 'text').map((c) => c.text ?? '').join('\n');
}

/** Decodes audio bytes (FLAC, MP3, WAV, Ogg) back to samples, as the engine reads uploads. */
export async function decodeAudio(bytes: Uint8Array): Promise<{ channels: Float32Array[]; sampleRate: number; format: string }> {
  const audio = await decodeUpload(bytes, { maxBytes: 2 ** 30, maxSeconds: 3600 });
  return { channels: audio.channels, sampleRate: audio.sampleRate, format: audio.format };
}
