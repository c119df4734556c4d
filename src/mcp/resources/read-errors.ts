/**
 * resources/read has no isError: a missing, private or malformed song is a JSON-RPC error. Codes:
 * -32002 "resource not found" (the spec's code) for an unknown or private song, -32602 for a bad URI.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

import { AcejamError } from '../../engine/index.js';
import type { Logger } from '../../engine/logger.js';

export const RESOURCE_NOT_FOUND = -32002;

export async function guardedRead<T>(uri: string, logger: Logger, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof McpError) throw error;
    if (error instanceof AcejamError) {
      const code = error.code === 'INVALID_INPUT' ? ErrorCode.InvalidParams : RESOURCE_NOT_FOUND;
      throw new McpError(code, `${uri}: ${error.code}: ${error.message}`);
    }
    logger.error({ uri, err: error }, 'internal error reading an MCP resource');
    throw new McpError(ErrorCode.InternalError, `${uri}: the server could not read this resource; it logged the details`);
  }
}

/** The single value of a URI template variable (ids never contain commas). */
export function variable(value: string | string[] | undefined): string {
  const id = Array.isArray(value) ? value[0] : value;
  if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new McpError(ErrorCode.InvalidParams, `not a song id: ${JSON.stringify(id)}`);
  return id;
}
