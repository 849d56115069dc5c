import { describe, expect, it } from "vitest";
import { parseJobSpec, parseReleaseManifest } from "../../src/director-release/release-manifest.js";

const SHA1 = "a".repeat(40);

describe("parseReleaseManifest", () => {
  it("reads a compiled release, keeping versions as written", () => {
    const m = parseReleaseManifest(
      `name: r\nversion: 0.10\njobs:\n- {name: j, version: 1.0, fingerprint: f1, sha1: ${SHA1}}\ncompiled_packages:\n- {name: p, version: 2, fingerprint: f2, sha1: 'sha256:${"b".repeat(64)}', stemcell: ubuntu-jammy/1.10, dependencies: []}\n`,
      "release.MF",
    );
    expect(m).toEqual({
      name: "r",
      version: "0.10",
      compiled: true,
      jobs: [{ name: "j", fingerprint: "f1", sha1: SHA1 }],
      packages: [{ name: "p", fingerprint: "f2", sha1: `sha256:${"b".repeat(64)}`, dependencies: [], compiled: true, stemcell: "ubuntu-jammy/1.10" }],
    });
  });

  it("reads a release with a package both as source and compiled, each list with its own dependencies", () => {
    const m = parseReleaseManifest(
      [
        "name: r",
        "version: 1",
        "packages:",
        `- {name: app, fingerprint: fa, sha1: ${SHA1}, dependencies: [lib]}`,
        `- {name: lib, fingerprint: fl, sha1: ${SHA1}}`,
        "compiled_packages:",
        `- {name: app, fingerprint: fa, sha1: ${SHA1}, stemcell: ubuntu-jammy/1.10, dependencies: []}`,
        "",
      ].join("\n"),
      "release.MF",
    );
    expect(m.packages.map((p) => [p.name, p.compiled, p.dependencies])).toEqual([["app", false, ["lib"]], ["lib", false, []], ["app", true, []]]);
  });

  it("refuses a compiled package listed twice, or depending on a package that is only source", () => {
    const text = [
      "name: r",
      "version: 1",
      "packages:",
      `- {name: lib, fingerprint: fl, sha1: ${SHA1}}`,
      "compiled_packages:",
      `- {name: app, fingerprint: fa, sha1: ${SHA1}, stemcell: s/1, dependencies: [lib]}`,
      `- {name: app, fingerprint: fa, sha1: ${SHA1}, stemcell: s/1}`,
      "",
    ].join("\n");
    expect(() => parseReleaseManifest(text, "release.MF")).toThrow(
      expect.objectContaining({ details: ["compiled package 'app' is listed twice", "compiled package 'app' depends on 'lib', which the release does not contain compiled"] }),
    );
  });

  it("reads the base64 values the old Ruby CLI wrote with a '!binary' tag", () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const m = parseReleaseManifest(`name: r\nversion: !binary |-\n  ${b64("7")}\njobs:\n- name: j\n  fingerprint: !binary |-\n    ${b64("fp")}\n  sha1: !binary |-\n    ${b64(SHA1)}\n`, "release.MF");
    expect(m.version).toBe("7");
    expect(m.jobs).toEqual([{ name: "j", fingerprint: "fp", sha1: SHA1 }]);
  });

  it("collects every problem: duplicates, unknown dependencies, missing fields", () => {
    const error = (() => {
      try {
        parseReleaseManifest(`name: r\nversion: 1\npackages:\n- {name: a, fingerprint: f, sha1: ${SHA1}, dependencies: [ghost]}\n- {name: a, fingerprint: f, sha1: ${SHA1}}\n- {name: b, sha1: ${SHA1}}\n`, "x/release.MF");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ code: "RELEASE_INVALID", message: "x/release.MF is invalid" });
    expect((error as { details: string[] }).details).toEqual([
      "packages[2].fingerprint must be a non-empty string",
      "package 'a' is listed twice",
      "package 'a' depends on 'ghost', which the release does not contain",
    ]);
  });
});

describe("parseJobSpec", () => {
  it("keeps typed defaults and tolerates absent sections", () => {
    expect(parseJobSpec("name: j\nproperties:\n  a: {default: [1, {b: true}]}\n  c: {default: null}\n", "job.MF")).toEqual({
      name: "j",
      templates: {},
      packages: [],
      properties: { a: { default: [1, { b: true }] }, c: { default: null } },
    });
  });

  it("names what is wrong", () => {
    expect(() => parseJobSpec("templates: {a.erb: 3}\npackages: x\n", "job.MF of 'j'")).toThrow(
      expect.objectContaining({ code: "RELEASE_INVALID", details: ["name must be a non-empty string", "templates['a.erb'] must name a destination path", "packages must be a list of package names"] }),
    );
  });
});
