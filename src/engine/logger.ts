/**
 * The engine's logger: pino, JSON lines on **stderr**. stdout is reserved for command output (and the
 * MCP stdio transport), so nothing in acejam logs there.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

import type { LogLevel } from '../config/schema.js';

/** A structured logger (`logger.info({ graph }, 'message')`); `child()` adds bound fields. */
export type Logger = PinoLogger;

export interface LoggerOptions {
  level: LogLevel;
  /** Where the JSON lines go; stderr (fd 2, synchronous so lines survive a fast exit) unless given, e.g. by tests. */
  destination?: DestinationStream;
}

/** Creates the process logger; pass `config.logLevel`. */
export function createLogger({ level, destination }: LoggerOptions): Logger {
  return pino({ name: 'acejam', level }, destination ?? pino.destination({ fd: 2, sync: true }));
}
