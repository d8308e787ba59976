/**
 * parseConfig: validates a plain object against the cluster config schema, fills in
 * defaults, and turns every zod issue into a ConfigIssue that names the dotted path,
 * the value found and what is allowed. It reads no files and leaves data paths as given
 * (loadConfig resolves them).
 */
import { ClusterConfigSchema, type ClusterConfig } from "./schema.js";
import { ConfigError, configIssue, type ConfigIssue } from "./config-error.js";
import { schemaPathKind } from "./schema-paths.js";

/** The fields of a zod 4 issue this module reads; the rest varies by issue kind. */
interface ZodIssueLike {
  readonly code: string;
  readonly path?: readonly PropertyKey[];
  readonly message?: string;
  readonly expected?: string;
  readonly values?: readonly unknown[];
  readonly input?: unknown;
  readonly keys?: readonly string[];
  readonly minimum?: unknown;
  readonly maximum?: unknown;
}

// zod's type names, in the words a config author uses.
const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: "mapping",
  array: "list",
  int: "integer",
  number: "number",
  string: "string",
  boolean: "true | false",
};

/**
 * Contextual error map: fields without their own message get one that states what is
 * allowed, so every issue's message can be used as the "allowed" part.
 */
function allowedFor(iss: ZodIssueLike): string | undefined {
  switch (iss.code) {
    case "invalid_type": {
      const word = TYPE_WORDS[iss.expected ?? ""] ?? iss.expected ?? "a value";
      return iss.input === undefined ? `${word} (required)` : word;
    }
    case "invalid_value":
      return (iss.values ?? []).map(String).join(" | ");
    case "too_small":
      return `>= ${String(iss.minimum)}`;
    case "too_big":
      return `<= ${String(iss.maximum)}`;
    default:
      return undefined;
  }
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function toIssues(iss: ZodIssueLike, input: unknown): ConfigIssue[] {
  const path = iss.path ?? [];
  if (iss.code === "unrecognized_keys") {
    const parent = dotted(path);
    const at = schemaPathKind(path.map(String));
    const known = at?.kind === "object" ? at.keys.join(" | ") : "none";
    return (iss.keys ?? []).map((key) => {
      const full = parent === "" ? key : `${parent}.${key}`;
      return {
        path: full,
        message: `${full}: unknown key; allowed keys${parent === "" ? "" : ` under ${parent}`}: ${known}`,
        value: valueAt(input, [...path, key]),
        allowed: known,
      };
    });
  }
  return [configIssue(dotted(path), valueAt(input, path), iss.message ?? allowedFor(iss))];
}

/**
 * Validates `obj` as a cluster config and returns it with every default filled in.
 * Throws ConfigError listing every bad field (path, value, what is allowed).
 */
export function parseConfig(obj: unknown, options: { source?: string } = {}): ClusterConfig {
  const result = ClusterConfigSchema.safeParse(obj, {
    error: (iss) => allowedFor(iss as unknown as ZodIssueLike),
  });
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((i) => toIssues(i as unknown as ZodIssueLike, obj));
  const n = issues.length;
  throw new ConfigError(`invalid cluster config: ${n} problem${n === 1 ? "" : "s"}`, issues, options);
}
