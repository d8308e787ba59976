/**
 * The argument checks of the reference kernels, the same ones the native addon makes
 * (gpu/native/cpu/addon.cc), so both backends reject the same calls with a RangeError
 * that names the kernel and the argument.
 */

/** Throws unless v is an integer in [lo, hi]. */
export function checkInt(fn: string, name: string, v: number, lo: number, hi = 2 ** 53): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${fn}: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
}

/** Throws unless rows×cols at `offset` with row stride `stride` lies inside `length` elements. */
export function checkMatrix(
  fn: string, name: string, length: number, offset: number, rows: number, cols: number, stride: number,
): void {
  checkInt(fn, `${name} offset`, offset, 0);
  checkInt(fn, `${name} stride`, stride, 0, 2 ** 31);
  // An empty view is never read or written, wherever it starts.
  if (rows === 0 || cols === 0) return;
  if (stride < cols) throw new RangeError(`${fn}: ${name} stride ${stride} is less than its ${cols} columns`);
  const end = offset + (rows - 1) * stride + cols;
  if (end > length) {
    throw new RangeError(
      `${fn}: ${name} needs ${end} elements (${rows}×${cols}, stride ${stride}, offset ${offset}), has ${length}`,
    );
  }
}

/** Throws unless every index is a row of a table with `rows` rows. */
export function checkIndices(fn: string, name: string, index: Int32Array, rows: number): void {
  for (let i = 0; i < index.length; i++) {
    const r = index[i]!;
    if (r < 0 || r >= rows) throw new RangeError(`${fn}: ${name}[${i}] = ${r} is not a row of a ${rows}-row table`);
  }
}
