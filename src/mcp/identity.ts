/**
 * Who an MCP client is, as a user of the song store: over stdio, the local user (the person who
 * launched `acejam mcp`); over HTTP, the user a bearer token is configured for. Songs, seeds, settings
 * and queue caps are per user, so one person can continue over MCP a song they started in Discord by
 * mapping their token (or the stdio user) to their Discord user id.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { userInfo } from 'node:os';

import { AcejamError } from '../engine/index.js';

export interface Identity {
  /** The store's user id, e.g. `local:alice` or `discord:80351110224678912`. */
  user: string;
  /** A display name for logs and song credits. */
  name?: string;
}

/** Shortest bearer token accepted: anything shorter is guessable. */
export const MIN_TOKEN_LENGTH = 16;

/** The stdio user: the configured one, else `local:<login name>`. */
export function localIdentity(configuredUser?: string | null): Identity {
  if (configuredUser) return { user: configuredUser, name: configuredUser };
  let login = 'user';
  try {
    login = userInfo().username || login;
  } catch {
    // no passwd entry (some containers): keep the generic name
  }
  return { user: `local:${login}`, name: login };
}

/**
 * The HTTP token table: token → user. Lookups compare SHA-256 digests in constant time, so a wrong
 * token reveals nothing about the right ones through timing.
 */
export class TokenTable {
  private readonly entries: { digest: Buffer; identity: Identity }[];

  constructor(tokens: Readonly<Record<string, string>>) {
    this.entries = Object.entries(tokens).map(([token, user]) => {
      if (token.length < MIN_TOKEN_LENGTH) {
        throw new AcejamError('INVALID_INPUT', `MCP token for user ${JSON.stringify(user)} is ${token.length} characters long; tokens must have at least ${MIN_TOKEN_LENGTH}`, {
          hint: 'generate one with: node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64url\'))"',
        });
      }
      if (!user.trim()) throw new AcejamError('INVALID_INPUT', 'an MCP token maps to an empty user id');
      return { digest: digest(token), identity: { user, name: user } };
    });
  }

  get size(): number {
    return this.entries.length;
  }

  /** The identity of an `Authorization: Bearer <token>` header, or null. */
  authenticate(authorization: string | undefined): Identity | null {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return null;
    const presented = digest(match[1]!);
    let found: Identity | null = null;
    // Compare against every entry so the time taken does not depend on which one matched.
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, presented)) found = entry.identity;
    return found;
  }
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Parses a token map written as JSON (`{"<token>": "<user>"}`) or as `user=token` pairs separated by
 * commas or newlines (handy in an environment variable).
 */
export function parseTokenMap(text: string): Record<string, string> {
  const trimmed = text.trim();
  if (!trimmed) return {};
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new AcejamError('INVALID_INPUT', `MCP token map is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AcejamError('INVALID_INPUT', 'MCP token map must be a JSON object of token → user');
    const out: Record<string, string> = {};
    for (const [token, user] of Object.entries(parsed)) {
      if (typeof user !== 'string') throw new AcejamError('INVALID_INPUT', 'MCP token map values must be user id strings');
      out[token] = user;
    }
    return out;
  }
  const out: Record<string, string> = {};
  for (const pair of trimmed.split(/[,\n]/)) {
    if (!pair.trim()) continue;
    const at = pair.indexOf('=');
    if (at <= 0) throw new AcejamError('INVALID_INPUT', 'MCP tokens must be written as user=token pairs separated by commas (or as a JSON object token → user)');
    out[pair.slice(at + 1).trim()] = pair.slice(0, at).trim();
  }
  return out;
}
