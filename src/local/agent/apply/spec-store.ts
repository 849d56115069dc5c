/**
 * The current apply spec on disk (`<base>/bosh/spec.json`); zero values before the first apply.
 */
import { readFile } from "node:fs/promises";
import { isRecord, writeFileAtomic } from "../../../common/index.js";
import type { AgentPaths } from "../paths.js";
import type { Json } from "../settings.js";
import { emptySpec } from "./apply-spec.js";

export class SpecStore {
  constructor(private readonly paths: AgentPaths) {}

  async read(): Promise<Json> {
    try {
      const value: unknown = JSON.parse(await readFile(this.paths.specFile, "utf8"));
      return isRecord(value) ? value : emptySpec();
    } catch {
      return emptySpec();
    }
  }

  async write(spec: Json): Promise<void> {
    await writeFileAtomic(this.paths.specFile, JSON.stringify(spec), 0o600);
  }
}
