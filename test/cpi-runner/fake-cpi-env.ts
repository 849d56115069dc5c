/** Test helper: a CpiClient wired to fixtures/fake-cpi.mjs in a fresh temp dir. */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CpiClient } from "../../src/cpi-runner/index.js";
import type { CpiClientOptions } from "../../src/cpi-runner/index.js";
import type { Logger } from "../../src/common/index.js";

export const FAKE_CPI = join(import.meta.dirname, "fixtures", "fake-cpi.mjs");

export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  debug(message: string): void {
    this.lines.push(`DEBUG ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`WARN ${message}`);
  }
  text(): string {
    return this.lines.join("\n");
  }
}

export interface FakeCpi {
  dir: string;
  journalDir: string;
  logger: MemoryLogger;
  env: Record<string, string>;
  client(extra?: Partial<CpiClientOptions>): CpiClient;
  requests(): Promise<Array<Record<string, any>>>;
}

export async function fakeCpi(behaviour: Record<string, string> = {}, api = "2"): Promise<FakeCpi> {
  const dir = await mkdtemp(join(tmpdir(), "fake-cpi-"));
  const journalDir = join(dir, "state.json.cpi-journal");
  const logger = new MemoryLogger();
  const env = {
    FAKE_CPI_DIR: dir,
    FAKE_CPI_BEHAVIOUR: JSON.stringify(behaviour),
    FAKE_CPI_API: api,
    BOSH_PACKAGES_DIR: join(dir, "packages"),
  };
  return {
    dir,
    journalDir,
    logger,
    env,
    client: (extra = {}) =>
      new CpiClient({
        installation: { cpiPath: FAKE_CPI, env },
        directorUuid: "director-1",
        journalDir,
        logger,
        retryDelaysMs: [10, 10],
        ...extra,
      }),
    async requests() {
      const text = await readFile(join(dir, "requests.jsonl"), "utf8").catch(() => "");
      return text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, any>);
    },
  };
}
