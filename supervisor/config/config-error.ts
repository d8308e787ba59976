/**
 * ConfigError: the one error the config loader throws. It is terminal (a bad config
 * does not get better by retrying) and carries one structured issue per bad field, so
 * `colony` can print them and tests can match on paths instead of message text.
 */

/** One problem with one field of the cluster config. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. "job.optimizer.kind"; "" for the whole document. */
  readonly path: string;
  /** One self-contained line: `path: got VALUE; allowed: …`. */
  readonly message: string;
  /** The offending value as found (undefined when the field is missing). */
  readonly value: unknown;
  /** What the field accepts, e.g. "sgd | adagrad | adam"; absent when it can't be said. */
  readonly allowed?: string;
}

/** A cluster config that can't be read, parsed or validated. Don't retry: fix the input. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: readonly ConfigIssue[];
  /** The config file, when the config came from one. */
  readonly source: string | undefined;

  constructor(
    summary: string,
    issues: readonly ConfigIssue[],
    options: { source?: string; cause?: unknown } = {},
  ) {
    const where = options.source === undefined ? "" : ` (${options.source})`;
    const lines = issues.map((i) => `\n  ${i.message}`).join("");
    super(`${summary}${where}${lines}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.issues = issues;
    this.source = options.source;
  }
}

/** Builds an issue whose message follows the `path: got VALUE; allowed: …` form. */
export function configIssue(path: string, value: unknown, allowed: string | undefined, note?: string): ConfigIssue {
  const got = `${path === "" ? "(document)" : path}: got ${formatValue(value)}`;
  const tail = allowed === undefined ? (note === undefined ? "" : `; ${note}`) : `; allowed: ${allowed}${note === undefined ? "" : ` (${note})`}`;
  return allowed === undefined ? { path, message: got + tail, value } : { path, message: got + tail, value, allowed };
}

/** Short, unambiguous rendering of a value for error messages. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" || value === null) {
    return String(value);
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
