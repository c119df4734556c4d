/** `acejam info`: the pack, the execution provider that runs, the lyric detector and the request limits. */
import { parseArgs } from 'node:util';

import type { Config } from '../../config/schema.js';
import { Engine } from '../../engine/index.js';

export async function runInfoCommand(argv: string[], config: Config): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { pack: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  const engine = await Engine.open(values.pack ? { ...config, packDir: values.pack } : config);
  try {
    const info = engine.info();
    if (values.json) {
      process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `pack       ${info.pack.name} (${info.pack.family}) at ${info.pack.dir}`,
      `           ${info.pack.description}`,
      `provider   ${info.provider}, ${info.precision} graphs`,
      `lyrics     language detection: ${info.lyricDetector === 'py3langid' ? "py3langid (ACE-Step's own)" : 'fallback (script rules + tinyld; this pack has no langid model)'}`,
      `output     stereo ${info.sampleRate} Hz`,
      `limits     duration ${info.limits.minDuration}–${info.limits.maxDuration} s, steps ≤ ${info.limits.maxSteps}, batch ≤ ${info.limits.maxBatch}, tags ≤ ${info.limits.maxTagTokens} tokens, lyrics ≤ ${info.limits.maxLyricTokens} tokens`,
    ];
    if (info.pack.lora) lines.push(`lora       ${info.pack.lora.file} × ${info.pack.lora.weight}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
