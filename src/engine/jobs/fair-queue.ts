/**
 * The waiting room: round-robin between users, priority within a user (issue 3/5 item 1).
 *
 * Start-time fair queuing by rounds. Every user's k-th waiting job (k = 0, 1, …, the user's own jobs
 * sorted by priority, then submission) is tagged with round `head + k`, where a user's `head` is one
 * round after the round of their last started job, but never before the current round (the round of
 * the last pick). Jobs run in (round, user's arrival) order. So a user with ten jobs gets one per
 * round like everyone else, and a newcomer joins the current round: with A's ten jobs waiting (A1
 * running) and B's one, B runs second.
 *
 * Costs: `add`/`remove` O(jobs of that user), `pick` O(users), the whole order O(jobs + users), cached
 * until the next change, so `position` is O(1) between changes.
 */

/** What the queue needs to know of a job. `seq` orders a user's jobs of equal priority (lower first). */
export interface FairItem {
  readonly id: string;
  readonly user: string;
  readonly priority: number;
  readonly seq: number;
}

interface Lane<T> {
  jobs: T[];
  /** When the user last became active: breaks ties between users in one round (earlier first). */
  since: number;
}

export class FairQueue<T extends FairItem> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly lastRound = new Map<string, number>();
  private readonly byId = new Map<string, T>();
  private round = 0;
  private arrivals = 0;
  private order: T[] | null = null;
  private positions: Map<string, number> | null = null;

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** Waiting jobs of one user. */
  countOf(user: string): number {
    return this.lanes.get(user)?.jobs.length ?? 0;
  }

  add(item: T): void {
    if (this.byId.has(item.id)) throw new Error(`job ${item.id} is already queued`);
    let lane = this.lanes.get(item.user);
    if (!lane) {
      lane = { jobs: [], since: this.arrivals++ };
      this.lanes.set(item.user, lane);
    }
    const jobs = lane.jobs;
    // Binary search for the first job that should come after this one.
    let lo = 0;
    let hi = jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(jobs[mid]!, item)) lo = mid + 1;
      else hi = mid;
    }
    jobs.splice(lo, 0, item);
    this.byId.set(item.id, item);
    this.invalidate();
  }

  /** Takes a job out without running it (cancel). */
  remove(id: string): T | undefined {
    const item = this.byId.get(id);
    if (!item) return undefined;
    const lane = this.lanes.get(item.user)!;
    lane.jobs.splice(lane.jobs.indexOf(item), 1);
    if (lane.jobs.length === 0) this.lanes.delete(item.user);
    this.byId.delete(id);
    this.invalidate();
    return item;
  }

  /** Takes the next job to run in fair order, or undefined when nothing waits. */
  pick(): T | undefined {
    let best: Lane<T> | undefined;
    let bestUser = '';
    let bestHead = Infinity;
    for (const [user, lane] of this.lanes) {
      const head = this.headOf(user);
      if (head < bestHead || (head === bestHead && lane.since < best!.since)) {
        best = lane;
        bestUser = user;
        bestHead = head;
      }
    }
    if (!best) return undefined;
    const item = best.jobs.shift()!;
    if (best.jobs.length === 0) this.lanes.delete(bestUser);
    this.byId.delete(item.id);
    this.round = bestHead;
    this.lastRound.set(bestUser, bestHead);
    this.pruneRounds();
    this.invalidate();
    return item;
  }

  /** Every waiting job in the order `pick` would take them. */
  ordered(): readonly T[] {
    if (this.order) return this.order;
    const buckets: T[][] = [];
    // Lanes iterate in insertion order, which is `since` order: each round's bucket comes out sorted.
    for (const [user, lane] of this.lanes) {
      const offset = this.headOf(user) - this.round;
      lane.jobs.forEach((job, k) => (buckets[offset + k] ??= []).push(job));
    }
    const order: T[] = [];
    for (const bucket of buckets) if (bucket) for (const job of bucket) order.push(job);
    this.order = order;
    return order;
  }

  /** 1-based place in fair order, or null when the job is not waiting. */
  position(id: string): number | null {
    if (!this.byId.has(id)) return null;
    if (!this.positions) {
      const positions = new Map<string, number>();
      this.ordered().forEach((job, i) => positions.set(job.id, i + 1));
      this.positions = positions;
    }
    return this.positions.get(id) ?? null;
  }

  private headOf(user: string): number {
    const last = this.lastRound.get(user);
    return last === undefined ? this.round : Math.max(last + 1, this.round);
  }

  /** Users whose last round is behind the current one rank like newcomers: forget them. */
  private pruneRounds(): void {
    if (this.lastRound.size <= 2 * this.lanes.size + 16) return;
    for (const [user, last] of this.lastRound) if (last + 1 <= this.round) this.lastRound.delete(user);
  }

  private invalidate(): void {
    this.order = null;
    this.positions = null;
  }
}

/** Within one user: higher priority first, then earlier submission. */
function before(a: FairItem, b: FairItem): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq;
}
