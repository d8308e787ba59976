/**
 * A typed event fan-out with two doors: synchronous listeners (`on`) and async
 * iterators (`iterate`) in the style of nats.js's `nc.status()`. An iterator buffers
 * what it has not consumed yet and ends after close() once its buffer is drained;
 * breaking out of a for-await unsubscribes it. A throwing listener is reported to
 * `onListenerError` and does not stop delivery to the others.
 * @internal
 */

/** @internal */
export class EventStream<E> {
  readonly #listeners = new Set<(event: E) => void>();
  /** One per open iterator: wakes it up to finish. */
  readonly #closers = new Set<() => void>();
  readonly #onListenerError: (err: unknown) => void;
  #closed = false;

  constructor(onListenerError: (err: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Delivers `event` to every listener and iterator; ignored after close(). */
  emit(event: E): void {
    if (this.#closed) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.#onListenerError(err);
      }
    }
  }

  /** Calls `listener` with every later event; returns the unsubscribe function. */
  on(listener: (event: E) => void): () => void {
    if (this.#closed) return () => undefined;
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Ends every iterator (after it has yielded what it buffered) and drops the listeners. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    for (const closer of [...this.#closers]) closer();
    this.#closers.clear();
  }

  /** An iterator of the events emitted from now on, ending when the stream closes. */
  iterate(): AsyncIterableIterator<E> {
    const buffer: E[] = [];
    let wake: (() => void) | undefined;
    let ended = this.#closed;
    const listener = (event: E): void => {
      buffer.push(event);
      wake?.();
    };
    const closer = (): void => {
      ended = true;
      wake?.();
    };
    const finish = (): IteratorResult<E> => {
      ended = true;
      buffer.length = 0;
      this.#listeners.delete(listener);
      this.#closers.delete(closer);
      return { value: undefined, done: true };
    };
    if (!ended) {
      this.#listeners.add(listener);
      this.#closers.add(closer);
    }
    const iterator: AsyncIterableIterator<E> = {
      next: async (): Promise<IteratorResult<E>> => {
        while (buffer.length === 0 && !ended) await new Promise<void>((r) => { wake = r; });
        wake = undefined;
        if (buffer.length === 0) return finish();
        return { value: buffer.shift() as E, done: false };
      },
      return: async (): Promise<IteratorResult<E>> => finish(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
