/**
 * Keeps what the agent compiled in the local compiled-package cache: downloads the blob over
 * /blobs, checks it against the digest the agent reported, stores it. Best effort by design:
 * the deploy needs only the blob on the VM (the apply spec names it by blobstore id), so a blob
 * the agent will not serve (404: its blobstore is not the one /blobs serves), a digest that does
 * not match or a cache that cannot be written ends the keeping for this run with one warning
 * saying why, and the deploy goes on. Only Ctrl-C propagates.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { BlobNotFoundError } from "../agent-client/index.js";
import { messageOf } from "../common/index.js";
import type { CompiledPackageKey } from "../director-release/index.js";
import type { CompiledPackageCachePort } from "./compile-on-vm.js";
import type { AgentPort, StageContext } from "./ports.js";

export interface CompiledPackageKeeper {
  keep(key: CompiledPackageKey, name: string, compiled: { blobstoreId: string; sha1: string }): Promise<void>;
}

export function keepCompiledPackages(o: {
  ctx: StageContext;
  agent: Pick<AgentPort, "downloadBlob">;
  cache: CompiledPackageCachePort;
  /** A private temp dir for the downloads. */
  dir: string;
}): CompiledPackageKeeper {
  let gaveUp = false;
  return {
    async keep(key, name, compiled) {
      if (gaveUp) return;
      const local = join(o.dir, `${name}.tgz`);
      try {
        const fetched = await o.agent.downloadBlob(compiled.blobstoreId, local);
        if (fetched.sha1 !== bareSha1(compiled.sha1)) {
          throw new Error(`the blob downloaded for '${name}' has sha1 ${fetched.sha1}, the agent reported ${compiled.sha1}`);
        }
        await o.cache.put(key, local, fetched.sha1);
      } catch (error) {
        if (o.ctx.signal.aborted) throw error;
        // Two compiles run at once, so a second failure may arrive after the first: say it once.
        if (gaveUp) return;
        gaveUp = true;
        o.ctx.logger.debug(`compiled package cache: ${messageOf(error)}`);
        o.ctx.reporter.warn(`Compiled packages are not kept in the local cache this run: ${whyNot(error)}. They stay on the VM (as with bosh create-env) and are compiled again if the VM is replaced.`);
      } finally {
        await rm(local, { force: true });
      }
    },
  };
}

function whyNot(error: unknown): string {
  if (error instanceof BlobNotFoundError) {
    return (
      "the agent does not serve its compiled packages over /blobs (GET answered 404); it serves only /var/vcap/data/blobs, " +
      "which is its blobstore only when that is local at /var/vcap/micro_bosh/data/cache (bosh-deployment's setting) or /var/vcap/data/blobs"
    );
  }
  return messageOf(error);
}

function bareSha1(digest: string): string {
  const part = digest.split(";").find((d) => !d.includes(":") || d.startsWith("sha1:"));
  return (part ?? digest).replace(/^sha1:/, "");
}
