/**
 * Which dotted paths the cluster config schema knows. Overrides use it to reject
 * `--set job.bach=512` before validation, and the parser to list the keys allowed
 * next to an unknown one. It reads zod's schema definitions (`_zod.def`, the
 * introspection surface zod 4 documents for library authors) and nothing else.
 */
import { ClusterConfigSchema } from "./schema.js";

/** The part of a zod 4 schema definition this walk needs. */
interface SchemaNode {
  readonly _zod: {
    readonly def: {
      readonly type: string;
      readonly shape?: Readonly<Record<string, SchemaNode>>;
      readonly innerType?: SchemaNode;
      readonly in?: SchemaNode;
    };
  };
}

/** What sits at a path of the schema: a mapping with known keys, or a value. */
export type SchemaPathKind =
  | { readonly kind: "object"; readonly keys: readonly string[] }
  | { readonly kind: "value" };

// Wrappers that don't change which keys exist: defaults, optionality, transforms.
const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"]);

function unwrap(node: SchemaNode): SchemaNode {
  let n = node;
  for (;;) {
    const def = n._zod.def;
    if (WRAPPERS.has(def.type) && def.innerType !== undefined) n = def.innerType;
    else if (def.type === "pipe" && def.in !== undefined) n = def.in;
    else return n;
  }
}

/** Finds the schema node at `segments`; undefined when the path is not in the schema. */
function nodeAt(segments: readonly string[]): SchemaNode | undefined {
  // The cast only narrows zod's public schema type to the fields read above.
  let node: SchemaNode = unwrap(ClusterConfigSchema as unknown as SchemaNode);
  for (const seg of segments) {
    const shape = node._zod.def.type === "object" ? node._zod.def.shape : undefined;
    if (shape === undefined || !Object.hasOwn(shape, seg)) return undefined;
    const child = shape[seg];
    if (child === undefined) return undefined;
    node = unwrap(child);
  }
  return node;
}

/** Describes what the schema holds at `segments`, or undefined for an unknown path. */
export function schemaPathKind(segments: readonly string[]): SchemaPathKind | undefined {
  const node = nodeAt(segments);
  if (node === undefined) return undefined;
  const def = node._zod.def;
  if (def.type === "object" && def.shape !== undefined) return { kind: "object", keys: Object.keys(def.shape) };
  return { kind: "value" };
}
