/**
 * The messages between {@link EngineWorker} (main thread) and engine-worker-main.ts (worker thread),
 * and the two helpers both sides need: errors across the thread boundary, and the typed-array
 * buffers a message can transfer instead of copying.
 */
import type { Config } from '../../config/schema.js';
import type { EncodeOptions, OutputFormat } from '../audio/out/index.js';
import type { WaveformOptions } from '../audio/waveform.js';
import { AcejamError, CancelledError, InvalidInputError, PackError, type ErrorCode } from '../errors.js';
import type { ProgressEvent } from '../events.js';
import type { EngineInfo } from '../index.js';
import type { RequestInput } from '../request.js';

/** Encoder options of the audio-out module's `encodeAudioFile` (bitrate, tags). */
export type WorkerEncodeOptions = EncodeOptions;

/** Options of the waveform module's `waveformPng` (size, section markers, highlighted range). */
export type WorkerWaveformOptions = WaveformOptions;

export type EncodeFormat = OutputFormat;

export interface WorkerData {
  config: Config;
  /** Nice value for the worker thread (and the ONNX Runtime threads it starts); 0 leaves it. */
  nice: number;
}

/** Main thread → worker. `id` pairs a request with its answers. */
export type ToWorker =
  | { type: 'run'; id: number; request: RequestInput }
  | { type: 'cancel'; id: number }
  /** Stop: cancel what runs, wait for it to stop between steps, close the engine, exit the thread. */
  | { type: 'close' }
  | { type: 'encode'; id: number; format: EncodeFormat; channels: Float32Array[]; sampleRate: number; options: WorkerEncodeOptions }
  | { type: 'waveform'; id: number; channels: Float32Array[]; sampleRate: number; options: WorkerWaveformOptions };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'ready'; info: EngineInfo }
  | { type: 'fatal'; error: SerializedError }
  | { type: 'progress'; id: number; event: ProgressEvent }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: ErrorCode;
  hint?: string;
  field?: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const out: SerializedError = { name: error.name, message: error.message };
  if (error.stack) out.stack = error.stack;
  if (error instanceof AcejamError) {
    out.code = error.code;
    if (error.hint !== undefined) out.hint = error.hint;
  }
  if (error instanceof InvalidInputError) out.field = error.field;
  return out;
}

/** Rebuilds the error class callers branch on (CancelledError, InvalidInputError, PackError, AcejamError). */
export function deserializeError(data: SerializedError): Error {
  const hint = data.hint === undefined ? {} : { hint: data.hint };
  let error: Error;
  if (data.name === 'CancelledError') error = new CancelledError(data.message);
  else if (data.name === 'InvalidInputError' && data.field !== undefined) error = new InvalidInputError(data.field, '', hint);
  else if (data.name === 'PackError') error = new PackError(data.message, hint);
  else if (data.code !== undefined) error = new AcejamError(data.code, data.message, hint);
  else {
    error = new Error(data.message);
    error.name = data.name;
  }
  error.message = data.message;
  if (data.stack) error.stack = data.stack;
  return error;
}

/**
 * The buffers of every typed array in `value` (arrays and plain objects walked) that can move
 * instead of being copied: unshared, and viewed whole (a view on part of a buffer, such as Node's
 * pooled Buffers, is copied).
 */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  collect(value, found, 0);
  return [...found];
}

function collect(value: unknown, found: Set<ArrayBuffer>, depth: number): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) found.add(buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, found, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collect(item, found, depth + 1);
  }
}
