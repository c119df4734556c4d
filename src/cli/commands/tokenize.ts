/**
 * `acejam tokenize --lyrics FILE|- [--prompt TEXT] [--mode faithful|fixed] [--json]`: for every lyric line
 * the language, which detector decided it, the normalised text and the ids, so a user can see why a
 * line sings as it does.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import type { Config } from '../../config/schema.js';
import { Engine, InvalidInputError } from '../../engine/index.js';

export async function runTokenizeCommand(argv: string[], config: Config): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { pack: { type: 'string' }, lyrics: { type: 'string' }, prompt: { type: 'string' }, mode: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  if (values.lyrics === undefined && values.prompt === undefined) throw new InvalidInputError('lyrics', 'give --lyrics FILE|- and/or --prompt TEXT');
  const mode = values.mode ?? 'faithful';
  if (mode !== 'faithful' && mode !== 'fixed') throw new InvalidInputError('mode', '--mode must be faithful or fixed');
  const engine = await Engine.open(values.pack ? { ...config, packDir: values.pack } : config);
  try {
    const output: Record<string, unknown> = {};
    if (values.prompt !== undefined) output.prompt = engine.tokenizePrompt(values.prompt);
    if (values.lyrics !== undefined) {
      const text = values.lyrics === '-' ? await readStdin() : await readFile(values.lyrics, 'utf8');
      output.lyrics = await engine.tokenizeLyrics(text, mode);
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
      return 0;
    }
    const prompt = output.prompt as { ids: number[] } | undefined;
    if (prompt) process.stdout.write(`prompt: ${prompt.ids.length} tokens [${prompt.ids.join(', ')}]\n`);
    const lyrics = output.lyrics as Awaited<ReturnType<Engine['tokenizeLyrics']>> | undefined;
    if (lyrics) {
      process.stdout.write(`lyrics: ${lyrics.ids.length} tokens, detector ${lyrics.detector}, mode ${mode}\n`);
      for (const line of lyrics.lines) {
        process.stdout.write(`  ${JSON.stringify(line.text)}\n    ${line.language} (${line.detector}) → ${JSON.stringify(line.normalized)}\n    [${line.ids.join(', ')}]\n`);
      }
    }
    return 0;
  } finally {
    await engine.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
