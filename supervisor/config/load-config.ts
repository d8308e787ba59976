/**
 * loadConfig: reads a YAML cluster config file, applies `--set` overrides, validates it
 * (parseConfig) and resolves the data file paths to absolute ones, so every actor sees
 * the same files whatever its working directory.
 *
 * Relative data paths (job.data.path, job.data.eval) resolve against the current
 * working directory when the file exists there, else against the config file's
 * directory. That makes both `--set job.data.path=train.tsv` typed in the data's folder
 * and the repo-root-relative paths in examples/*.yaml work, and also a config kept next
 * to its data. A file found in neither place resolves against the config file's
 * directory; whoever opens it reports it missing.
 */
import { access, readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import YAML from "yaml";
import { ConfigError, configIssue } from "./config-error.js";
import { applyOverrides } from "./overrides.js";
import { parseConfig } from "./parse-config.js";
import type { ClusterConfig } from "./schema.js";

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of a data file named in a config (rule in the header comment). */
export async function resolveDataPath(path: string, cwd: string, configDir: string): Promise<string> {
  if (isAbsolute(path)) return path;
  const fromCwd = resolve(cwd, path);
  return (await exists(fromCwd)) ? fromCwd : resolve(configDir, path);
}

async function readDocument(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`cannot read cluster config: ${code}`, [], { source: path, cause });
  }
  // uniqueKeys: a key written twice is almost always an editing mistake, not an override.
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: "silent" });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => ({ path: "", message: e.message.split("\n")[0] ?? e.message, value: undefined }));
    throw new ConfigError("cluster config is not valid YAML", issues, { source: path });
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {}; // an empty file: defaults, then "job: required"
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError("invalid cluster config", [configIssue("", value, "mapping")], { source: path });
  }
  return value as Record<string, unknown>;
}

/**
 * Reads, overrides and validates the config at `path`; data paths come back absolute.
 * Each override is "dotted.path=value" (value read as YAML), applied before validation.
 * Throws ConfigError for an unreadable file, bad YAML, an unknown override path or any
 * invalid field.
 */
export async function loadConfig(
  path: string,
  overrides: string[] = [],
  options: { cwd?: string } = {},
): Promise<ClusterConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = resolve(cwd, path);
  const raw = await readDocument(file);
  const config = parseConfig(applyOverrides(raw, overrides, { source: path }), { source: path });
  const configDir = dirname(file);
  const data = config.job.data;
  const dataPath = await resolveDataPath(data.path, cwd, configDir);
  const evalPath = data.eval === undefined ? undefined : await resolveDataPath(data.eval, cwd, configDir);
  return {
    ...config,
    job: { ...config.job, data: { ...data, path: dataPath, ...(evalPath === undefined ? {} : { eval: evalPath }) } },
  };
}
