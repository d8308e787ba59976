/**
 * `--set dotted.path=value` overrides, applied to the raw config document before it is
 * validated, so an override goes through exactly the checks a value in the file does.
 * Values are read as YAML scalars or flow collections (`512` is a number, `[a,b]` a
 * list, `{column: class, positive: ">50K"}` a mapping); text YAML can't read as a value
 * (`>50K`, `,`, `|`) is taken literally. An empty value, `null` or `~` removes the key,
 * so its default applies. Paths the schema doesn't know are errors.
 */
import YAML from "yaml";
import { ConfigError, configIssue, formatValue, type ConfigIssue } from "./config-error.js";
import { schemaPathKind } from "./schema-paths.js";

type Mapping = Record<string, unknown>;

function isMapping(v: unknown): v is Mapping {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const NULL_LITERAL = /^\s*(~|null|Null|NULL)?\s*$/;
const QUOTED_EMPTY = /^\s*(""|'')\s*$/;

/** Reads an override's right-hand side as YAML, falling back to the literal text. */
export function parseOverrideValue(text: string): unknown {
  const doc = YAML.parseDocument(text, { logLevel: "silent" });
  if (doc.errors.length > 0) return text;
  const value: unknown = doc.toJS({ maxAliasCount: 0 });
  // YAML reads "#x" as a comment (null) and "|" as an empty block scalar: neither is
  // what someone typing them on a command line means.
  if (value === null && !NULL_LITERAL.test(text)) return text;
  if (value === "" && !QUOTED_EMPTY.test(text)) return text;
  return value;
}

/** Checks one dotted path against the schema; returns an issue, or undefined when known. */
function checkPath(key: string, segments: readonly string[], value: unknown): ConfigIssue | undefined {
  for (let i = 0; i < segments.length; i++) {
    const parent = segments.slice(0, i);
    const at = schemaPathKind(parent);
    const seg = segments[i] ?? "";
    if (at?.kind === "object" && at.keys.includes(seg)) continue;
    const under = parent.length === 0 ? "" : ` under ${parent.join(".")}`;
    const allowed = at?.kind === "object" ? at.keys.join(" | ") : "none";
    return {
      path: key,
      message: `--set ${key}: unknown config path; allowed keys${under}: ${allowed}`,
      value,
      allowed,
    };
  }
  return undefined;
}

/**
 * Returns a copy of `raw` with each `dotted.path=value` override applied, in order.
 * Throws ConfigError naming every malformed override or unknown path.
 */
export function applyOverrides(
  raw: Readonly<Mapping>,
  overrides: readonly string[],
  options: { source?: string } = {},
): Mapping {
  const out = structuredClone(raw) as Mapping;
  const issues: ConfigIssue[] = [];
  for (const entry of overrides) {
    const eq = entry.indexOf("=");
    const key = eq < 0 ? entry.trim() : entry.slice(0, eq).trim();
    const segments = key.split(".");
    if (eq <= 0 || segments.some((s) => s === "")) {
      issues.push({ path: key, message: `--set ${formatValue(entry)}: expected dotted.path=value`, value: entry });
      continue;
    }
    const value = parseOverrideValue(entry.slice(eq + 1));
    const bad = checkPath(key, segments, value);
    if (bad !== undefined) {
      issues.push(bad);
      continue;
    }
    let node: Mapping = out;
    let blocked: ConfigIssue | undefined;
    for (let i = 0; i < segments.length - 1 && blocked === undefined; i++) {
      const seg = segments[i] ?? "";
      const child = node[seg];
      if (child === undefined || child === null) {
        const fresh: Mapping = {};
        node[seg] = fresh;
        node = fresh;
      } else if (isMapping(child)) {
        node = child;
      } else {
        const at = segments.slice(0, i + 1).join(".");
        blocked = configIssue(at, child, "mapping", `--set ${key} needs ${at} to be a mapping`);
      }
    }
    if (blocked !== undefined) {
      issues.push(blocked);
      continue;
    }
    const last = segments[segments.length - 1] ?? "";
    if (value === null) delete node[last];
    else node[last] = value;
  }
  if (issues.length > 0) {
    throw new ConfigError(`invalid --set override${issues.length === 1 ? "" : "s"}`, issues, options);
  }
  return out;
}
