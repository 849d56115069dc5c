/** Talks to the example director the way a CI pipeline would: HTTPS with the vars store's CA. */
import { readFile, readdir } from "node:fs/promises";
import { request } from "node:https";
import { load } from "js-yaml";

export interface DirectorInfo {
  name: string;
  uuid: string;
  version: string;
  user_authentication: { type: string };
}

export async function directorInfo(address: string, varsStore: string): Promise<DirectorInfo> {
  const vars = load(await readFile(varsStore, "utf8")) as { director_ssl: { ca: string } };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address, port: 25555, path: "/info", method: "GET", ca: vars.director_ssl.ca, servername: undefined, timeout: 10_000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          try {
            resolve(JSON.parse(body) as DirectorInfo);
          } catch (error) {
            reject(new Error(`/info answered ${res.statusCode}: ${body} (${String(error)})`));
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("/info timed out")));
    req.on("error", reject);
    req.end();
  });
}

/**
 * Processes tied to `marker` (a test's HOME): by command line, or by a mount whose source lies
 * under it — which is how a local VM's processes show (their /var/vcap is a bind mount of a
 * directory under the provider's base dir), whatever they were started as.
 */
export async function processesMentioning(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
      const mounts = await readFile(`/proc/${pid}/mountinfo`, "utf8").catch(() => "");
      const vmMount = mounts.split("\n").some((line) => line.split(" ")[3]?.startsWith(marker) === true);
      if (cmdline.includes(marker) || vmMount) found.push(`${pid}: ${cmdline.trim()}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
