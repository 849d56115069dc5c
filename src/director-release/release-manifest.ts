/**
 * release.MF and job.MF as data: pure parsing and validation, every problem collected and
 * reported at once under RELEASE_INVALID naming the file. release.MF is read with YAML's
 * failsafe schema so that versions such as `1.10` stay strings instead of becoming 1.1, plus
 * `!!binary`: releases made by the old Ruby CLI wrote some values as (mis-tagged) base64.
 */
import yaml from "js-yaml";
import { parseMultiDigest } from "../artefacts/index.js";
import { BootstrapError, isRecord, loadBoundedYaml, messageOf } from "../common/index.js";
import { parseYaml } from "../manifest/index.js";

export interface ReleaseManifestJob {
  name: string;
  fingerprint: string;
  sha1: string;
}
export interface ReleaseManifestPackage {
  name: string;
  fingerprint: string;
  sha1: string;
  dependencies: string[];
  compiled: boolean;
  /** "os/version" for a compiled package. */
  stemcell?: string;
}
export interface ReleaseManifest {
  name: string;
  version: string;
  commitHash?: string;
  compiled: boolean;
  jobs: ReleaseManifestJob[];
  /** Source packages, then compiled ones: a name is at most once in each (first by name is the source one, as bosh-cli picks). */
  packages: ReleaseManifestPackage[];
}

const binaryType = (yaml as unknown as { types: { binary: yaml.Type } }).types.binary;
const RELEASE_SCHEMA = yaml.FAILSAFE_SCHEMA.extend([binaryType]);
const RUBY_BINARY_TAG = /(sha1|version|fingerprint): !binary \|-/g;

const DAMAGED = "The release tarball is damaged; build or download it again.";

function loadYaml(text: string, where: string, schema: yaml.Schema): unknown {
  try {
    return loadBoundedYaml(text, where, { schema, hint: DAMAGED });
  } catch (error) {
    if (error instanceof BootstrapError) throw error; // YAML_TOO_LARGE
    throw new BootstrapError("RELEASE_INVALID", `${where} is not valid YAML: ${messageOf(error)}`, { hint: DAMAGED });
  }
}

function invalid(where: string, problems: string[]): BootstrapError {
  return new BootstrapError("RELEASE_INVALID", `${where} is invalid`, {
    details: problems,
    hint: "The release tarball does not follow the BOSH release format; rebuild it with `bosh create-release --tarball`.",
  });
}

export function parseReleaseManifest(text: string, where: string): ReleaseManifest {
  const raw = loadYaml(text.replace(RUBY_BINARY_TAG, "$1: !!binary |-"), where, RELEASE_SCHEMA);
  if (!isRecord(raw)) throw invalid(where, ["the document must be a map"]);
  const problems: string[] = [];
  const str = (v: unknown, path: string): string => {
    if (v instanceof Uint8Array && v.length > 0) return Buffer.from(v).toString("utf8");
    if (typeof v === "string" && v !== "") return v;
    problems.push(`${path} must be a non-empty string`);
    return "";
  };
  const list = (v: unknown, path: string): unknown[] => {
    if (v === undefined || v === null || v === "") return [];
    if (Array.isArray(v)) return v;
    problems.push(`${path} must be a list`);
    return [];
  };
  const digest = (v: unknown, path: string): string => {
    const s = str(v, path);
    if (s !== "" && parseMultiDigest(s) === undefined) problems.push(`${path} '${s}' is not a SHA-1 or multi-digest`);
    return s;
  };
  const fileName = (v: unknown, path: string): string => {
    const s = str(v, path);
    // Job and package names become file names inside the extracted release.
    if (s !== "" && (!/^[A-Za-z0-9._+-]+$/.test(s) || s === "." || s === "..")) problems.push(`${path} '${s}' is not a valid name`);
    return s;
  };
  const name = str(raw["name"], "name");
  const version = str(raw["version"], "version");
  const jobs = list(raw["jobs"], "jobs").map((j, i): ReleaseManifestJob => {
    const m = isRecord(j) ? j : {};
    return { name: fileName(m["name"], `jobs[${i}].name`), fingerprint: str(m["fingerprint"], `jobs[${i}].fingerprint`), sha1: digest(m["sha1"], `jobs[${i}].sha1`) };
  });
  const pkg = (key: "packages" | "compiled_packages") =>
    list(raw[key], key).map((p, i): ReleaseManifestPackage => {
      const m = isRecord(p) ? p : {};
      const out: ReleaseManifestPackage = {
        name: fileName(m["name"], `${key}[${i}].name`),
        fingerprint: str(m["fingerprint"], `${key}[${i}].fingerprint`),
        sha1: digest(m["sha1"], `${key}[${i}].sha1`),
        dependencies: list(m["dependencies"], `${key}[${i}].dependencies`).map((d, k) => str(d, `${key}[${i}].dependencies[${k}]`)),
        compiled: key === "compiled_packages",
      };
      if (key === "compiled_packages") out.stemcell = str(m["stemcell"], `${key}[${i}].stemcell`);
      return out;
    });
  const source = pkg("packages");
  const compiled = pkg("compiled_packages");
  // A name may be in both lists (bosh-cli reads such a release): each list stands on its own,
  // a package's dependencies being of its own kind, as their archives sit in different folders.
  problems.push(...duplicates(jobs.map((j) => j.name), "job"), ...duplicates(source.map((p) => p.name), "package"), ...duplicates(compiled.map((p) => p.name), "compiled package"));
  for (const list of [source, compiled]) {
    const known = new Set(list.map((p) => p.name));
    for (const p of list) {
      const what = p.compiled ? "compiled package" : "package";
      for (const d of p.dependencies) if (d !== "" && !known.has(d)) problems.push(`${what} '${p.name}' depends on '${d}', which the release does not contain${p.compiled ? " compiled" : ""}`);
    }
  }
  const packages = [...source, ...compiled];
  if (problems.length > 0) throw invalid(where, problems);
  const manifest: ReleaseManifest = { name, version, compiled: packages.some((p) => p.compiled), jobs, packages };
  if (typeof raw["commit_hash"] === "string") manifest.commitHash = raw["commit_hash"];
  return manifest;
}

