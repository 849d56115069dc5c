/**
 * ESLint rule: a module under src/<folder>/ may import another top-level folder only through
 * that folder's index.ts, its public surface (house style: one folder per boundary). A folder
 * named in the `parted` option (src/local) is no boundary of its own but a set of parts, each a
 * boundary: src/local/<part>/ may import another part only through src/local/<other>/index.ts.
 * Imports inside a folder (or part), of packages and of node: builtins are not its business.
 * Relative specifiers only: the project has no path aliases.
 */
import { dirname, relative, resolve, sep } from "node:path";

/**
 * The unit a path lies in (`bootstrap`, or `local/cpi` for a parted folder) and the rest of the
 * path inside it, or undefined outside src/. A loose file of a parted folder belongs to the
 * folder itself (unit `local`), so its parts reach it only as they would reach another part.
 */
function placeOf(srcDir, path, parted) {
  const rel = relative(srcDir, path);
  if (rel.startsWith("..") || rel === "") return undefined;
  const [folder, ...rest] = rel.split(sep);
  if (rest.length === 0) return undefined;
  if (parted.includes(folder) && rest.length > 1) {
    const [part, ...inPart] = rest;
    return { unit: `${folder}/${part}`, rest: inPart.join("/") };
  }
  return { unit: folder, rest: rest.join("/") };
}

/** @type {import("eslint").Rule.RuleModule} */
export const folderBoundaries = {
  meta: {
    type: "problem",
    docs: { description: "Import another src/ folder (or another part of a parted folder) only through its index.ts" },
    schema: [
      {
        type: "object",
        properties: { parted: { type: "array", items: { type: "string" }, uniqueItems: true } },
        additionalProperties: false,
      },
    ],
    messages: {
      internal: "'{{source}}' reaches into src/{{unit}}/{{rest}}: import src/{{unit}}/index.js instead (export what is needed there).",
    },
  },
  create(context) {
    const parted = context.options[0]?.parted ?? [];
    const srcDir = resolve(context.cwd, "src");
    const here = placeOf(srcDir, context.filename, parted);
    if (here === undefined) return {};
    const check = (node) => {
      const source = node.source;
      if (source?.type !== "Literal" || typeof source.value !== "string" || !source.value.startsWith(".")) return;
      const there = placeOf(srcDir, resolve(dirname(context.filename), source.value), parted);
      if (there === undefined || there.unit === here.unit || there.rest === "index.js") return;
      context.report({ node: source, messageId: "internal", data: { source: source.value, unit: there.unit, rest: there.rest } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
