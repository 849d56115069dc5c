import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/common/index.js";
import { fetchArtifact, type FetchOptions } from "../../src/artefacts/index.js";
import { makeTls, type TlsFixture } from "../director-release/tls-fixture.js";

const IP = "127.0.60.1";
const BODY = Buffer.from("release tarball bytes ".repeat(5000));
const SHA1 = createHash("sha1").update(BODY).digest("hex");
const SHA256 = createHash("sha256").update(BODY).digest("hex");

let tls: TlsFixture;
let server: Server;
let base: string;
const hits = new Map<string, number>();
/** per path: how many of the first requests fail, and how */
const failures = new Map<string, { count: number; how: "503" | "reset" }>();

/** per path: the Range header of each request (undefined: none) */
const ranges = new Map<string, (string | undefined)[]>();

beforeAll(async () => {
  tls = makeTls(IP);
  server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const path = req.url ?? "/";
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    ranges.set(path, [...(ranges.get(path) ?? []), req.headers.range]);
    const asked = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0);
    if (path === "/changed.tgz" && asked > 0) return void res.writeHead(416).end();
    // A server without ranges (/norange.tgz) answers every request with the whole file.
    const from = path === "/norange.tgz" ? 0 : asked;
    const start = (): void => {
      if (from > 0) res.writeHead(206, { "content-length": BODY.length - from, "content-range": `bytes ${from}-${BODY.length - 1}/${BODY.length}` });
      else res.writeHead(200, { "content-length": BODY.length });
    };
    const failure = failures.get(path);
    if (failure !== undefined && n <= failure.count) {
      if (failure.how === "reset") {
        start();
        // Dropped once the first 100 bytes are on their way.
        res.write(BODY.subarray(from, from + 100), () => setTimeout(() => req.socket.destroy(), 20));
      } else res.writeHead(503).end();
      return;
    }
    if (path === "/slow.tgz") {
      start();
      res.write(BODY.subarray(from, from + 1000));
      return; // the rest never comes
    }
    if (path === "/moved") return void res.writeHead(302, { location: "/release.tgz" }).end();
    if (path.endsWith(".tgz")) {
      start();
      return void res.end(BODY.subarray(from));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, IP, resolve));
  base = `https://${IP}:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let root: string;
let opts: FetchOptions;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "fetch-"));
  hits.clear();
  failures.clear();
  ranges.clear();
  opts = { cacheDir: join(root, "downloads"), logger: silentLogger, ca: tls.ca, retryDelayMs: 10 };
});

const cacheFiles = () => readdirSync(opts.cacheDir);

describe("fetchArtifact over https", () => {
  it("downloads into a cache keyed by digest, reporting progress, and finds it there the next time", async () => {
    const progress: [number, number | undefined][] = [];
    const first = await fetchArtifact({ url: `${base}/release.tgz`, sha1: SHA1 }, { ...opts, onProgress: (b, t) => progress.push([b, t]) });
    expect(first).toEqual({ path: join(opts.cacheDir, `sha1-${SHA1}`), downloaded: true });
    expect(readFileSync(first.path).equals(BODY)).toBe(true);
    expect(progress.at(-1)).toEqual([BODY.length, BODY.length]);

    const again = await fetchArtifact({ url: `${base}/other-name.tgz`, sha1: SHA1 }, opts);
    expect(again).toEqual({ path: first.path, downloaded: false });
    expect(hits.get("/other-name.tgz")).toBeUndefined();
  });

  it("fetches a digest once when two fetches of it run side by side, and both get the one file", async () => {
    const [a, b] = await Promise.all([fetchArtifact({ url: `${base}/a.tgz`, sha1: SHA1 }, opts), fetchArtifact({ url: `${base}/b.tgz`, sha1: SHA1 }, opts)]);
    expect([...hits.values()]).toEqual([1]);
    expect(b.path).toBe(a.path);
    expect([a.downloaded, b.downloaded].sort()).toEqual([false, true]);
    expect(readFileSync(a.path).equals(BODY)).toBe(true);
    expect(cacheFiles()).toEqual([`sha1-${SHA1}`]);
  });

  it("resumes a partial download a dead run left for the same digest; keeps live runs' partials and other digests' (a week)", async () => {
    mkdirSync(opts.cacheDir, { recursive: true });
    const mineLeft = join(opts.cacheDir, `.partial-sha1-${SHA1}-999999999`);
    const otherDead = join(opts.cacheDir, `.partial-sha1-${"a".repeat(40)}-999999998`);
    const otherOld = join(opts.cacheDir, `.partial-sha1-${"b".repeat(40)}-999999997`);
    const live = join(opts.cacheDir, `.partial-sha1-${SHA1}-${process.ppid}`);
    writeFileSync(mineLeft, BODY.subarray(0, 5000));
    writeFileSync(otherDead, "half");
    writeFileSync(otherOld, "half");
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600_000);
    utimesSync(otherOld, eightDaysAgo, eightDaysAgo);
    writeFileSync(live, "half");
    const got = await fetchArtifact({ url: `${base}/release.tgz`, sha1: SHA1 }, opts);
    expect(readFileSync(got.path).equals(BODY)).toBe(true);
    expect(ranges.get("/release.tgz")).toEqual(["bytes=5000-"]);
    const name = (path: string): string => path.slice(opts.cacheDir.length + 1);
    expect(cacheFiles().sort()).toEqual([name(otherDead), name(live), `sha1-${SHA1}`].sort());
  });

  it("resumes a connection dropped mid-body from the bytes it has, and the digest covers the whole file", async () => {
    failures.set("/dropped.tgz", { count: 2, how: "reset" });
    const got = await fetchArtifact({ url: `${base}/dropped.tgz`, sha1: `sha256:${SHA256}` }, opts);
    expect(readFileSync(got.path).equals(BODY)).toBe(true);
    expect(ranges.get("/dropped.tgz")).toEqual([undefined, "bytes=100-", "bytes=200-"]);
  });

  it("starts over when the server ignores the range, or refuses it (416)", async () => {
    failures.set("/norange.tgz", { count: 1, how: "reset" });
    const whole = await fetchArtifact({ url: `${base}/norange.tgz`, sha1: SHA1 }, opts);
    expect(readFileSync(whole.path).equals(BODY)).toBe(true);
    expect(ranges.get("/norange.tgz")).toEqual([undefined, "bytes=100-"]);

    // A partial whose bytes the server no longer has past their end (the file changed).
    mkdirSync(opts.cacheDir, { recursive: true });
    writeFileSync(join(opts.cacheDir, `.partial-sha256-${SHA256}-999999999`), Buffer.alloc(BODY.length + 10));
    const again = await fetchArtifact({ url: `${base}/changed.tgz`, sha1: `sha256:${SHA256}` }, opts);
    expect(readFileSync(again.path).equals(BODY)).toBe(true);
    expect(ranges.get("/changed.tgz")).toEqual([`bytes=${BODY.length + 10}-`, undefined]);
  });

  it("verifies a multi-digest and keys the cache by its strongest digest", async () => {
    const got = await fetchArtifact({ url: `${base}/release.tgz`, sha1: `${SHA1};sha256:${SHA256}` }, opts);
    expect(got.path).toBe(join(opts.cacheDir, `sha256-${SHA256}`));
  });

  it("fails with DIGEST_MISMATCH naming the URL, the expected and the actual digest, and keeps nothing", async () => {
    const wrong = "f".repeat(64);
    const error = await fetchArtifact({ url: `${base}/release.tgz`, sha1: `sha256:${wrong}` }, opts).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DIGEST_MISMATCH" });
    const message = (error as Error).message;
    expect(message).toContain(`${base}/release.tgz`);
    expect(message).toContain(`expected sha256:${wrong}`);
    expect(message).toContain(`actual sha256:${SHA256}`);
    expect(hits.get("/release.tgz")).toBe(1);
    expect(cacheFiles()).toEqual([]);
  });

  it("retries transient failures (5xx) and then succeeds", async () => {
    failures.set("/flaky.tgz", { count: 1, how: "503" });
    expect(await fetchArtifact({ url: `${base}/flaky.tgz`, sha1: SHA1 }, opts)).toMatchObject({ downloaded: true });
    expect(hits.get("/flaky.tgz")).toBe(2);
    expect(cacheFiles()).toEqual([`sha1-${SHA1}`]);
  });

  it("gives up after the bounded number of attempts with DOWNLOAD_FAILED", async () => {
    failures.set("/down.tgz", { count: 99, how: "503" });
    const error = await fetchArtifact({ url: `${base}/down.tgz`, sha1: SHA1 }, { ...opts, attempts: 3 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", message: expect.stringContaining("after 3 attempts: HTTP 503") });
    expect(hits.get("/down.tgz")).toBe(3);
    expect(cacheFiles()).toEqual([]);
  });

  it("does not retry a 404, and never shows the basic-auth password", async () => {
    const error = await fetchArtifact({ url: `https://user:s3cret@${IP}:${new URL(base).port}/nothing`, sha1: SHA1 }, opts).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", message: expect.stringContaining("HTTP 404") });
    expect((error as Error).message).not.toContain("s3cret");
    expect(hits.get("/nothing")).toBe(1);
  });

  it("stops at once when aborted mid-download, keeping the bytes for the next run to resume", async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const pending = fetchArtifact({ url: `${base}/slow.tgz`, sha1: SHA1 }, { ...opts, signal: controller.signal, onProgress: (b) => progress.push(b) });
    setTimeout(() => controller.abort(new Error("interrupted by test")), 200);
    await expect(pending).rejects.toThrow("interrupted by test");
    expect(progress).toContain(1000);
    const partial = `.partial-sha1-${SHA1}-${process.pid}`;
    expect(cacheFiles()).toEqual([partial]);
    expect(readFileSync(join(opts.cacheDir, partial)).length).toBe(1000);

    const resumed = await fetchArtifact({ url: `${base}/release.tgz`, sha1: SHA1 }, opts);
    expect(readFileSync(resumed.path).equals(BODY)).toBe(true);
    expect(ranges.get("/release.tgz")).toEqual(["bytes=1000-"]);
    expect(cacheFiles()).toEqual([`sha1-${SHA1}`]);
  });

  it("follows redirects", async () => {
    expect(await fetchArtifact({ url: `${base}/moved`, sha1: SHA1 }, opts)).toMatchObject({ downloaded: true });
    expect(hits.get("/release.tgz")).toBe(1);
  });

  it("refuses a server whose certificate is not trusted, without retrying", async () => {
    const { ca: _ignored, ...untrusting } = opts;
    const error = await fetchArtifact({ url: `${base}/release.tgz`, sha1: SHA1 }, untrusting).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", message: expect.stringContaining("TLS") });
  });

  it("trusts the handed-over NODE_EXTRA_CA_CERTS file on top of the bundled roots", async () => {
    const { ca: _ignored, ...untrusting } = opts;
    const caFile = join(root, "extra-ca.pem");
    writeFileSync(caFile, tls.ca);
    expect(await fetchArtifact({ url: `${base}/release.tgz`, sha1: SHA1 }, { ...untrusting, extraCaFile: caFile })).toMatchObject({ downloaded: true });
  });

  it("warns about a handed-over CA file it cannot read, as Node does, and trusts the default store", async () => {
    const { ca: _ignored, ...untrusting } = opts;
    const warnings: string[] = [];
    const missing = join(root, "missing-ca.pem");
    const logger = { debug() {}, warn: (m: string) => void warnings.push(m) };
    const error = await fetchArtifact({ url: `${base}/release.tgz`, sha1: SHA1 }, { ...untrusting, logger, extraCaFile: missing }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", message: expect.stringContaining("TLS") });
    expect(warnings).toEqual([expect.stringContaining(`NODE_EXTRA_CA_CERTS (${missing})`)]);
  });

  it("requires a digest for downloads", async () => {
    await expect(fetchArtifact({ url: `${base}/release.tgz` }, opts)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", message: expect.stringContaining("No sha1") });
    expect(hits.size).toBe(0);
  });
});

