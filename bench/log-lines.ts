/**
 * The pino JSON lines Colony writes, read as timed records: the root supervisor's lines
 * on `colony up --json`'s stderr and each actor's lines in RUN/logs/<id>.log. Every line
 * carries its own `time` (epoch ms from the supervisor, ISO text from actors), which the
 * elasticity benchmark uses as its clock: when it reads a line does not matter, only
 * what the line says about when it was written. `waitFor` polls; it never parses a line twice.
 */
import { open } from "node:fs/promises";
import path from "node:path";
import { BenchStepError } from "./bench-errors.js";

/** One parsed log line: its time (epoch ms), message, and every other field. */
export interface LogRecord {
  readonly time: number;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/** Parses one pino JSON line; undefined for anything else (a stack trace, a partial line). */
export function parseLogLine(line: string): LogRecord | undefined {
  if (!line.startsWith("{")) return undefined;
  let fields: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    fields = value as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const raw = fields["time"];
  const time = typeof raw === "number" ? raw : typeof raw === "string" ? Date.parse(raw) : Number.NaN;
  const msg = fields["msg"];
  if (!Number.isFinite(time) || typeof msg !== "string") return undefined;
  return { time, msg, fields };
}

/** A growing list of records that callers can wait on. */
export class LogBook {
  readonly #records: LogRecord[] = [];

  /** Adds a raw line (ignored when it is not a pino JSON line). */
  add(line: string): void {
    const r = parseLogLine(line);
    if (r !== undefined) this.#records.push(r);
  }

  /** The first record matching `match`, if any yet. */
  find(match: (r: LogRecord) => boolean): LogRecord | undefined {
    return this.#records.find(match);
  }

  get records(): readonly LogRecord[] {
    return this.#records;
  }
}

const POLL_MS = 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with the first record of `book` matching `match`, calling `refresh` between looks; throws BenchStepError after timeoutMs. */
export async function waitForRecord(
  what: string,
  book: LogBook,
  match: (r: LogRecord) => boolean,
  opts: { timeoutMs: number; refresh?: () => Promise<void> },
): Promise<LogRecord> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    await opts.refresh?.();
    const found = book.find(match);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new BenchStepError("elasticity", null, "", `no log line showed ${what} within ${opts.timeoutMs / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** Follows the log files of a run's actors (RUN/logs/<id>.log), reading only what was appended since the last look. */
export class ActorLogs {
  readonly #dir: string;
  readonly #files = new Map<string, { offset: number; partial: string; book: LogBook }>();

  constructor(runDir: string) {
    this.#dir = path.join(runDir, "logs");
  }

  /** Reads what `id`'s log gained since the last call; a missing file is an empty log. */
  async refresh(id: string): Promise<LogBook> {
    let f = this.#files.get(id);
    if (f === undefined) {
      f = { offset: 0, partial: "", book: new LogBook() };
      this.#files.set(id, f);
    }
    let handle;
    try {
      handle = await open(path.join(this.#dir, `${id}.log`), "r");
    } catch {
      return f.book;
    }
    try {
      const { size } = await handle.stat();
      if (size > f.offset) {
        const buf = Buffer.alloc(size - f.offset);
        const { bytesRead } = await handle.read(buf, 0, buf.length, f.offset);
        f.offset += bytesRead;
        const lines = (f.partial + buf.subarray(0, bytesRead).toString("utf8")).split("\n");
        f.partial = lines.pop() ?? "";
        for (const line of lines) f.book.add(line);
      }
    } finally {
      await handle.close();
    }
    return f.book;
  }

  /** Waits for the first line of actor `id` (incarnation `pid`) with message `msg` (and matching `extra`, when given). */
  async waitFor(id: string, pid: number, msg: string, timeoutMs: number, extra?: (r: LogRecord) => boolean): Promise<LogRecord> {
    const book = await this.refresh(id);
    return waitForRecord(`${id} (pid ${pid}) logging '${msg}'`, book,
      (r) => r.msg === msg && r.fields["pid"] === pid && (extra === undefined || extra(r)),
      { timeoutMs, refresh: async () => { await this.refresh(id); } });
  }
}
