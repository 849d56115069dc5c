/**
 * Uploads the package archives compilation needs to the agent's blobstore straight from their
 * release tarballs, as soon as the compile step starts and in the tarballs' order: the graph
 * (compile-on-vm.ts) waits for a package's upload only where it needs that package, and the
 * agent compiles one package while the next archive is on its way. Each archive's digests, as
 * hashed on the way, must be release.MF's and the SHA-256 inspection found, or the upload fails
 * with DIGEST_MISMATCH before anything is compiled from it.
 */
import type { BlobStream } from "../agent-client/index.js";
import { BootstrapError } from "../common/index.js";
import { checkArchiveDigest, type PackageInTarball } from "../director-release/index.js";
import type { AgentPort } from "./ports.js";

export type PackageSource = Omit<PackageInTarball, "stemcell">;

/** Streams packages' archives to `take` (streamPackageArchives does; unit tests bring their own). */
export type ArchiveStreamer = (packages: readonly PackageSource[], take: (pkg: PackageSource, archive: BlobStream) => Promise<void>) => Promise<void>;

export interface UploadedArchive {
  blobId: string;
}

export interface ArchiveUploads {
  /** The upload of one of the packages it was started with. */
  of(name: string): Promise<UploadedArchive>;
  /** Stops the uploads under way (their promises reject) and waits for them to end. */
  stop(): Promise<void>;
}

export function uploadArchives(agent: Pick<AgentPort, "uploadBlob">, packages: readonly PackageSource[], stream: ArchiveStreamer, signal: AbortSignal): ArchiveUploads {
  const stopping = new AbortController();
  const uploadSignal = AbortSignal.any([signal, stopping.signal]);
  const pending = new Map(packages.map((p) => [p.name, deferred<UploadedArchive>()]));
  const streaming = stream(packages, async (pkg, archive) => {
    const blob = await agent.uploadBlob(archive, { signal: uploadSignal });
    const what = `Package '${pkg.name}' (${archive.label})`;
    checkArchiveDigest(pkg.sha1, blob, what);
    if (blob.sha256 !== pkg.archiveSha256) {
      throw new BootstrapError("DIGEST_MISMATCH", `${what} has sha256 ${blob.sha256}, but ${pkg.archiveSha256} when the release was validated`, {
        hint: "The release tarball changed during the deploy; run the command again.",
      });
    }
    pending.get(pkg.name)?.resolve({ blobId: blob.blobId });
  }).then(
    () => new Error("the release tarball's pass ended without this package's archive"),
    (error: unknown) => error,
  );
  // Whatever was not uploaded when the streaming ended fails with its reason.
  const ended = streaming.then((reason) => {
    for (const d of pending.values()) d.reject(reason);
  });
  return {
    of(name) {
      const d = pending.get(name);
      if (d === undefined) return Promise.reject(new Error(`no upload was started for package '${name}'`));
      return d.promise;
    },
    async stop() {
      stopping.abort(new Error("compilation ended"));
      await ended;
    },
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Awaited by the graph's action for this package, or by nobody when the graph failed first.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
