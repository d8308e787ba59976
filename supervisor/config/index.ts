/**
 * Front door of the cluster config: the schema (types, defaults, allowed values), the
 * YAML loader with `--set` overrides, and the one error it throws. Everything outside
 * supervisor/config imports from here.
 */
export {
  ClusterConfigSchema,
  ConsistencyMode,
  DataFormat,
  DLRM_SMALL_EMBEDDING_DIM,
  LogLevel,
  ModelKind,
  OptimizerKind,
} from "./schema.js";
export type { ClusterConfig, ClusterConfigInput } from "./schema.js";
export { ConfigError } from "./config-error.js";
export type { ConfigIssue } from "./config-error.js";
export { parseConfig } from "./parse-config.js";
export { loadConfig, resolveDataPath } from "./load-config.js";
export { applyOverrides, parseOverrideValue } from "./overrides.js";
