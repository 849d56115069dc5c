export { BootstrapError, isBootstrapError, messageOf } from "./errors.js";
export type { ErrorCode, BootstrapErrorOptions } from "./errors.js";
export { redact, registerSecret, clearRegisteredSecrets } from "./redact.js";
export { FileLogger, silentLogger } from "./logger.js";
export type { Logger } from "./logger.js";
export { writeFileAtomic } from "./atomic-write.js";
export { runGraph, runGraphSettled, topologicalOrder } from "./run-graph.js";
export type { GraphNode, NodeOutcome, GraphRunOptions } from "./run-graph.js";
export { readTextIfExists } from "./read-if-exists.js";
