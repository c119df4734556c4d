/**
 * Reference audio for remix_audio, from exactly one of: a song id, a local file inside the roots
 * (stdio only), an http(s) URL, or base64 bytes. Every path is size-capped before it is read in full;
 * URLs on a shared (HTTP) server may not point at loopback or private addresses, checked again at each
 * redirect, so the server cannot be used to reach its own network.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { basename } from 'node:path';

import { InvalidInputError } from '../../engine/index.js';
import type { RemixParams } from '../studio.js';
import type { ToolContext } from './context.js';
import { inputFile } from './roots.js';

export interface SourceArgs {
  song_id?: string | undefined;
  file_path?: string | undefined;
  url?: string | undefined;
  audio_base64?: string | undefined;
  filename?: string | undefined;
}

const MAX_REDIRECTS = 3;
const FETCH_TIMEOUT_MS = 60_000;

/** Longest base64 text accepted for `limit` bytes: 4/3 of it, plus room for a data: prefix and line breaks. */
export function base64Limit(limit: number): number {
  const encoded = Math.ceil(limit / 3) * 4;
  return encoded + Math.ceil(encoded / 76) * 2 + 256;
}

const PRIVATE = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
  return PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

async function assertPublicHost(hostname: string): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true }).catch(() => {
    throw new InvalidInputError('url', `cannot resolve the host ${JSON.stringify(hostname)}`);
  });
  if (addresses.some(({ address }) => isPrivateAddress(address))) {
    throw new InvalidInputError('url', `${hostname} is a loopback or private address, which this server does not fetch`, { hint: 'upload the audio as audio_base64 instead' });
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) throw new InvalidInputError('url', `the file is ${declared} bytes, over the ${maxBytes}-byte upload limit`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!response.body) return new Uint8Array();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new InvalidInputError('url', `the file is over the ${maxBytes}-byte upload limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function fetchAudio(url: string, maxBytes: number, allowPrivate: boolean, signal: AbortSignal): Promise<{ data: Uint8Array; name: string }> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new InvalidInputError('url', `${JSON.stringify(url)} is not a URL`);
  }
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new InvalidInputError('url', `only http and https URLs can be fetched, not ${current.protocol}`);
    if (!allowPrivate) await assertPublicHost(current.hostname);
    let response: Response;
    try {
      response = await fetch(current, { redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]) });
    } catch (error) {
      throw new InvalidInputError('url', `could not download ${current.href}: ${(error as Error).message}`);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new InvalidInputError('url', `${current.href} answered HTTP ${response.status}`);
    }
    return { data: await readCapped(response, maxBytes), name: basename(decodeURIComponent(current.pathname)) || 'audio' };
  }
  throw new InvalidInputError('url', `more than ${MAX_REDIRECTS} redirects`);
}

export function decodeBase64(text: string, maxBytes: number): Uint8Array {
  const body = text.replace(/^data:[^,]*;base64,/i, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(body) || body.length % 4 === 1) throw new InvalidInputError('audio_base64', 'is not valid base64');
  const bytes = Math.floor((body.length * 3) / 4) - (body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0);
  if (bytes > maxBytes) throw new InvalidInputError('audio_base64', `decodes to ${bytes} bytes, over the ${maxBytes}-byte upload limit`);
  if (bytes === 0) throw new InvalidInputError('audio_base64', 'is empty');
  return Buffer.from(body, 'base64');
}

/** The remix source the Studio takes, from exactly one of the four ways to give audio. */
export async function remixSource(ctx: ToolContext, args: SourceArgs, signal: AbortSignal): Promise<RemixParams['source']> {
  const given = (['song_id', 'file_path', 'url', 'audio_base64'] as const).filter((key) => args[key] !== undefined);
  if (given.length !== 1) {
    throw new InvalidInputError('source', given.length === 0 ? 'give the reference audio as one of song_id, file_path, url or audio_base64' : `give only one of song_id, file_path, url or audio_base64 (got ${given.join(', ')})`);
  }
  const limit = ctx.limits.uploadBytes;
  if (args.song_id !== undefined) return { songId: args.song_id };
  if (args.file_path !== undefined) {
    if (!ctx.localFiles) throw new InvalidInputError('file_path', `is only available to local (stdio) clients; this connection is ${ctx.transport}`, { hint: 'send the audio as audio_base64 or a URL' });
    const path = await inputFile(args.file_path, await ctx.roots(), limit);
    return { upload: await readFile(path), name: basename(path) };
  }
  if (args.url !== undefined) {
    const { data, name } = await fetchAudio(args.url, limit, ctx.allowPrivateUrls, signal);
    return { upload: data, name: args.filename ?? name };
  }
  return { upload: decodeBase64(args.audio_base64!, limit), name: args.filename ?? 'upload' };
}
