import { readFileSync } from "node:fs";

/** Read lazily from package.json so the version has one source of truth. */
export function packageVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(url, "utf8")) as { version: string };
  return pkg.version;
}
