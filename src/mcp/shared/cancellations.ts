/**
 * Cancellation across requests for stateless HTTP: there, a client's `notifications/cancelled` arrives
 * in a POST of its own, handled by a fresh server that never saw the request it names. Tool calls that
 * run jobs register here under (user, request id), and every server of the HTTP endpoint routes
 * cancellations through this registry, so the job of the named request is cancelled wherever it runs.
 */
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

export class CancelRegistry {
  private readonly entries = new Map<string, Set<() => void>>();

  private key(user: string, requestId: RequestId): string {
    return `${user}\u0000${typeof requestId}:${String(requestId)}`;
  }

  /** Registers what cancels a request's work; returns the function that unregisters it. */
  add(user: string, requestId: RequestId, cancel: () => void): () => void {
    const key = this.key(user, requestId);
    const set = this.entries.get(key) ?? new Set();
    set.add(cancel);
    this.entries.set(key, set);
    return () => {
      set.delete(cancel);
      if (set.size === 0 && this.entries.get(key) === set) this.entries.delete(key);
    };
  }

  /** Cancels the work of a user's request; false if nothing is registered under it. */
  cancel(user: string, requestId: RequestId): boolean {
    const set = this.entries.get(this.key(user, requestId));
    if (!set) return false;
    for (const cancel of [...set]) cancel();
    return true;
  }
}
