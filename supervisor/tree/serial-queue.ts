/**
 * A supervisor's mailbox: operations run one at a time, in the order they were queued,
 * each after the previous one has settled — as an OTP supervisor handles one message at
 * a time. An operation's failure reaches whoever awaits it and never blocks the queue.
 * @internal
 */

/** @internal */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();
  readonly #onLostError: (err: unknown) => void;

  /** `onLostError` gets the errors of posted operations, which nobody awaits. */
  constructor(onLostError: (err: unknown) => void) {
    this.#onLostError = onLostError;
  }

  /** Queues `op`; resolves or rejects with its result once it has run. */
  run<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(op);
    this.#tail = result.then(() => undefined, () => undefined);
    return result;
  }

  /** Queues `op` without waiting for it; an error in it goes to onLostError. */
  post(op: () => Promise<void>): void {
    this.run(op).catch(this.#onLostError);
  }
}
