/**
 * ESLint rule: a module under src/<folder>/ may import another top-level folder only through
 * that folder's index.ts, its public surface (house style: one folder per boundary). Imports
 * inside a folder, of packages and of node: builtins are not its business. Relative specifiers
 * only: the project has no path aliases.
 */
import { dirname, relative, resolve, sep } from "node:path";

/** The src/<folder> a path lies in and the rest of it, or undefined outside src/. */
function placeOf(srcDir, path) {
  const rel = relative(srcDir, path);
  if (rel.startsWith("..") || rel === "") return undefined;
  const [folder, ...rest] = rel.split(sep);
  return rest.length === 0 ? undefined : { folder, rest: rest.join("/") };
}

/** @type {import("eslint").Rule.RuleModule} */
export const folderBoundaries = {
  meta: {
    type: "problem",
    docs: { description: "Import another src/ folder only through its index.ts" },
    schema: [],
    messages: {
      internal: "'{{source}}' reaches into src/{{folder}}/{{rest}}: import src/{{folder}}/index.js instead (export what is needed there).",
    },
  },
  create(context) {
    const srcDir = resolve(context.cwd, "src");
    const here = placeOf(srcDir, context.filename);
    if (here === undefined) return {};
    const check = (node) => {
      const source = node.source;
      if (source?.type !== "Literal" || typeof source.value !== "string" || !source.value.startsWith(".")) return;
      const there = placeOf(srcDir, resolve(dirname(context.filename), source.value));
      if (there === undefined || there.folder === here.folder || there.rest === "index.js") return;
      context.report({ node: source, messageId: "internal", data: { source: source.value, folder: there.folder, rest: there.rest } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
