/**
 * Builds real release and stemcell tarballs for tests (node tar, gzip), and raw tarballs with
 * hand-made headers for entries node tar refuses to create (`..`, absolute paths, escaping links).
 */
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { c as createTar } from "tar";

export type Tree = Record<string, string | { content: string; mode: number }>;

export function writeTree(dir: string, tree: Tree): void {
  for (const [path, file] of Object.entries(tree)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    const { content, mode } = typeof file === "string" ? { content: file, mode: 0o644 } : file;
    writeFileSync(full, content);
    chmodSync(full, mode);
  }
}

export async function packDir(dir: string, out: string): Promise<string> {
  await createTar({ gzip: true, file: out, cwd: dir, portable: true }, ["."]);
  return out;
}

export const sha1Of = (path: string): string => createHash("sha1").update(readFileSync(path)).digest("hex");
export const sha256Of = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

export interface FixtureJob {
  name: string;
  spec: string;
  monit?: string;
  templates?: Record<string, string>;
}
export interface FixturePackage {
  name: string;
  dependencies?: string[];
  files: Tree;
}

/** A source release tarball `<root>/<name>-<version>.tgz`; job/package fingerprints are content hashes. */
export async function buildRelease(
  root: string,
  r: {
    name: string;
    version: string;
    jobs: FixtureJob[];
    packages: FixturePackage[];
    digest?: "sha1" | "sha256";
    /** "os/version": write the packages as compiled_packages (their files are the compiled content) */
    compiledFor?: string;
    /** With compiledFor: source packages listed too, beside the compiled ones (bosh-cli reads such a release). */
    sourcePackages?: FixturePackage[];
  },
): Promise<string> {
  const stage = join(root, `${r.name}-stage`);
  const jobRefs: string[] = [];
  for (const job of r.jobs) {
    const jobDir = join(root, `${r.name}-job-${job.name}`);
    const tree: Tree = { "job.MF": job.spec, monit: job.monit ?? "" };
    for (const [file, content] of Object.entries(job.templates ?? {})) tree[`templates/${file}`] = content;
    writeTree(jobDir, tree);
    const archive = await packDir(jobDir, join(mkdirp(join(stage, "jobs")), `${job.name}.tgz`));
    const fp = fingerprint(tree);
    jobRefs.push(`- name: ${job.name}\n  version: ${fp}\n  fingerprint: ${fp}\n  sha1: ${digestOf(archive, r.digest)}`);
  }
  const packageList = async (folder: "packages" | "compiled_packages", packages: FixturePackage[]): Promise<string> => {
    const refs: string[] = [];
    for (const pkg of packages) {
      const pkgDir = join(root, `${r.name}-${folder}-${pkg.name}`);
      writeTree(pkgDir, pkg.files);
      const archive = await packDir(pkgDir, join(mkdirp(join(stage, folder)), `${pkg.name}.tgz`));
      const deps = (pkg.dependencies ?? []).map((d) => `\n  - ${d}`).join("");
      const fp = fingerprint(pkg.files);
      refs.push(`- name: ${pkg.name}\n  version: ${fp}\n  fingerprint: ${fp}\n  sha1: ${digestOf(archive, r.digest)}\n  dependencies:${deps === "" ? " []" : deps}${folder === "packages" ? "" : `\n  stemcell: ${r.compiledFor}`}`);
    }
    return `${folder}:\n${refs.join("\n")}\n`;
  };
  const lists =
    r.compiledFor === undefined
      ? await packageList("packages", r.packages)
      : (r.sourcePackages === undefined ? "" : await packageList("packages", r.sourcePackages)) + (await packageList("compiled_packages", r.packages));
  const manifest = `name: ${r.name}\nversion: ${r.version}\ncommit_hash: abc123\nuncommitted_changes: false\njobs:\n${jobRefs.join("\n")}\n${lists}`;
  writeFileSync(join(stage, "release.MF"), manifest);
  return packDir(stage, join(root, `${r.name}-${r.version}.tgz`));
}

/** Like bosh, a fingerprint depends on the files' content only, not on when the archive was made. */
function fingerprint(tree: Tree): string {
  return createHash("sha1").update(JSON.stringify(Object.entries(tree).sort())).digest("hex");
}

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

function digestOf(path: string, kind: "sha1" | "sha256" = "sha1"): string {
  return kind === "sha1" ? sha1Of(path) : `sha256:${sha256Of(path)}`;
}

export async function buildStemcell(root: string, manifest: string, image = "image bytes"): Promise<string> {
  const stage = join(root, "stemcell-stage");
  writeTree(stage, { "stemcell.MF": manifest, image });
  return packDir(stage, join(root, "stemcell.tgz"));
}

export interface RawEntry {
  path: string;
  /** ustar type flag: "0" file, "1" hard link, "2" symlink, "3" char device, "5" directory */
  type?: string;
  content?: string;
  linkpath?: string;
}

/** A gzipped tar written header by header, so tests can make archives no sane tool would. */
export function rawTarball(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.content ?? "");
    const header = Buffer.alloc(512);
    header.write(e.path, 0, 100, "utf8");
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write("        ", 148);
    header.write(e.type ?? "0", 156);
    header.write(e.linkpath ?? "", 157, 100, "utf8");
    header.write("ustar\0", 257);
    header.write("00", 263);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
