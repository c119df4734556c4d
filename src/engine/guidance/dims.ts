/**
 * Shape of a guided latent as the guidance rules see it (spec §2.3).
 *
 * Latents are row-major `[B, 8, 16, T]`; a (batch, channel) "plane" is the 16·T values `[b][c][h][t]`, the
 * unit APG clips and projects over.
 */

/** `{ batch: B, channels: 8, plane: 16·T }` for a `[B, 8, 16, T]` latent. */
export interface PlaneDims {
  readonly batch: number;
  readonly channels: number;
  readonly plane: number;
}

/**
 * Throws a RangeError unless the dims are positive integers whose product is `length`.
 *
 * @param length - number of values in the tensor
 */
export function assertDims(dims: PlaneDims, length: number): void {
  const { batch, channels, plane } = dims;
  for (const [name, n] of [
    ['batch', batch],
    ['channels', channels],
    ['plane', plane],
  ] as const) {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`dims.${name} must be a positive integer, got ${String(n)}`);
  }
  if (batch * channels * plane !== length) {
    throw new RangeError(`dims ${batch}×${channels}×${plane} do not match a tensor of ${length} values`);
  }
}
