/** go-patch `replace`: sets the value at a path, creating optional (`?`) parents on the way. */
import type { Pointer, Token } from "./pointer.js";
import { formatPointer } from "./pointer.js";
import { PatchError, mismatch, missingKey, multipleMatching } from "./errors.js";
import { concreteIndex, insertionIndex, matchingIndexes } from "./array-index.js";
import { deepClone } from "./go-types.js";
import { isRecord } from "../../common/index.js";

export function applyReplace(doc: unknown, path: Pointer, value: unknown): unknown {
  const cloned = deepClone(value);
  const tokens = path.tokens;
  if (tokens.length === 0) return cloned;
  let root = doc;
  let obj = doc;
  let update = (v: unknown): void => {
    root = v;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const isLast = i === tokens.length - 1;
    const at = tokens.slice(0, i + 1);
    switch (token.kind) {
      case "index": {
        if (!Array.isArray(obj)) throw mismatch("an array", at, obj);
        const array = obj;
        if (isLast) {
          const pos = insertionIndex(token.index, token.modifiers, array, at);
          if (pos.insert) update([...array.slice(0, pos.at), cloned, ...array.slice(pos.at)]);
          else array[pos.at] = cloned;
        } else {
          const idx = concreteIndex(token.index, token.modifiers, array, at);
          obj = array[idx];
          update = (v) => {
            array[idx] = v;
          };
        }
        break;
      }
      case "after-last": {
        if (!Array.isArray(obj)) throw mismatch("an array", at, obj);
        if (!isLast) throw new PatchError(`Expected after last index token to be last in path '${formatPointer(path)}'`);
        update([...obj, cloned]);
        break;
      }
      case "matching": {
        if (!Array.isArray(obj)) throw mismatch("an array", at, obj);
        const array = obj;
        const idxs = matchingIndexes(array, token.key, token.value);
        if (token.optional && idxs.length === 0) {
          if (isLast) {
            update([...array, cloned]);
          } else {
            obj = { [token.key]: token.value };
            update([...array, obj]);
          }
        } else {
          if (idxs.length !== 1) throw multipleMatching(at, idxs.length);
          if (isLast) {
            const pos = insertionIndex(idxs[0] as number, token.modifiers, array, at);
            if (pos.insert) update([...array.slice(0, pos.at), cloned, ...array.slice(pos.at)]);
            else array[pos.at] = cloned;
          } else {
            obj = array[concreteIndex(idxs[0] as number, token.modifiers, array, at)];
          }
        }
        break;
      }
      case "key": {
        if (!isRecord(obj)) throw mismatch("a map", at, obj);
        const map = obj;
        const found = Object.hasOwn(map, token.key);
        if (!found && !token.optional) throw missingKey(token.key, at, map);
        if (isLast) {
          map[token.key] = cloned;
        } else {
          update = (v) => {
            map[token.key] = v;
          };
          obj = map[token.key];
          if (!found) {
            const next = tokens[i + 1] as Token;
            if (next.kind === "after-last" || next.kind === "matching") obj = [];
            else if (next.kind === "key") obj = {};
            else {
              throw new PatchError(
                `Expected to find key, matching index or after last index token at path '${formatPointer(tokens.slice(0, i + 2))}'`,
              );
            }
            map[token.key] = obj;
          }
        }
        break;
      }
    }
  }
  return root;
}
