/**
 * Builds the local provider's three artefacts into an output directory:
 *   bootstrap-local-cpi-release.tgz  (release bootstrap-local-cpi, job local_cpi)
 *   bootstrap-local-stemcell.tgz     (stemcell bootstrap-local-stemcell, os local, api_version 3)
 *   bootstrap-director-release.tgz   (release bootstrap-director, job director)
 * Same sources and same commit information give byte-identical files.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../common/index.js";
import { bundle, ESM_PACKAGE_JSON } from "./bundle.js";
import { readReleaseSource } from "./release-source.js";
import { buildRelease, sha256 } from "./release-tarball.js";
import { buildStemcell } from "./stemcell-tarball.js";

export interface BuildInput {
  repoRoot: string;
  outDir: string;
  baseVersion: string;
  commitHash: string;
  uncommittedChanges: boolean;
}

export interface BuiltArtifact {
  kind: "release" | "stemcell";
  name: string;
  version: string;
  path: string;
  sha256: string;
}

export const CPI_RELEASE_FILE = "bootstrap-local-cpi-release.tgz";
export const STEMCELL_FILE = "bootstrap-local-stemcell.tgz";
export const DIRECTOR_RELEASE_FILE = "bootstrap-director-release.tgz";

export async function buildArtifacts(input: BuildInput): Promise<BuiltArtifact[]> {
  const src = join(input.repoRoot, "src", "local");
  const agentEntry = join(src, "agent", "main.ts");
  if (!existsSync(agentEntry)) throw new Error(`${agentEntry} is missing: the stemcell carries the agent built from it`);
  const [cpiBundle, sshdBundle, agentBundle] = await Promise.all([
    bundle(join(src, "cpi", "main.ts")),
    bundle(join(src, "sshd", "main.ts")),
    bundle(agentEntry),
  ]);
  const commit = { baseVersion: input.baseVersion, commitHash: input.commitHash, uncommittedChanges: input.uncommittedChanges };

  const cpiRelease = buildRelease({
    ...commit,
    name: "bootstrap-local-cpi",
    source: await readReleaseSource(join(src, "releases", "local-cpi")),
    generated: {
      local_cpi: [
        { path: "cpi.js", content: cpiBundle },
        { path: "sshd.js", content: sshdBundle },
        { path: "package.json", content: ESM_PACKAGE_JSON },
      ],
    },
  });
  const directorRelease = buildRelease({
    ...commit,
    name: "bootstrap-director",
    source: await readReleaseSource(join(src, "releases", "director")),
  });
  const stemcell = buildStemcell({ baseVersion: input.baseVersion, agentBundle, esmPackageJson: ESM_PACKAGE_JSON });

  await mkdir(input.outDir, { recursive: true });
  const outputs: [BuiltArtifact["kind"], string, string, Buffer, string][] = [
    ["release", cpiRelease.name, cpiRelease.version, cpiRelease.tarball, CPI_RELEASE_FILE],
    ["stemcell", "bootstrap-local-stemcell", stemcell.version, stemcell.tarball, STEMCELL_FILE],
    ["release", directorRelease.name, directorRelease.version, directorRelease.tarball, DIRECTOR_RELEASE_FILE],
  ];
  const built: BuiltArtifact[] = [];
  for (const [kind, name, version, bytes, file] of outputs) {
    const path = join(input.outDir, file);
    await writeFileAtomic(path, bytes, 0o644);
    built.push({ kind, name, version, path, sha256: sha256(bytes) });
  }
  return built;
}
