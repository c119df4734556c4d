/**
 * Argument checks and output buffers shared by the scheduler and guidance maths.
 *
 * Every step function returns a new Float32Array unless the caller passes `out`; `out` may be one of the
 * inputs (the maths is element-wise at the point of writing), which lets a sampling loop run without
 * allocating.
 */

/**
 * Throws a RangeError unless every named array has the length of the first.
 *
 * @param arrays - `[name, array]` pairs; names appear in the message
 */
export function assertSameLength(...arrays: ReadonlyArray<readonly [string, Float32Array]>): void {
  const first = arrays[0];
  if (first === undefined) return;
  for (const [name, a] of arrays) {
    if (a.length !== first[1].length) {
      throw new RangeError(`${name} has ${a.length} values, ${first[0]} has ${first[1].length}`);
    }
  }
}

/**
 * The output buffer of a step: `out` when given (checked for length), else a new Float32Array.
 *
 * @param length - required length
 * @param out - caller's buffer, may alias an input
 */
export function outputBuffer(length: number, out?: Float32Array): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (out.length !== length) throw new RangeError(`out has ${out.length} values, expected ${length}`);
  return out;
}

/**
 * Throws a RangeError unless `value` is a finite number.
 *
 * @param name - the parameter name for the message
 */
export function assertFinite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${String(value)}`);
  }
}
