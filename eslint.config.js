/**
 * Lint keeps the architecture's boundaries (../shared/design/architecture.md) by tool rather
 * than by habit: a src/ folder is used only through its index.ts, the core never imports the
 * local provider, the local provider's parts (src/local/<part>/) are used only through their
 * index.ts too and depend one way (the CPI drives the VM launcher and the SSH server, never the
 * reverse; src/local/shared imports no other part), and no module imports itself round a cycle.
 * Unused code is the compiler's job (noUnusedLocals and noUnusedParameters in tsconfig.json).
 */
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import { folderBoundaries } from "./lint/folder-boundaries.js";

const CORE = ["agent-client", "artefacts", "bootstrap", "cli", "common", "cpi-runner", "director-release", "manifest", "state", "stemcell"];

export default tseslint.config(
  { ignores: ["dist/**", "artifacts/**", "node_modules/**"] },
  {
    files: ["src/**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    plugins: { "import-x": importX, bootstrap: { rules: { "folder-boundaries": folderBoundaries } } },
    settings: {
      // NodeNext: sources import each other as ./x.js, which is ./x.ts on disk; import-x must
      // parse those .ts files to follow their imports (else no-cycle sees nothing).
      "import-x/resolver-next": [createNodeResolver({ extensionAlias: { ".js": [".ts", ".js"] } })],
      "import-x/extensions": [".ts", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": "off",
      "bootstrap/folder-boundaries": ["error", { parted: ["local"] }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            { target: CORE.map((f) => `./src/${f}`), from: "./src/local", message: "The core must not import the local provider." },
            { target: ["./src/local/vm", "./src/local/sshd"], from: "./src/local/cpi", message: "The CPI drives the VM launcher and the SSH server, not the reverse." },
            {
              target: "./src/local/shared",
              from: ["agent", "build", "cpi", "sshd", "vm"].map((p) => `./src/local/${p}`),
              message: "src/local/shared is a leaf: the parts use it, it uses none of them.",
            },
          ],
        },
      ],
    },
  },
);
