/**
 * Bench: DiT session calls for a default 60-step song (spec §2.2: upstream makes 90 separate calls, 30
 * of them unconditional; acejam batches cond and uncond into one call). Target: 60.
 *
 *   npx tsx bench/dit-calls.ts
 */
import { resolve } from 'node:path';

import { loadConfig } from '../src/config/load.js';
import { Engine } from '../src/engine/index.js';
import { createLogger } from '../src/engine/logger.js';

const TARGET = 60;
const UPSTREAM = 90;
const tiny = resolve(import.meta.dirname, '../models/tiny');
const engine = await Engine.open(loadConfig({ env: { ...process.env, ACEJAM_PACK: process.env.ACEJAM_PACK ?? tiny } }), createLogger({ level: 'silent' }));
try {
  for (const [label, extra] of [
    ['default (APG, interval 0.5)', {}],
    ['double guidance (text 5, lyric 1.5)', { guidanceScaleText: 5, guidanceScaleLyric: 1.5 }],
  ] as const) {
    const started = performance.now();
    const result = await engine.run({ task: 'text2music', tags: 'pop, upbeat', lyrics: '[verse]\nhello', duration: 10, steps: 60, seeds: [1], ...extra });
    const seconds = (performance.now() - started) / 1000;
    const upstream = label.startsWith('double') ? 120 : UPSTREAM;
    console.log(`${label}: ${result.ditCalls} DiT calls (target ${TARGET}, upstream ${upstream}); ratio to target ${(result.ditCalls / TARGET).toFixed(2)}×, ${(upstream / result.ditCalls).toFixed(2)}× fewer than upstream; ${seconds.toFixed(1)} s on ${engine.info().pack.name}`);
  }
} finally {
  await engine.close();
}
