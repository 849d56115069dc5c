/**
 * Keeps what the agent compiled in the local compiled-package cache: downloads the blob over
 * /blobs straight into the cache, hashing it on the way, and keeps it if it has the digest the
 * agent reported. In the background: compilation goes on meanwhile (a package that needs this one
 * is compiled from the agent's copy), and settled() waits for every download. Best effort by design:
 * the deploy needs only the blob on the VM (the apply spec names it by blobstore id), so a blob
 * the agent will not serve (404: its blobstore is not the one /blobs serves), a digest that does
 * not match or a cache that cannot be written ends the keeping for this run with one warning
 * saying why, and the deploy goes on. Only Ctrl-C propagates.
 */
import { BlobNotFoundError } from "../agent-client/index.js";
import { messageOf } from "../common/index.js";
import type { CompiledPackageKey } from "../director-release/index.js";
import type { CompiledPackageCachePort } from "./compile-on-vm.js";
import type { AgentPort, StageContext } from "./ports.js";

export interface CompiledPackageKeeper {
  /** Starts keeping one compiled package; returns at once. */
  keep(key: CompiledPackageKey, compiled: { blobstoreId: string; sha1: string }): void;
  /** Resolves when every download started has ended; rejects only when interrupted. */
  settled(): Promise<void>;
}

export function keepCompiledPackages(o: {
  ctx: StageContext;
  agent: Pick<AgentPort, "downloadBlob">;
  cache: CompiledPackageCachePort;
}): CompiledPackageKeeper {
  let gaveUp = false;
  const downloads: Promise<void>[] = [];
  const keepOne = async (key: CompiledPackageKey, compiled: { blobstoreId: string; sha1: string }): Promise<void> => {
    if (gaveUp) return;
    try {
      // The agent reports a bare SHA-1; the cache checks the download against it.
      await o.cache.store(key, bareSha1(compiled.sha1), (path) => o.agent.downloadBlob(compiled.blobstoreId, path));
    } catch (error) {
      if (o.ctx.signal.aborted) throw error;
      // Downloads overlap, so a second failure may arrive after the first: say it once.
      if (gaveUp) return;
      gaveUp = true;
      o.ctx.logger.debug(`compiled package cache: ${messageOf(error)}`);
      o.ctx.reporter.warn(`Compiled packages are not kept in the local cache this run: ${whyNot(error)}. They stay on the VM (as with bosh create-env) and are compiled again if the VM is replaced.`);
    }
  };
  return {
    keep(key, compiled) {
      const download = keepOne(key, compiled);
      // Awaited by settled(); until then a rejection (an interrupt) must not count as unhandled.
      download.catch(() => undefined);
      downloads.push(download);
    },
    async settled() {
      await Promise.all(downloads);
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