function duplicates(names: string[], what: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of names) {
    if (seen.has(n)) out.push(`${what} '${n}' is listed twice`);
    seen.add(n);
  }
  return out;
}

export interface JobSpec {
  name: string;
  templates: Record<string, string>;
  packages: string[];
  properties: Record<string, { default?: unknown; description?: string }>;
}

/** job.MF is read as bosh-cli reads it (yaml.v2, YAML 1.1): `yes` is true, `0777` is 511, dates stay strings. */
function loadJobSpecYaml(text: string, where: string): unknown {
  try {
    return parseYaml(text, where, DAMAGED);
  } catch (error) {
    if (error instanceof BootstrapError && error.code === "YAML_TOO_LARGE") throw error;
    throw new BootstrapError("RELEASE_INVALID", `${where} is not valid YAML: ${messageOf(error)}`, { hint: DAMAGED });
  }
}

export function parseJobSpec(text: string, where: string): JobSpec {
  const raw = loadJobSpecYaml(text, where);
  if (!isRecord(raw)) throw invalid(where, ["the document must be a map"]);
  const problems: string[] = [];
  const name = typeof raw["name"] === "string" && raw["name"] !== "" ? raw["name"] : "";
  if (name === "") problems.push("name must be a non-empty string");
  const templates: Record<string, string> = {};
  const rawTemplates = raw["templates"] ?? {};
  if (!isRecord(rawTemplates)) problems.push("templates must be a map of source to destination");
  else
    for (const [src, dest] of Object.entries(rawTemplates)) {
      if (typeof dest === "string" && dest !== "") templates[src] = dest;
      else problems.push(`templates['${src}'] must name a destination path`);
    }
  const rawPackages = raw["packages"] ?? [];
  const packages = Array.isArray(rawPackages) ? rawPackages.filter((p): p is string => typeof p === "string") : [];
  if (!Array.isArray(rawPackages) || packages.length !== rawPackages.length) problems.push("packages must be a list of package names");
  const properties: JobSpec["properties"] = {};
  const rawProperties = raw["properties"] ?? {};
  if (!isRecord(rawProperties)) problems.push("properties must be a map");
  else
    for (const [prop, def] of Object.entries(rawProperties)) {
      const d = isRecord(def) ? def : {};
      const entry: { default?: unknown; description?: string } = {};
      if ("default" in d) entry.default = d["default"];
      if (typeof d["description"] === "string") entry.description = d["description"];
      properties[prop] = entry;
    }
  if (problems.length > 0) throw invalid(where, problems);
  return { name, templates, packages, properties };
}
