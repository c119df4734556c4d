/**
 * ERG ("Entropy Rectifying Guidance") query scales (spec §2.4, §13).
 *
 * Upstream multiplies the attention query of chosen layers by τ = 0.01 with forward hooks; the exported
 * graphs take that factor as an input (`cross_attn_q_scale [B, 24]` for the DiT, `lyric_q_scale [B, 6]`,
 * `q_scale [B, 12]` for UMT5). This builds one row: ones, with τ at the ERG layers when active. Upstream's
 * layer indices are absolute (UMT5 8–9, lyric encoder 4–5, DiT 15–19); a pack too shallow for them records
 * its own in its manifest.
 *
 * Spec: ../shared/spec/acestep-v1.md §2.4, §9.1, §13.
 */

/**
 * @param layers - number of layers the graph input covers (e.g. 24)
 * @param ergLayers - 0-based layer indices to weaken (e.g. [15, 16, 17, 18, 19])
 * @param active - false gives all ones (e.g. the conditional call, or ERG switched off)
 * @param tau - the query factor, 0.01 upstream
 * @returns `[layers]` f32
 * @throws RangeError for a layer index outside 0..layers−1 (upstream would crash on such a model)
 */
export function queryScales(layers: number, ergLayers: readonly number[], active: boolean, tau = 0.01): Float32Array {
  if (!Number.isInteger(layers) || layers < 0) {
    throw new RangeError(`layers must be a non-negative integer, got ${String(layers)}`);
  }
  if (!Number.isFinite(tau)) throw new RangeError(`tau must be a finite number, got ${String(tau)}`);
  for (const layer of ergLayers) {
    if (!Number.isInteger(layer) || layer < 0 || layer >= layers) {
      throw new RangeError(`ERG layer ${String(layer)} is outside 0..${layers - 1}`);
    }
  }
  const scales = new Float32Array(layers).fill(1);
  if (active) for (const layer of ergLayers) scales[layer] = tau;
  return scales;
}
