/**
 * The version tree over a song store: a song's ancestors (walking `parentId` up) and its tree of descendants
 * (walking the children index down, one level at a time). Both stop on a cycle (only hand-edited records can
 * make one) and at deleted songs.
 */
import type { Song, SongTree } from './song.js';

/** The two reads lineage needs. */
export interface LineageReader {
  getSong(id: string): Promise<Song | null>;
  /** The children of each id, oldest first (one batch per tree level). */
  childrenOf(ids: readonly string[]): Promise<Map<string, Song[]>>;
}

/** Longest parent chain followed (a guard, far beyond any real edit history). */
export const MAX_DEPTH = 10_000;
/** Default cap on the songs one tree holds. */
export const DEFAULT_MAX_TREE_NODES = 10_000;

/** The parent, grandparent, … of `id` up to the root, nearest first; [] for a root or an unknown id. */
export async function ancestorsOf(id: string, getSong: LineageReader['getSong']): Promise<Song[]> {
  const start = await getSong(id);
  const seen = new Set<string>([id]);
  const chain: Song[] = [];
  let parentId = start?.parentId ?? null;
  while (parentId !== null && !seen.has(parentId) && chain.length < MAX_DEPTH) {
    seen.add(parentId);
    const parent = await getSong(parentId);
    if (parent === null) break; // removed by retention: the known lineage ends here
    chain.push(parent);
    parentId = parent.parentId;
  }
  return chain;
}

/**
 * `id` and its descendants, breadth first (one batched read per level), each node's children
 * oldest first; at most `maxNodes` songs. Null if `id` is unknown.
 */
export async function treeOf(id: string, reader: LineageReader, options: { maxNodes?: number } = {}): Promise<SongTree | null> {
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_TREE_NODES;
  const song = await reader.getSong(id);
  if (song === null) return null;
  const root: SongTree = { song, children: [] };
  const seen = new Set<string>([song.id]);
  let level = [root];
  while (level.length > 0 && seen.size < maxNodes) {
    const next: SongTree[] = [];
    const kids = await reader.childrenOf(level.map((node) => node.song.id));
    level.forEach((node) => {
      for (const child of kids.get(node.song.id) ?? []) {
        if (seen.has(child.id) || seen.size >= maxNodes) continue;
        seen.add(child.id);
        const branch: SongTree = { song: child, children: [] };
        node.children.push(branch);
        next.push(branch);
      }
    });
    level = next;
  }
  return root;
}
