/**
 * The CPI and SSH server as shipped in the CPI release's package (esbuild bundles side by side),
 * built once per test process into a temp dir: tests run what users run, and a bundle starts
 * far faster than the sources through tsx.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { bundle, ESM_PACKAGE_JSON } from "../../../../src/local/build/bundle.js";

const SRC = resolve(import.meta.dirname, "../../../../src/local");
let built: Promise<string> | undefined;

/** Path of cpi.js (with sshd.js and package.json beside it). */
export function cpiBundle(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-cpi-bundle-"));
    const [cpi, sshd] = await Promise.all([bundle(join(SRC, "cpi", "main.ts")), bundle(join(SRC, "sshd", "main.ts"))]);
    writeFileSync(join(dir, "cpi.js"), cpi);
    writeFileSync(join(dir, "sshd.js"), sshd);
    writeFileSync(join(dir, "package.json"), ESM_PACKAGE_JSON);
    return join(dir, "cpi.js");
  })();
  return built;
}
