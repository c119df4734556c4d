/**
 * Which songs to drop so the artifact store keeps its retention and disk budget (issue 3/5 item 3;
 * config `retentionDays`, `diskBudgetMb`). A pure function over the songs and the sizes on disk, so the
 * store (store.ts) can apply it in a crash-safe order: records first, files after.
 *
 * 1. Every song older than `retentionDays` (0 = keep forever) is dropped.
 * 2. While the bytes referenced by the kept songs exceed `diskBudgetMb` (0 = no budget; 1 MB = 2^20
 *    bytes), the oldest kept song is dropped.
 * Artifacts are content-addressed and may be shared (two songs with the same waveform, say): a file is
 * freed only when no kept song references it, and only freed bytes count towards the budget. Files no
 * song references (orphans) are not counted; `sweep` removes them.
 */

/** What the planner needs of a song (a store `Song` fits). */
export interface BudgetSong {
  id: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  artifacts: Readonly<Record<string, { sha256: string }>>;
}

export interface BudgetLimits {
  retentionDays: number;
  diskBudgetMb: number;
}

export interface BudgetPlan {
  /** Songs to drop, oldest first. */
  songIds: string[];
  /** Artifacts no kept song references any more. */
  sha256s: string[];
  bytesFreed: number;
  /** Bytes referenced by the kept songs afterwards. */
  bytesKept: number;
}

const DAY_MS = 86_400_000;
export const MB = 1 << 20;

/**
 * Plans the drops for `songs` (oldest first, as the store lists them; sorted again here to be safe)
 * given `sizes` (bytes on disk per sha256; missing = 0) at time `now`.
 */
export function planBudget(limits: BudgetLimits, songs: readonly BudgetSong[], sizes: ReadonlyMap<string, number>, now: number): BudgetPlan {
  const ordered = [...songs].sort((a, b) => a.createdAt - b.createdAt);
  const refs = new Map<string, number>();
  const shas = (song: BudgetSong) => new Set(Object.values(song.artifacts).map((a) => a.sha256));
  for (const song of ordered) for (const sha of shas(song)) refs.set(sha, (refs.get(sha) ?? 0) + 1);
  let kept = 0;
  for (const sha of refs.keys()) kept += sizes.get(sha) ?? 0;

  const dropped: string[] = [];
  const freed: string[] = [];
  let bytesFreed = 0;
  const drop = (song: BudgetSong) => {
    dropped.push(song.id);
    for (const sha of shas(song)) {
      const left = refs.get(sha)! - 1;
      refs.set(sha, left);
      if (left === 0) {
        freed.push(sha);
        const size = sizes.get(sha) ?? 0;
        bytesFreed += size;
        kept -= size;
      }
    }
  };

  const cutoff = limits.retentionDays > 0 ? now - limits.retentionDays * DAY_MS : -Infinity;
  let next = 0;
  while (next < ordered.length && ordered[next]!.createdAt < cutoff) drop(ordered[next++]!);
  const budget = limits.diskBudgetMb > 0 ? limits.diskBudgetMb * MB : Infinity;
  while (kept > budget && next < ordered.length) drop(ordered[next++]!);
  return { songIds: dropped, sha256s: freed, bytesFreed, bytesKept: kept };
}
