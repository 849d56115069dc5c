/** go-patch `remove` (optional segments make a missing target a no-op) and `find` (used by --path and ((a.b))). */
import type { Pointer, Token } from "./pointer.js";
import { formatPointer } from "./pointer.js";
import { PatchError, mismatch, missingKey, multipleMatching } from "./errors.js";
import { concreteIndex, matchingIndexes } from "./array-index.js";
import { isRecord } from "../../common/index.js";

export function applyRemove(doc: unknown, path: Pointer): unknown {
  const tokens = path.tokens;
  if (tokens.length === 0) throw new PatchError("Cannot remove entire document");
  let root = doc;
  let obj = doc;
  let update = (v: unknown): void => {
    root = v;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const isLast = i === tokens.length - 1;
    const at = tokens.slice(0, i + 1);
    if (token.kind === "index" || token.kind === "matching") {
      if (!Array.isArray(obj)) throw mismatch("an array", at, obj);
      const array = obj;
      let idx: number;
      if (token.kind === "index") {
        idx = concreteIndex(token.index, token.modifiers, array, at);
      } else {
        const idxs = matchingIndexes(array, token.key, token.value);
        if (token.optional && idxs.length === 0) return root;
        if (idxs.length !== 1) throw multipleMatching(at, idxs.length);
        idx = concreteIndex(idxs[0] as number, token.modifiers, array, at);
      }
      if (isLast) {
        update([...array.slice(0, idx), ...array.slice(idx + 1)]);
      } else {
        obj = array[idx];
        update = (v) => {
          array[idx] = v;
        };
      }
    } else if (token.kind === "key") {
      if (!isRecord(obj)) throw mismatch("a map", at, obj);
      const map = obj;
      if (!Object.hasOwn(map, token.key)) {
        if (token.optional) return root;
        throw missingKey(token.key, at, map);
      }
      if (isLast) {
        delete map[token.key];
      } else {
        obj = map[token.key];
        update = (v) => {
          map[token.key] = v;
        };
      }
    } else {
      throw new PatchError(`Expected to not find token 'patch.AfterLastIndexToken' at path '${formatPointer(at)}'`);
    }
  }
  return root;
}

export function findValue(doc: unknown, path: Pointer): unknown {
  const tokens = path.tokens;
  let obj = doc;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const isLast = i === tokens.length - 1;
    const at = tokens.slice(0, i + 1);
    switch (token.kind) {
      case "index": {
        if (!Array.isArray(obj)) throw mismatch("an array", at, obj);
        obj = obj[concreteIndex(token.index, token.modifiers, obj, at)];
        break;
      }
      case "after-last":
        throw new PatchError(
          `Expected not to find after last index token in path '${formatPointer(path)}' (not supported in find operations)`,
        );
      case "matching": {
        if (!Array.isArray(obj)) throw mismatch("an array", at, obj);
        const idxs = matchingIndexes(obj, token.key, token.value);
        if (token.optional && idxs.length === 0) {
          obj = { [token.key]: token.value };
        } else {
          if (idxs.length !== 1) throw multipleMatching(at, idxs.length);
          obj = obj[concreteIndex(idxs[0] as number, token.modifiers, obj, at)];
        }
        break;
      }
      case "key": {
        if (!isRecord(obj)) throw mismatch("a map", at, obj);
        const found = Object.hasOwn(obj, token.key);
        if (!found && !token.optional) throw missingKey(token.key, at, obj);
        if (isLast || found) {
          obj = obj[token.key];
        } else {
          const next = tokens[i + 1] as Token;
          if (next.kind === "matching") obj = [];
          else if (next.kind === "key") obj = {};
          else throw new PatchError(`Expected to find key or matching index token at path '${formatPointer(tokens.slice(0, i + 2))}'`);
        }
        break;
      }
    }
  }
  return obj === undefined ? null : obj;
}
