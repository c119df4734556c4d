/**
 * The engine (and audio encoding) in a worker thread (issue 3/5 item 1): onnxruntime-node's
 * `session.run` blocks its thread's event loop, so the process that hosts the front ends keeps
 * answering (a Discord interaction within 3 s) only if the engine runs elsewhere.
 *
 *   const worker = await EngineWorker.start(config);
 *   const result = await worker.run({ task: 'text2music', tags: 'lofi', duration: 30 }, { signal, onProgress });
 *   await worker.terminate();
 *
 * Typed arrays move between the threads without copies: a request's source arrays are transferred
 * to the worker (they are detached in the caller afterwards) and the result's latent back; the
 * result's audio comes back in SharedArrayBuffer memory, so handing it to `encode` and `waveformPng`
 * (in parallel, as often as needed) copies nothing either. Other arrays given to `encode` are copied
 * (≈ 50 ms of the main thread for 240 s of stereo) unless `transfer` is set.
 *
 * Starting a worker on TypeScript: Node 20 does not apply loader hooks given as the worker's
 * `execArgv: ['--import', 'tsx']` to the worker's entry (ERR_UNKNOWN_FILE_EXTENSION, tested on
 * 20.20), so a tiny JavaScript bootstrap registers tsx's ESM hooks inside the worker first and then
 * imports engine-worker-main.ts. Built to JavaScript, the entry is the `.js` file and tsx is skipped.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import type { Config } from '../../config/schema.js';
import { AcejamError } from '../errors.js';
import type { ProgressEvent } from '../events.js';
import type { EngineInfo } from '../index.js';
import type { RunResult } from '../pipeline.js';
import type { RequestInput } from '../request.js';
import {
  deserializeError,
  transferablesOf,
  type EncodeFormat,
  type FromWorker,
  type ToWorker,
  type WorkerData,
  type WorkerEncodeOptions,
  type WorkerWaveformOptions,
} from './worker-protocol.js';

const SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(`./engine-worker-main${SOURCE ? '.ts' : '.js'}`, import.meta.url).href;

/**
 * Runs in the worker before anything else: tsx's hooks (when running from source), then the entry.
 * Only dynamic `import()`: the string is evaluated as CommonJS, or as ESM when the process was
 * started with `--input-type=module` (the worker inherits execArgv), where `require` does not exist.
 */
const BOOTSTRAP = `
import('node:worker_threads')
  .then(async ({ workerData }) => {
    if (workerData.tsx) (await import(workerData.tsx)).register();
    await import(workerData.entry);
  })
  .catch((error) => { setImmediate(() => { throw error; }); });
`;

/**
 * The worker's own environment. @evan/opus's native addon crashes the process (SIGSEGV) when a thread
 * that loaded it ends, even at process exit (tested, 1.0.3), so the worker uses its WebAssembly build.
 */
const WORKER_ENV = { ...process.env, OPUS_FORCE_WASM: '1' };

/**
 * tsx's ESM API, resolved with the `import` condition: its `require` build fails when imported from a
 * worker. `import.meta.resolve` is there under Node ≥ 20.6, tsx and vitest; the fallback is tsx's layout.
 */
function tsxApi(): string {
  if (typeof import.meta.resolve === 'function') return import.meta.resolve('tsx/esm/api');
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(packageJson), 'dist', 'esm', 'api', 'index.mjs')).href;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
}

export interface WorkerRunOptions {
  /** Aborting stops the render between steps; the promise rejects with CancelledError. */
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export class EngineWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped: Error | null = null;
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    /** The engine's info (pack, provider, precision, limits), as reported by the worker once ready. */
    readonly info: EngineInfo,
  ) {
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.stop(new AcejamError('MODEL_ERROR', `the engine worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      this.exited = true;
      this.stop(new AcejamError('MODEL_ERROR', `the engine worker exited (code ${code})`));
    });
  }

  /**
   * Starts a worker thread and opens the configured pack in it; rejects with the engine's error (e.g.
   * PackError). `nice` (default 10) lowers the priority of the engine's threads, so that on a busy
   * machine the event loop that answers users still gets the CPU first (Linux; ignored where not allowed).
   */
  static start(config: Config, { nice = 10 }: { nice?: number } = {}): Promise<EngineWorker> {
    const workerData: WorkerData & { entry: string; tsx: string | null } = { config, nice, entry: ENTRY, tsx: SOURCE ? tsxApi() : null };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData, env: WORKER_ENV });
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        worker.off('message', onMessage);
        void worker.terminate();
        reject(error);
      };
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') {
          worker.off('message', onMessage).off('error', fail).off('exit', onExit);
          resolve(new EngineWorker(worker, message.info));
        } else if (message.type === 'fatal') fail(deserializeError(message.error));
      };
      const onExit = (code: number) => fail(new AcejamError('MODEL_ERROR', `the engine worker exited while starting (code ${code})`));
      worker.on('message', onMessage).once('error', fail).once('exit', onExit);
    });
  }

  /** Runs one request (any task mode) in the worker: same contract as `Engine.run`. */
  run(request: RequestInput, options: WorkerRunOptions = {}): Promise<RunResult> {
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(deserializeError({ name: 'CancelledError', message: 'cancelled', code: 'CANCELLED' }));
    const id = this.nextId++;
    const onAbort = () => this.post({ type: 'cancel', id });
    signal?.addEventListener('abort', onAbort, { once: true });
    const result = this.call<RunResult>(id, { type: 'run', id, request }, transferablesOf(request), onProgress);
    return result.finally(() => signal?.removeEventListener('abort', onAbort));
  }

  /** Encodes audio to a file's bytes in the worker (`encodeAudioFile` of the audio-out module). `transfer` moves the channels. */
  encode(format: EncodeFormat, channels: Float32Array[], sampleRate: number, options: WorkerEncodeOptions = {}, { transfer = false } = {}): Promise<Uint8Array> {
    const id = this.nextId++;
    return this.call(id, { type: 'encode', id, format, channels, sampleRate, options }, transfer ? transferablesOf(channels) : []);
  }

  /** A PNG waveform of the audio, drawn in the worker. `transfer` moves the channels. */
  waveformPng(channels: Float32Array[], sampleRate: number, options: WorkerWaveformOptions = {}, { transfer = false } = {}): Promise<Uint8Array> {
    const id = this.nextId++;
    return this.call(id, { type: 'waveform', id, channels, sampleRate, options }, transfer ? transferablesOf(channels) : []);
  }

  /** Calls still waiting for an answer. */
  get busy(): number {
    return this.pending.size;
  }

  /**
   * Stops the thread: calls still waiting reject at once; a render in progress is cancelled and the
   * thread exits once it has stopped between steps (a hard `Worker.terminate()` during an ONNX Runtime
   * call aborts the whole process). Only after `forceAfterMs` is the thread terminated regardless.
   */
  async terminate({ forceAfterMs = 60_000 } = {}): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    this.stop(new AcejamError('CANCELLED', 'the engine worker was terminated'));
    const timer = setTimeout(() => void this.worker.terminate(), forceAfterMs);
    await exited;
    clearTimeout(timer);
  }

  private call<T>(id: number, message: ToWorker, transfer: ArrayBuffer[], onProgress?: (event: ProgressEvent) => void): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      this.post(message, transfer);
    });
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (!this.stopped) this.worker.postMessage(message, transfer);
  }

  private receive(message: FromWorker): void {
    if (message.type === 'ready' || message.type === 'fatal') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message.event);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'result') pending.resolve(message.value);
    else pending.reject(deserializeError(message.error));
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
