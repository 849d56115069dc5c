/**
 * The one way YAML is read (manifests, ops files, vars files and stores, -v values, release.MF,
 * job.MF, stemcell.MF, bosh-init state, the local provider's specs): js-yaml's load, bounded.
 *
 * js-yaml resolves an alias (`*name`) to the very object its anchor made, so a 400-byte
 * "billion laughs" parses in microseconds into a small graph — and explodes in whatever walks
 * it next (interpolation, the YAML writer, hashing, redaction), taking gigabytes and seconds of
 * CPU during which not even SIGTERM is handled. So the parsed value is measured as it would be
 * written out, every alias counted each time it is used, and the walk stops at the first limit:
 * a bomb is refused in milliseconds, whatever it would have expanded to. js-yaml's own depth and
 * merge-key limits and a node count during parsing stop the shapes that are costly to parse.
 *
 * The limits are far above any real BOSH file (a large manifest with all its ops is ~10k
 * values) and low enough that everything after parsing stays well under a second. Errors other
 * than a limit are js-yaml's YAMLException, left for the caller to word (YAML_INVALID,
 * RELEASE_INVALID, ...).
 */
import yaml from "js-yaml";
import { BootstrapError } from "./errors.js";
import { formatBytes } from "./format-bytes.js";
import { isPlainRecord } from "./is-record.js";

export const YAML_LIMITS = {
  /** Characters of YAML text read at all. */
  maxTextLength: 8 * 1024 * 1024,
  /** Nodes (maps, lists, keys, scalars), every alias counted each time it is used. */
  maxNodes: 200_000,
  /** Nesting of maps and lists, aliases expanded. */
  maxDepth: 100,
  /** Characters of all keys and strings, every alias counted each time it is used. */
  maxExpandedChars: 32 * 1024 * 1024,
  /** Keys copied by merge keys (`<<: *name`), js-yaml's own budget made explicit. */
  maxMergeKeys: 10_000,
} as const;

export interface BoundedYamlOptions {
  /** js-yaml's default schema when absent. */
  schema?: yaml.Schema | undefined;
  /** What to do when the file is over a limit; a generic hint when absent. */
  hint?: string | undefined;
}

const DEFAULT_HINT =
  "No real BOSH file comes near these limits: check where this file came from (an alias bomb or a damaged file looks like this). " +
  "If it is genuine, write out fewer aliases (*name) or split it.";

/** Thrown by the parse listener to stop js-yaml at once; turned into YAML_TOO_LARGE below. */
class LimitReached extends Error {}

/** Parses `text` (named `file` in errors) within YAML_LIMITS, or throws YAML_TOO_LARGE. */
export function loadBoundedYaml(text: string, file: string, options: BoundedYamlOptions = {}): unknown {
  const tooLarge = (problem: string): BootstrapError =>
    new BootstrapError("YAML_TOO_LARGE", `${file} ${problem}`, { hint: options.hint ?? DEFAULT_HINT });
  if (text.length > YAML_LIMITS.maxTextLength) {
    throw tooLarge(`is ${formatBytes(text.length)} of YAML, more than the ${formatBytes(YAML_LIMITS.maxTextLength)} bootstrap reads`);
  }
  let opened = 0;
  let depth = 0;
  let value: unknown;
  // maxDepth and maxTotalMergeKeys are js-yaml 4.3's; @types/js-yaml does not declare them yet.
  const loadOptions: yaml.LoadOptions & { maxDepth: number; maxTotalMergeKeys: number } = {
    filename: file,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    // Above the listener's, so that its message (which names the limit) comes first.
    maxDepth: PARSE_DEPTH + 1,
    maxTotalMergeKeys: YAML_LIMITS.maxMergeKeys,
    listener: (event) => {
      if (event === "close") {
        depth -= 1;
        return;
      }
      opened += 1;
      depth += 1;
      if (opened > PARSE_NODES) throw new LimitReached(nodesProblem());
      if (depth > PARSE_DEPTH) throw new LimitReached(depthProblem());
    },
  };
  try {
    value = yaml.load(text, loadOptions);
  } catch (error) {
    if (error instanceof LimitReached) throw tooLarge(error.message);
    if (error instanceof yaml.YAMLException && MERGE_LIMIT.test(error.reason)) {
      throw tooLarge(`merges (<<) more than ${YAML_LIMITS.maxMergeKeys} keys or lists more than 100 maps in one merge`);
    }
    throw error;
  }
  const problem = expandedSizeProblem(value);
  if (problem !== undefined) throw tooLarge(problem);
  return value;
}

/**
 * The same measure for a value built from YAML documents rather than parsed from one: a
 * manifest after interpolation holds each variable's value at every ((reference)), shared, so
 * a small vars file and a small manifest can multiply into a bomb. Throws YAML_TOO_LARGE.
 */
export function assertYamlWithinLimits(value: unknown, what: string, hint?: string): void {
  const problem = expandedSizeProblem(value);
  if (problem !== undefined) throw new BootstrapError("YAML_TOO_LARGE", `${what} ${problem}`, { hint: hint ?? DEFAULT_HINT });
}

// js-yaml composes a document that is not a block map once more, one level deeper (it first
// tries it as a map key), and may compose a node with an anchor or tag twice: parsing, a cost
// guard, allows that much more; the walk below counts exactly.
const PARSE_DEPTH = YAML_LIMITS.maxDepth + 1;
const PARSE_NODES = YAML_LIMITS.maxNodes + 100;

// js-yaml's wording for its merge limits (maxTotalMergeKeys, and at most 100 maps in one `<<: [...]`).
const MERGE_LIMIT = /maxTotalMergeKeys|abnormal merge sequence size/;

const nodesProblem = (): string =>
  `has more than ${YAML_LIMITS.maxNodes} values (maps, lists, keys and scalars, each alias *name counted every time it is used)`;
const depthProblem = (): string => `nests maps and lists more than ${YAML_LIMITS.maxDepth} deep (aliases *name expanded)`;

/**
 * Walks `root` as a tree (a shared object counted at every place it appears), counting nodes
 * when they are reached, so the walk does at most maxNodes steps and its stack never holds
 * more than that: the cost is bounded by the limits, not by the expansion.
 */
function expandedSizeProblem(root: unknown): string | undefined {
  let nodes = 1;
  let chars = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  const addChars = (count: number): boolean => (chars += count) > YAML_LIMITS.maxExpandedChars;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth } = next;
    if (typeof value === "string") {
      if (addChars(value.length)) return charsProblem();
      continue;
    }
    if (value instanceof Uint8Array) {
      if (addChars(value.length)) return charsProblem();
      continue;
    }
    const children = Array.isArray(value) ? (value as unknown[]) : isPlainRecord(value) ? Object.keys(value) : undefined;
    if (children === undefined || children.length === 0) continue;
    if (depth >= YAML_LIMITS.maxDepth) return depthProblem();
    if (Array.isArray(value)) {
      nodes += children.length;
      if (nodes > YAML_LIMITS.maxNodes) return nodesProblem();
      for (const item of children) stack.push({ value: item, depth: depth + 1 });
    } else {
      const record = value as Record<string, unknown>;
      nodes += 2 * children.length;
      if (nodes > YAML_LIMITS.maxNodes) return nodesProblem();
      for (const key of children as string[]) {
        if (addChars(key.length)) return charsProblem();
        stack.push({ value: record[key], depth: depth + 1 });
      }
    }
  }
  return undefined;
}

const charsProblem = (): string =>
  `holds more than ${formatBytes(YAML_LIMITS.maxExpandedChars)} of keys and strings (each alias *name counted every time it is used)`;

