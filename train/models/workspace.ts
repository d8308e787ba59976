/**
 * Growable scratch buffers owned by one model instance, so that steps reuse memory
 * instead of allocating per batch. Contents are undefined between uses.
 */

/** Numbered Float64 scratch buffers that only ever grow. @internal */
export class Workspace {
  #buffers: Float64Array[] = [];

  /** Buffer number `slot`, at least `size` long; contents undefined. */
  buffer(slot: number, size: number): Float64Array {
    let b = this.#buffers[slot];
    if (b === undefined || b.length < size) {
      b = new Float64Array(size);
      this.#buffers[slot] = b;
    }
    return b;
  }
}
