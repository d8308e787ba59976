/**
 * Growable fp32 scratch buffers owned by one reference-kernels instance, so that a step
 * reuses memory instead of allocating per call. Contents are undefined between uses.
 */

/** Numbered Float32 scratch buffers that only ever grow. @internal */
export class Scratch {
  #buffers: Float32Array[] = [];

  /** Buffer number `slot`, at least `size` long; contents undefined. */
  buffer(slot: number, size: number): Float32Array {
    let b = this.#buffers[slot];
    if (b === undefined || b.length < size) {
      b = new Float32Array(size);
      this.#buffers[slot] = b;
    }
    return b;
  }
}
