import { readFileSync } from "node:fs";

/** Set by the bundler (src/cli/bundle-cli.ts); absent when running from tsc output or sources. */
declare const BOOTSTRAP_VERSION: string | undefined;

export function packageVersion(): string {
  if (typeof BOOTSTRAP_VERSION === "string") return BOOTSTRAP_VERSION;
  const url = new URL("../../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(url, "utf8")) as { version: string };
  return pkg.version;
}
