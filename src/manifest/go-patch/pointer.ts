/**
 * go-patch paths ("pointers"): `/key`, `/0`, `/-`, `/name=value`, optional `?` segments (once a
 * segment is optional, every later one is too), `~0` `~1` `~7` escapes and the `:prev` `:next`
 * `:before` `:after` array modifiers. Parsing and printing follow cppforlife/go-patch so that
 * error messages show paths the way operators know them from bosh-cli.
 */
export type Modifier = "prev" | "next" | "before" | "after";

export type Token =
  | { kind: "index"; index: number; modifiers: Modifier[] }
  | { kind: "after-last" }
  | { kind: "matching"; key: string; value: string; optional: boolean; modifiers: Modifier[] }
  | { kind: "key"; key: string; optional: boolean };

/** A parsed pointer; the root token is implicit (an empty list means the whole document). */
export interface Pointer {
  tokens: Token[];
}

export class PointerSyntaxError extends Error {}

const decode = (s: string): string => s.replace(/~[017]/g, (m) => (m === "~0" ? "~" : m === "~1" ? "/" : ":"));
const encode = (s: string): string => s.replace(/[~/:]/g, (m) => (m === "~" ? "~0" : m === "/" ? "~1" : "~7"));

export function parsePointer(text: string): Pointer {
  if (text === "") return { tokens: [] };
  if (!text.startsWith("/")) throw new PointerSyntaxError("Expected to start with '/'");
  const pieces = text.split("/").slice(1);
  const tokens: Token[] = [];
  let optional = false;
  pieces.forEach((raw, i) => {
    const isLast = i === pieces.length - 1;
    const [head = "", ...modifierNames] = raw.split(":");
    const modifiers = modifierNames.map((name): Modifier => {
      if (name === "prev" || name === "next" || name === "before" || name === "after") return name;
      throw new PointerSyntaxError(
        `Expected to find one of the following modifiers: 'prev', 'next', 'before', or 'after' but found '${modifierNames[0] ?? ""}'`,
      );
    });
    const tok = decode(head);
    if (isLast && tok === "-") {
      if (modifiers.length > 0) throw new PointerSyntaxError("Expected not to find any modifiers with after last index token");
      tokens.push({ kind: "after-last" });
      return;
    }
    if (/^[+-]?\d+$/.test(tok)) {
      tokens.push({ kind: "index", index: Number.parseInt(tok, 10), modifiers });
      return;
    }
    if (tok.endsWith("?")) optional = true;
    const eq = tok.indexOf("=");
    if (eq >= 0) {
      const value = tok.slice(eq + 1);
      tokens.push({ kind: "matching", key: tok.slice(0, eq), value: value.endsWith("?") ? value.slice(0, -1) : value, optional, modifiers });
      return;
    }
    if (modifiers.length > 0) throw new PointerSyntaxError("Expected not to find any modifiers with key token");
    tokens.push({ kind: "key", key: tok.endsWith("?") ? tok.slice(0, -1) : tok, optional });
  });
  return { tokens };
}

export function formatPointer(pointer: Pointer | Token[]): string {
  const tokens = Array.isArray(pointer) ? pointer : pointer.tokens;
  const parts = [""];
  let optionalShown = false;
  for (const token of tokens) {
    switch (token.kind) {
      case "index":
        parts.push(`${token.index}${token.modifiers.map((m) => `:${m}`).join("")}`);
        break;
      case "after-last":
        parts.push("-");
        break;
      case "matching": {
        let value = encode(token.value);
        if (token.optional && !optionalShown) {
          value += "?";
          optionalShown = true;
        }
        parts.push(`${encode(token.key)}=${value}${token.modifiers.map((m) => `:${m}`).join("")}`);
        break;
      }
      case "key": {
        let key = encode(token.key);
        if (token.optional && !optionalShown) {
          key += "?";
          optionalShown = true;
        }
        parts.push(key);
        break;
      }
    }
  }
  return parts.length === 1 ? "" : parts.join("/");
}
