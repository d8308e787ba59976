/**
 * Finding the nats-server binary: on PATH, or where Debian and the official tarballs put
 * it (/usr/sbin is often not on a user's PATH).
 */
import { constants as fsConstants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";

// Where Debian and the official tarballs put the binary; /usr/sbin is often off a user's PATH.
const EXTRA_BIN_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/usr/bin"];

/** No nats-server binary could be found. Terminal: install it, don't retry. */
export class NatsServerNotFoundError extends Error {
  override readonly name = "NatsServerNotFoundError";
  constructor(readonly searched: readonly string[]) {
    super(
      `nats-server not found (looked in ${searched.join(", ")}); ` +
        "run `npm run setup` or `apt-get install nats-server`",
    );
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of the nats-server binary; throws NatsServerNotFoundError. */
export async function findNatsServer(binary?: string): Promise<string> {
  if (binary !== undefined) {
    if (await isExecutable(binary)) return resolve(binary);
    throw new NatsServerNotFoundError([binary]);
  }
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter).filter((d) => d !== ""), ...EXTRA_BIN_DIRS];
  const unique = [...new Set(dirs)];
  for (const dir of unique) {
    const candidate = join(dir, "nats-server");
    if (await isExecutable(candidate)) return candidate;
  }
  throw new NatsServerNotFoundError(unique);
}
