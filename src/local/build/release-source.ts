/**
 * Reads a release source tree (src/local/releases/<release>/) laid out like a BOSH release
 * directory: jobs/<job>/{spec, monit, templates/*} and packages/<pkg>/{spec, packaging,
 * files/*}, where a package's spec lists the files (relative to files/) it carries.
 */
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { loadBoundedYaml } from "../../common/index.js";
import type { TarEntry } from "./tar.js";

export interface JobSource {
  name: string;
  /** job.MF content (the spec as BOSH archives it). */
  manifest: Record<string, unknown>;
  packages: string[];
  /** monit and templates/*, paths relative to the job archive's root. */
  files: TarEntry[];
}

export interface PackageSource {
  name: string;
  dependencies: string[];
  /** packaging and the listed files, paths relative to the package archive's root. */
  files: TarEntry[];
}

export interface ReleaseSource {
  jobs: JobSource[];
  packages: PackageSource[];
}

export async function readReleaseSource(dir: string): Promise<ReleaseSource> {
  const jobNames = (await readdir(join(dir, "jobs"))).sort();
  const packageNames = (await readdir(join(dir, "packages"))).sort();
  return {
    jobs: await Promise.all(jobNames.map((name) => readJob(join(dir, "jobs", name), name))),
    packages: await Promise.all(packageNames.map((name) => readPackage(join(dir, "packages", name), name))),
  };
}

async function readJob(dir: string, name: string): Promise<JobSource> {
  const spec = await readSpec(join(dir, "spec"), name);
  const templates = (spec["templates"] ?? {}) as Record<string, string>;
  const files: TarEntry[] = [await fileEntry(join(dir, "monit"), "monit")];
  for (const source of Object.keys(templates).sort()) {
    files.push(await fileEntry(join(dir, "templates", source), `templates/${source}`));
  }
  const packages = stringList(spec["packages"], `${dir}/spec packages`);
  const manifest = { name, templates, packages, properties: spec["properties"] ?? {} };
  return { name, manifest, packages, files };
}

async function readPackage(dir: string, name: string): Promise<PackageSource> {
  const spec = await readSpec(join(dir, "spec"), name);
  const listed = stringList(spec["files"], `${dir}/spec files`);
  const files: TarEntry[] = [await fileEntry(join(dir, "packaging"), "packaging")];
  for (const path of listed.sort()) files.push(await fileEntry(join(dir, "files", path), path));
  return { name, dependencies: stringList(spec["dependencies"], `${dir}/spec dependencies`), files };
}

async function readSpec(path: string, expectedName: string): Promise<Record<string, unknown>> {
  const spec = loadBoundedYaml(await readFile(path, "utf8"), path);
  if (typeof spec !== "object" || spec === null || (spec as { name?: unknown }).name !== expectedName) {
    throw new Error(`${path}: must be a YAML map whose name is '${expectedName}'`);
  }
  return spec as Record<string, unknown>;
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new Error(`${what}: must be a list of strings`);
  return value as string[];
}

/** Executable bits are kept (0755), everything else is 0644: modes do not depend on umask. */
async function fileEntry(path: string, archivePath: string): Promise<TarEntry> {
  const [content, info] = await Promise.all([readFile(path), stat(path)]);
  return { path: archivePath, content, mode: info.mode & 0o111 ? 0o755 : 0o644 };
}
