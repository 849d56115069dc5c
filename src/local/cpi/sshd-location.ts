/**
 * Where the SSH server program is. The CPI release's package carries both bundles side by side
 * (cpi.js and sshd.js); create_vm copies sshd.js into the VM's directory so a running VM does
 * not depend on the CPI installation staying in place. When the CPI runs from its TypeScript
 * sources (development and tests), the server runs from its sources through tsx.
 */
import { copyFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface SshdProgram {
  script: string;
  nodeImport?: string;
  /** Host paths a sandboxed VM must see for the server to run (the sources and their node_modules). */
  readOnlyPaths: string[];
}

export async function installSshdProgram(cpiScript: string, vmDir: string): Promise<SshdProgram> {
  if (cpiScript.endsWith(".ts")) {
    const nodeImport = import.meta.resolve("tsx");
    const project = fileURLToPath(nodeImport).split("/node_modules/")[0] ?? "/";
    return { script: resolve(dirname(cpiScript), "../sshd/main.ts"), nodeImport, readOnlyPaths: [project] };
  }
  const script = join(vmDir, "sshd.js");
  await copyFile(join(dirname(cpiScript), "sshd.js"), script);
  // The bundles are ES modules.
  await writeFile(join(vmDir, "package.json"), '{"type":"module"}\n');
  return { script, readOnlyPaths: [] };
}
