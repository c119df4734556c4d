/**
 * The worker thread's side of {@link EngineWorker}: opens the engine once, then serves `run`,
 * `cancel`, `encode` and `waveform` messages (protocol: worker-protocol.ts). ONNX Runtime's
 * synchronous inference and the audio maths block this thread, never the main one. Started by
 * engine-worker.ts only; it is not a module to import.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';

import { Engine } from '../index.js';
import { createLogger } from '../logger.js';
import {
  serializeError,
  transferablesOf,
  type FromWorker,
  type ToWorker,
  type WorkerData,
} from './worker-protocol.js';

const port = parentPort!;
const { config, nice } = workerData as WorkerData;
const logger = createLogger({ level: config.logLevel }).child({ thread: 'engine-worker' });
// On Linux the nice value is per thread: lowering it here (before ONNX Runtime starts its thread pool,
// whose threads inherit it) lets the main thread's event loop win the CPU whenever it has work.
if (nice !== 0) {
  try {
    setPriority(0, nice);
  } catch (error) {
    logger.debug({ err: error }, 'cannot lower the engine thread priority');
  }
}
const controllers = new Map<number, AbortController>();
const inflight = new Set<Promise<void>>();
const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/**
 * A copy of a channel in shared memory. The main thread gets the song's audio without a copy, and
 * can hand it back for encoding (several formats at once) without one either: a structured-clone copy
 * of 240 s of stereo costs the sending thread ≈ 50 ms, as long as the front ends may be blocked.
 */
function shared(channel: Float32Array): Float32Array {
  const copy = new Float32Array(new SharedArrayBuffer(channel.byteLength));
  copy.set(channel);
  return copy;
}

/** A file's bytes that view part of a bigger buffer, copied here so they can be transferred (not copied on the main thread). */
function owned(value: unknown): unknown {
  if (!(value instanceof Uint8Array) || (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength)) return value;
  return new Uint8Array(value);
}

/** Runs one request and answers with its result (or error), the arrays transferred. */
function answer(id: number, work: (signal: AbortSignal) => Promise<unknown>): void {
  const done = settle(id, work).finally(() => inflight.delete(done));
  inflight.add(done);
}

async function settle(id: number, work: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const controller = new AbortController();
  controllers.set(id, controller);
  try {
    const value = owned(await work(controller.signal));
    send({ type: 'result', id, value }, transferablesOf(value));
  } catch (error) {
    send({ type: 'error', id, error: serializeError(error) });
  } finally {
    controllers.delete(id);
  }
}

function serve(engine: Engine): void {
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'run':
        answer(message.id, async (signal) => {
          const result = await engine.run(message.request, { signal, onProgress: (event) => send({ type: 'progress', id: message.id, event }) });
          return { ...result, audio: result.audio.map((channels) => channels.map(shared)) };
        });
        return;
      case 'cancel':
        controllers.get(message.id)?.abort();
        return;
      case 'close':
        void close(engine);
        return;
      case 'encode':
        answer(message.id, async () => {
          // Loaded on first use: the encoders' WebAssembly is only compiled when someone encodes.
          const { encodeAudioFile } = await import('../audio/out/index.js');
          return encodeAudioFile(message.format, message.channels, message.sampleRate, message.options);
        });
        return;
      case 'waveform':
        answer(message.id, async () => {
          const { waveformPng } = await import('../audio/waveform.js');
          return waveformPng(message.channels, message.sampleRate, message.options);
        });
        return;
    }
  });
}

/**
 * Ends the thread without killing a running inference: terminating a worker inside onnxruntime-node's
 * native `run` aborts the whole process ("terminate called after throwing Napi::Error"), so running
 * requests are cancelled and allowed to stop between steps first.
 */
async function close(engine: Engine): Promise<void> {
  for (const controller of controllers.values()) controller.abort();
  await Promise.allSettled([...inflight]);
  await engine.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the engine failed'));
  process.exit(0);
}

try {
  const engine = await Engine.open(config, logger);
  serve(engine);
  send({ type: 'ready', info: engine.info() });
} catch (error) {
  send({ type: 'fatal', error: serializeError(error) });
  port.close();
}
