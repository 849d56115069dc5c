/** go-patch's failure messages, worded as go-patch words them (operators grep for these). */
import { formatPointer, type Token } from "./pointer.js";
import { goTypeName, type YamlMap } from "./go-types.js";

export class PatchError extends Error {
  /** Set for "missing key/index" failures at the end of the path, which `test absent` accepts. */
  constructor(message: string, readonly missingAt?: string) {
    super(message);
  }
}

export const mismatch = (what: "an array" | "a map", path: Token[], obj: unknown): PatchError =>
  new PatchError(`Expected to find ${what} at path '${formatPointer(path)}' but found '${goTypeName(obj)}'`);

export function missingKey(key: string, path: Token[], obj: YamlMap): PatchError {
  const keys = Object.keys(obj).sort();
  const siblings = keys.length === 0 ? "found no other map keys" : `found map keys: '${keys.join("', '")}'`;
  const at = formatPointer(path);
  return new PatchError(`Expected to find a map key '${key}' for path '${at}' (${siblings})`, at);
}

export function missingIndex(index: number, length: number, path: Token[]): PatchError {
  const at = formatPointer(path);
  return new PatchError(`Expected to find array index '${index}' but found array of length '${length}' for path '${at}'`, at);
}

export const multipleMatching = (path: Token[], count: number): PatchError =>
  new PatchError(`Expected to find exactly one matching array item for path '${formatPointer(path)}' but found ${count}`);
