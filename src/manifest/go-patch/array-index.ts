/** Resolving `/N`, negative indexes and the :prev/:next/:before/:after modifiers to positions. */
import type { Modifier, Token } from "./pointer.js";
import { missingIndex, PatchError } from "./errors.js";
import { isRecord } from "../../common/index.js";

export function concreteIndex(index: number, modifiers: Modifier[], array: unknown[], path: Token[]): number {
  let result = index;
  for (const modifier of modifiers) {
    if (modifier === "prev") result -= 1;
    else if (modifier === "next") result += 1;
    else throw new PatchError(`Expected to find one of the following modifiers: 'prev', 'next', but found modifier '${modifier}'`);
  }
  if (result >= array.length || -result - 1 >= array.length) throw missingIndex(result, array.length, path);
  return result < 0 ? array.length + result : result;
}

/** Where a replace at an index writes: overwrite in place, or insert before/after it. */
export function insertionIndex(index: number, modifiers: Modifier[], array: unknown[], path: Token[]): { at: number; insert: boolean } {
  let before = false;
  let after = false;
  const rest: Modifier[] = [];
  for (const modifier of modifiers) {
    if (before || after) {
      throw new PatchError(`Expected to not find any modifiers after '${before ? "before" : "after"}' modifier, but found modifier '${modifier}'`);
    }
    if (modifier === "before") before = true;
    else if (modifier === "after") after = true;
    else rest.push(modifier);
  }
  let at = concreteIndex(index, rest, array, path);
  if (after && at !== array.length) at += 1;
  return { at, insert: before || after };
}

export function matchingIndexes(array: unknown[], key: string, value: string): number[] {
  const found: number[] = [];
  array.forEach((item, i) => {
    // go-patch compares with the string as written in the path: `/name=1` never matches `name: 1`.
    if (isRecord(item) && item[key] === value) found.push(i);
  });
  return found;
}
