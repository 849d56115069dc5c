/**
 * Ops files: parse go-patch operation definitions (replace / remove / test, with optional
 * `error`) and apply them in order. Every failure is an OPS_INVALID BootstrapError naming the ops
 * file, the operation's index in it and its path, with go-patch's own wording after that.
 */
import { BootstrapError, isRecord } from "../../common/index.js";
import { formatPointer, parsePointer, PointerSyntaxError, type Pointer } from "./pointer.js";
import { PatchError } from "./errors.js";
import { applyReplace } from "./replace.js";
import { applyRemove, findValue } from "./remove-find.js";
import { isDeepStrictEqual } from "node:util";

export type Op =
  | { type: "replace"; path: Pointer; rawPath: string; value: unknown; error?: string }
  | { type: "remove"; path: Pointer; rawPath: string; error?: string }
  | { type: "test"; path: Pointer; rawPath: string; value?: unknown; absent: boolean; error?: string };

export interface OpsFile {
  file: string;
  ops: Op[];
}

const hint = (file: string): string => `Fix the operation in ${file} (go-patch format: - type: replace|remove, path: /a/b, value: ...).`;

export function parseOps(defs: unknown, file: string): OpsFile {
  if (defs === null || defs === undefined) return { file, ops: [] };
  if (!Array.isArray(defs)) {
    throw new BootstrapError("OPS_INVALID", `Ops file '${file}' must be a YAML list of operations`, { hint: hint(file) });
  }
  const ops = defs.map((def, i) => parseOp(def, i, file));
  return { file, ops };
}

function parseOp(def: unknown, i: number, file: string): Op {
  const fail = (what: string, message: string): never => {
    throw new BootstrapError("OPS_INVALID", `Ops file '${file}': ${what} [${i}]: ${message}`, { hint: hint(file) });
  };
  if (!isRecord(def)) return fail("Unknown operation", "expected a map with 'type' and 'path'");
  const type = def["type"];
  const label = type === "replace" ? "Replace operation" : type === "remove" ? "Remove operation" : "Test operation";
  if (type !== "replace" && type !== "remove" && type !== "test") {
    return fail("Unknown operation", `with type '${String(type ?? "")}'`);
  }
  if (typeof def["path"] !== "string") return fail(label, "Missing path");
  const rawPath = def["path"];
  let path: Pointer;
  try {
    path = parsePointer(rawPath);
  } catch (error) {
    if (error instanceof PointerSyntaxError) return fail(label, `Invalid path: ${error.message}`);
    throw error;
  }
  // go-patch reads `value` into a pointer: `value: null` (or `~`) is the same as no value.
  const hasValue = def["value"] !== null && def["value"] !== undefined;
  const error = typeof def["error"] === "string" ? { error: def["error"] } : {};
  if (type === "replace") {
    if (!hasValue) return fail(label, "Missing value");
    return { type, path, rawPath, value: def["value"], ...error };
  }
  if (type === "remove") {
    if (hasValue) return fail(label, "Cannot specify value");
    return { type, path, rawPath, ...error };
  }
  const absent = def["absent"] === true;
  if (!hasValue && def["absent"] === undefined) return fail(label, "Missing value or absent");
  return { type, path, rawPath, absent, ...(hasValue ? { value: def["value"] } : {}), ...error };
}

export function applyOps(doc: unknown, opsFiles: readonly OpsFile[]): unknown {
  let current = doc;
  for (const { file, ops } of opsFiles) {
    ops.forEach((op, i) => {
      try {
        current = applyOp(current, op);
      } catch (error) {
        if (!(error instanceof PatchError)) throw error;
        const message = op.error === undefined ? error.message : `Error '${op.error}': ${error.message}`;
        throw new BootstrapError("OPS_INVALID", `Ops file '${file}' operation [${i}] (${op.type} '${op.rawPath}'): ${message}`, {
          hint: "Check that the ops file fits this manifest and that ops files are given in the right order.",
        });
      }
    });
  }
  return current;
}

function applyOp(doc: unknown, op: Op): unknown {
  switch (op.type) {
    case "replace":
      return applyReplace(doc, op.path, op.value);
    case "remove":
      return applyRemove(doc, op.path);
    case "test":
      if (op.absent) {
        try {
          findValue(doc, op.path);
        } catch (error) {
          if (error instanceof PatchError && error.missingAt === formatPointer(op.path)) return doc;
          throw error;
        }
        throw new PatchError(`Expected to not find '${op.rawPath}'`);
      }
      if (!isDeepStrictEqual(findValue(doc, op.path), op.value ?? null)) throw new PatchError("Found value does not match expected value");
      return doc;
  }
}
