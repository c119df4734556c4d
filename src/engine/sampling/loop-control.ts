/** Progress and cancellation between sampling steps, shared by every sampler. */
import { CancelledError } from '../errors.js';

export interface StepControl {
  signal?: AbortSignal | undefined;
  /** Called after each model step: `done` of `total` (total counts model calls the sampler will make). */
  onStep?: ((done: number, total: number) => void) | undefined;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError(typeof signal.reason === 'string' ? signal.reason : 'cancelled between steps');
}
