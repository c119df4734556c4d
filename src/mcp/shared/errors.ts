/**
 * Tool errors versus protocol errors: anything the model can fix or act on (bad input, an unknown or
 * private song, a full queue) comes back as a tool result with `isError: true` and a message naming the
 * field and the way out. Internal faults are logged and reported as a short generic tool error; the SDK
 * turns schema violations into tool errors itself.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import { AcejamError } from '../../engine/index.js';
import type { Logger } from '../../engine/logger.js';

/** A tool error the model reads: the message, then a hint on how to recover. */
export function toolError(message: string, hint?: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: hint ? `${message}\nHint: ${hint}` : message }] };
}

/** Renders any error thrown while handling a tool call. */
export function errorResult(error: unknown, logger: Logger, tool: string): CallToolResult {
  if (error instanceof AcejamError) {
    logger.debug({ tool, code: error.code, err: error.message }, 'tool error');
    return toolError(`${error.code}: ${error.message}`, error.hint);
  }
  logger.error({ tool, err: error }, 'internal error in an MCP tool');
  return toolError(`INTERNAL: ${tool} failed on the server (${error instanceof Error ? error.name : 'error'}); the server logged the details.`, 'try again; if it keeps failing, report it to the server operator');
}

/** Runs a tool body and turns whatever it throws into a tool error. */
export async function guarded(tool: string, logger: Logger, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    return errorResult(error, logger, tool);
  }
}
