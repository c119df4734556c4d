/**
 * The engine facade: the one API the CLI, the MCP server and the Discord bot call. It opens a pack,
 * validates requests and runs them; nothing outside src/engine knows any music maths.
 *
 *   const engine = await Engine.open(config);
 *   const result = await engine.run({ task: 'text2music', tags: 'lofi, piano', duration: 30 }, { onProgress });
 */
import { join } from 'node:path';

import type { Config } from '../config/schema.js';
import { melTablesFrom, type MelTables } from './audio/mel.js';
import { createLogger, type Logger } from './logger.js';
import { LyricTokenizer, type LyricsMode, type LyricTokens } from './lyrics/tokenizer.js';
import { PackGraphs } from './models/graphs.js';
import { readPack, type Pack } from './models/pack.js';
import { GraphSessions } from './models/sessions.js';
import { runPipeline, type RunOptions, type RunResult } from './pipeline.js';
import { LIMITS, parseRequest } from './request.js';
import { readSafetensors } from './safetensors.js';
import { TextTokenizer } from './text/umt5-tokenizer.js';

export { parseRequest, LIMITS, TASKS, type Request, type RequestInput, type Task, type AudioSource } from './request.js';
export type { RunOptions, RunResult } from './pipeline.js';
export type { ProgressEvent, Stage } from './events.js';
export { AcejamError, InvalidInputError, PackError, CancelledError } from './errors.js';

export interface EngineInfo {
  pack: { name: string; description: string; dir: string; family: string; lora: Pack['manifest']['lora'] };
  provider: 'cpu' | 'cuda';
  precision: 'fp32' | 'fp16';
  lyricDetector: 'py3langid' | 'fallback';
  limits: typeof LIMITS;
  sampleRate: number;
}

export class Engine {
  private melTables: MelTables | null = null;

  private constructor(
    readonly pack: Pack,
    private readonly sessions: GraphSessions,
    private readonly textTokenizer: TextTokenizer,
    private readonly lyricTokenizer: LyricTokenizer,
    readonly logger: Logger,
  ) {}

  /** Opens the configured pack: manifest and files checked, tokenizers loaded, graph sessions opened lazily. */
  static async open(config: Config, logger: Logger = createLogger({ level: config.logLevel })): Promise<Engine> {
    const pack = await readPack(config.packDir);
    const { tokenizers, langid } = pack.manifest;
    const textTokenizer = await TextTokenizer.load(join(pack.dir, tokenizers.text.file), join(pack.dir, tokenizers.text.config));
    const lyricTokenizer = await LyricTokenizer.load(join(pack.dir, tokenizers.lyric.file), langid ? join(pack.dir, langid.file) : null);
    const sessions = await GraphSessions.open(pack, config, logger);
    logger.info({ pack: pack.manifest.name, provider: sessions.provider, precision: sessions.precision }, 'engine ready');
    return new Engine(pack, sessions, textTokenizer, lyricTokenizer, logger);
  }

  info(): EngineInfo {
    const { manifest } = this.pack;
    return {
      pack: { name: manifest.name, description: manifest.description, dir: this.pack.dir, family: manifest.family, lora: manifest.lora },
      provider: this.sessions.provider,
      precision: this.sessions.precision,
      lyricDetector: manifest.langid ? 'py3langid' : 'fallback',
      limits: LIMITS,
      sampleRate: 48000,
    };
  }

  /** Validates and runs one request (any task mode). Bad input throws InvalidInputError before any work. */
  async run(input: unknown, options: RunOptions = {}): Promise<RunResult> {
    const request = parseRequest(input);
    const graphs = new PackGraphs((graph, feeds) => this.sessions.run(graph, feeds));
    return runPipeline(
      {
        manifest: this.pack.manifest,
        graphs,
        textTokenizer: this.textTokenizer,
        lyricTokenizer: this.lyricTokenizer,
        melTables: () => this.loadMelTables(),
      },
      request,
      options,
    );
  }

  /** What the lyric tokenizer does to each line (the `acejam tokenize` command). */
  tokenizeLyrics(lyrics: string, mode: LyricsMode = 'faithful'): Promise<LyricTokens> {
    return this.lyricTokenizer.tokenize(lyrics, mode);
  }

  tokenizePrompt(prompt: string) {
    return this.textTokenizer.encode(prompt);
  }

  async close(): Promise<void> {
    await this.sessions.close();
  }

  private async loadMelTables(): Promise<MelTables> {
    if (!this.melTables) {
      const file = this.pack.manifest.mel_frontend.file;
      this.melTables = melTablesFrom(await readSafetensors(join(this.pack.dir, file)), file);
    }
    return this.melTables;
  }
}
