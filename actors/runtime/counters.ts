/**
 * Named monotonic counters of one actor (messages served, rejected by reason, rows
 * applied, …). They ride on heartbeats and inspection replies; the metrics exporter
 * reads the same numbers.
 */
export class Counters {
  readonly #values = new Map<string, number>();

  /** Adds n (default 1) to a counter, creating it at zero. */
  inc(name: string, n = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + n);
  }

  /** Sets a gauge-like value (e.g. rows held). */
  set(name: string, value: number): void {
    this.#values.set(name, value);
  }

  /** Current value of a counter, 0 when never touched. */
  get(name: string): number {
    return this.#values.get(name) ?? 0;
  }

  /** A plain copy of every counter, for the wire. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#values);
  }
}