describe("fetchArtifact for local files", () => {
  let file: string;
  beforeEach(() => {
    mkdirSync(join(root, "dir with space"));
    file = join(root, "dir with space", "r.tgz");
    writeFileSync(file, BODY);
  });

  it("accepts file:// URLs (plain and %-escaped) and plain paths, relative ones against the cwd", async () => {
    expect(await fetchArtifact({ url: `file://${file}` }, opts)).toEqual({ path: file, downloaded: false });
    expect(await fetchArtifact({ url: `file://${file.replaceAll(" ", "%20")}` }, opts)).toEqual({ path: file, downloaded: false });
    expect(await fetchArtifact({ url: relative(process.cwd(), file) }, opts)).toEqual({ path: file, downloaded: false });
  });

  it("verifies a given digest, and a wrong one fails with DIGEST_MISMATCH", async () => {
    await expect(fetchArtifact({ url: file, sha1: `sha256:${SHA256}` }, opts)).resolves.toMatchObject({ path: file });
    await expect(fetchArtifact({ url: file, sha1: "0".repeat(40) }, opts)).rejects.toMatchObject({ code: "DIGEST_MISMATCH", message: expect.stringContaining(`actual ${SHA1}`) });
  });

  it("does not rehash an unchanged file (path, size, mtime) on the next run", async () => {
    const fixed = new Date("2026-03-03T00:00:00Z");
    utimesSync(file, fixed, fixed);
    await fetchArtifact({ url: file, sha1: SHA1 }, opts);
    // given: other bytes of the same size behind the same mtime: only a rehash could notice
    writeFileSync(file, Buffer.alloc(BODY.length, 0x20));
    utimesSync(file, fixed, fixed);
    await expect(fetchArtifact({ url: file, sha1: SHA1 }, opts)).resolves.toMatchObject({ path: file });
    utimesSync(file, fixed, new Date(fixed.getTime() + 1000));
    await expect(fetchArtifact({ url: file, sha1: SHA1 }, opts)).rejects.toMatchObject({ code: "DIGEST_MISMATCH" });
  });

  it("names a missing file", async () => {
    await expect(fetchArtifact({ url: `file://${root}/absent.tgz` }, opts)).rejects.toMatchObject({ code: "FILE_NOT_FOUND", message: expect.stringContaining("absent.tgz") });
  });

  it("refuses a sha1 that is not a digest, naming it", async () => {
    await expect(fetchArtifact({ url: file, sha1: "not-a-digest" }, opts)).rejects.toMatchObject({ code: "MANIFEST_INVALID", message: expect.stringContaining("'not-a-digest'") });
  });

  it("refuses unknown schemes", async () => {
    await expect(fetchArtifact({ url: "ftp://example/x.tgz", sha1: SHA1 }, opts)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
  });
});
