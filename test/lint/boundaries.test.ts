/**
 * The boundary rules of eslint.config.js, proven on deliberate violations: each probe is linted
 * in-process as if it were a file at `filePath` under src/, with the project's own config, and
 * must raise exactly the rule meant to catch it (and a clean import nothing).
 */
import { resolve } from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const REPO_ROOT = resolve(import.meta.dirname, "../..");
const FOLDERS = "bootstrap/folder-boundaries";
const RESTRICTED = "import-x/no-restricted-paths";
const CYCLE = "import-x/no-cycle";

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: REPO_ROOT, overrideConfigFile: resolve(REPO_ROOT, "eslint.config.js") });
});

/** The errors ESLint reports for `code` placed at src/`file`, as rule id and message. */
async function lint(file: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(REPO_ROOT, "src", file) });
  if (result === undefined) throw new Error(`ESLint returned no result for ${file}`);
  return result.messages.filter((m) => m.severity === 2).map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

describe("boundary lint rules", () => {
  it("lets a folder import another folder's index with no error", async () => {
    // given a stemcell module using the artefacts folder through its public surface
    const errors = await lint("stemcell/lint-probe.ts", 'export { summariseTarball } from "../artefacts/index.js";\n');
    // then
    expect(errors).toEqual([]);
  });

  it("stops a core folder reaching into another folder's internal file", async () => {
    const errors = await lint("stemcell/lint-probe.ts", 'export { hashFile } from "../artefacts/digest.js";\n');
    expect(errors.map((e) => e.ruleId)).toEqual([FOLDERS]);
    expect(errors[0]?.message).toContain("import src/artefacts/index.js instead");
  });

  it("stops src/bootstrap importing the local provider, even through an index", async () => {
    const errors = await lint("bootstrap/lint-probe.ts", 'export { launchVm } from "../local/vm/index.js";\n');
    expect(errors.map((e) => e.ruleId)).toEqual([RESTRICTED]);
    expect(errors[0]?.message).toContain("The core must not import the local provider.");
  });

  it("stops a src/local part reaching into another part's internals", async () => {
    const errors = await lint("local/cpi/lint-probe.ts", 'export { launchVm } from "../vm/launch.js";\n');
    expect(errors.map((e) => e.ruleId)).toEqual([FOLDERS]);
    expect(errors[0]?.message).toContain("import src/local/vm/index.js instead");
  });

  it("lets a src/local part use another part's index and its own files directly", async () => {
    const code = 'export { launchVm } from "../vm/index.js";\nexport { cloudError } from "../shared/index.js";\nexport { dispatch } from "./dispatch.js";\n';
    expect(await lint("local/cpi/lint-probe.ts", code)).toEqual([]);
  });

  it("stops the VM launcher depending on the CPI that drives it", async () => {
    const errors = await lint("local/vm/lint-probe.ts", 'export { dispatch } from "../cpi/index.js";\n');
    expect(errors.map((e) => e.ruleId)).toEqual([RESTRICTED]);
  });

  it("stops a two-file import cycle", async () => {
    // given stemcell-manifest.ts (which inspect-stemcell.ts imports, on disk) importing it back
    const errors = await lint("stemcell/stemcell-manifest.ts", 'export { inspectStemcell } from "./inspect-stemcell.js";\n');
    // then
    expect(errors.map((e) => e.ruleId)).toEqual([CYCLE]);
  });
});
