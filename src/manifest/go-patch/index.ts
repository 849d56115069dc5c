export { parsePointer, formatPointer, PointerSyntaxError } from "./pointer.js";
export type { Pointer, Token } from "./pointer.js";
export { PatchError } from "./errors.js";
export { applyRemove, findValue } from "./remove-find.js";
export { parseOps, applyOps } from "./ops.js";
export type { Op, OpsFile } from "./ops.js";
