/**
 * `releases:` and the stemcell reference: names unique, URLs file:// or http(s):// (a file://
 * URL relative to the manifest's directory becomes absolute; `file://~/` expands home), sha1
 * mandatory for downloads.
 */
import { homedir } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { join, maps, str, type Obj, type Problems } from "./reader.js";

function resolveArtefactUrl(url: string, dir: string): string | undefined {
  if (/^https?:\/\//i.test(url)) return url;
  if (!url.startsWith("file://")) return undefined;
  const path = decodeURIComponent(url.slice("file://".length));
  if (path === "") return undefined;
  const absolute = path === "~" || path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : resolve(dir, path);
  return pathToFileURL(absolute).href;
}

export function readArtefactRef(o: Obj, at: string, dir: string, p: Problems): { url: string; sha1?: string } | undefined {
  const url = str(o, "url", at, p);
  const sha1 = str(o, "sha1", at, p, false);
  if (url === undefined) return undefined;
  const resolved = resolveArtefactUrl(url, dir);
  if (resolved === undefined) {
    p.add(join(at, "url"), "must be a valid URL (file:// or http(s)://)");
    return undefined;
  }
  if (resolved.startsWith("http") && sha1 === undefined) p.add(join(at, "sha1"), "must be provided for http URL");
  return { url: resolved, ...(sha1 === undefined ? {} : { sha1 }) };
}

export function readReleases(doc: Obj, dir: string, p: Problems): { name: string; url: string; sha1?: string; version?: string }[] {
  const items = maps(doc, "releases", "", p);
  if (items.length === 0) p.add("releases", "must contain at least 1 release");
  const seen = new Set<string>();
  const out: { name: string; url: string; sha1?: string; version?: string }[] = [];
  for (const [rel, at] of items) {
    const name = str(rel, "name", at, p);
    if (name !== undefined) {
      if (seen.has(name)) p.add(join(at, "name"), `'${name}' must be unique`);
      seen.add(name);
    }
    const ref = readArtefactRef(rel, at, dir, p);
    const version = str(rel, "version", at, p, false);
    if (name !== undefined && ref !== undefined) out.push({ name, ...ref, ...(version === undefined ? {} : { version }) });
  }
  return out;
}
