/**
 * The rendering corpus (test/interop/fixtures/render): release sources (jobs/<job>/{spec,
 * monit, templates/…}) built into tarballs at test time beside copies of the corpus manifests,
 * so `file://` URLs in the manifests resolve for bosh-cli and bootstrap alike.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { buildRelease, type FixtureJob } from "../../director-release/release-fixtures.js";
import { buildStubCpi } from "./render-stub-cpi.js";

export const CORPUS_DIR = resolve(import.meta.dirname, "../fixtures/render");
export const CORPUS_RELEASES = ["render-alpha", "render-beta", "render-gamma"] as const;
export const CORPUS_MANIFESTS = ["manifest.yml", "errors.yml"] as const;

export interface CorpusJob {
  release: string;
  name: string;
}

/** Builds every corpus release (version 1), the stub CPI and its stemcell into `dir`, and copies the manifests there. */
export async function buildCorpus(dir: string): Promise<void> {
  for (const release of CORPUS_RELEASES) {
    const jobs = corpusJobs(release).map((job) => fixtureJob(release, job.name));
    const tarball = await buildRelease(join(dir, `${release}-build`), { name: release, version: "1", jobs, packages: [] });
    copyFileSync(tarball, join(dir, `${release}-1.tgz`));
  }
  await buildStubCpi(dir);
  for (const manifest of CORPUS_MANIFESTS) copyFileSync(join(CORPUS_DIR, manifest), join(dir, manifest));
}

export function corpusJobs(release: string): CorpusJob[] {
  const jobsDir = join(CORPUS_DIR, "releases", release, "jobs");
  return readdirSync(jobsDir)
    .sort()
    .map((name) => ({ release, name }));
}

function fixtureJob(release: string, name: string): FixtureJob {
  const jobDir = join(CORPUS_DIR, "releases", release, "jobs", name);
  const templates: Record<string, string> = {};
  for (const file of filesUnder(join(jobDir, "templates"))) templates[file] = readFileSync(join(jobDir, "templates", file), "utf8");
  return { name, spec: readFileSync(join(jobDir, "spec"), "utf8"), monit: readFileSync(join(jobDir, "monit"), "utf8"), templates };
}

/** Files under `dir`, relative to it; none when it does not exist (git keeps no empty templates/). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  const walk = (at: string): void => {
    for (const entry of readdirSync(at)) {
      const path = join(at, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}
