/** A test configuration on the tiny pack, with job-layer fields overridden per test. */
import { resolve } from 'node:path';

import { loadConfig } from '../../../../src/config/load.js';
import type { Config } from '../../../../src/config/schema.js';
import { createLogger, type Logger } from '../../../../src/engine/logger.js';

export const TINY = resolve(import.meta.dirname, '../../../../models/tiny');

export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({ env: { ACEJAM_PACK: TINY, ACEJAM_LOG_LEVEL: 'silent', ACEJAM_DATA_DIR: '/tmp/acejam-jobs-test' } });
  return Object.freeze({ ...base, ...overrides });
}

export const silentLogger: Logger = createLogger({ level: 'silent' });
