/**
 * Which variables a first deploy generates while it acts (late-variables.ts): keys that only
 * job properties use. Table-driven over small manifests; the example's director certificate is
 * the case the deploy is for.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseYaml } from "../../src/manifest/index.js";
import { readDefinitions } from "../../src/manifest/variables/interpolate.js";
import { lateVariables } from "../../src/manifest/variables/late-variables.js";

const cert = (name: string, options: Record<string, unknown>) => ({ name, type: "certificate", options });
const CA = { name: "ca", type: "certificate", options: { is_ca: true, common_name: "ca" } };

function late(document: Record<string, unknown>, held: string[] = []): string[] {
  return lateVariables(document, readDefinitions(document), (name) => held.includes(name));
}

describe("late variables", () => {
  it("the example manifest: only the director's certificate, which only its job properties use", async () => {
    const document = parseYaml(await readFile(join(__dirname, "../../examples/manifests/local.yml"), "utf8"), "local.yml") as Record<string, unknown>;
    expect(late(document)).toEqual(["director_ssl"]);
    // A value the store holds already is not generated at all.
    expect(late(document, ["director_ssl"])).toEqual([]);
  });

  const ig = (properties: unknown, jobProperties?: unknown) => [
    { name: "bosh", jobs: [{ name: "director", release: "r", ...(jobProperties === undefined ? {} : { properties: jobProperties }) }], properties },
  ];

  it.each([
    ["a job's properties", { instance_groups: ig({}, { ssl: { cert: "((tls.certificate))" } }) }, ["tls"]],
    ["the instance group's properties", { instance_groups: ig({ ssl: "((tls.private_key))" }) }, ["tls"]],
    ["the global properties", { properties: { a: { b: ["((tls.ca))"] } } }, ["tls"]],
    ["legacy jobs/templates", { jobs: [{ name: "bosh", templates: [{ name: "d", properties: { k: "((tls.certificate))" } }] }] }, ["tls"]],
    ["a key inside properties", { properties: { "((tls.certificate))": 1 } }, ["tls"]],
    ["also outside properties", { properties: { k: "((tls.certificate))" }, cloud_provider: { cert: "((tls))" } }, []],
    ["a whole properties map", { properties: "((tls))" }, []],
    ["no reference at all", { properties: {} }, []],
  ])("a certificate referenced in %s", (_what, document, expected) => {
    expect(late({ ...document, variables: [CA, cert("tls", { ca: "ca", common_name: "x" })] })).toEqual(expected);
  });

  it("never the CA a late certificate is signed with, even when only properties use the CA", () => {
    const document = { properties: { ca: "((own_ca.certificate))", cert: "((tls.certificate))" }, variables: [cert("own_ca", { is_ca: true }), cert("tls", { ca: "own_ca" })] };
    expect(late(document)).toEqual(["tls"]);
  });

  it("never what an early definition needs: its CA, or a name in its options", () => {
    const document = {
      properties: { a: "((ca_only_here.certificate))", b: "((ssh_only_here.public_key))" },
      cloud_provider: { cert: "((mbus))", key: "((signed.private_key))" },
      variables: [
        cert("ca_only_here", { is_ca: true }),
        { name: "ssh_only_here", type: "ssh" },
        cert("mbus", { ca: "ca_only_here", common_name: "((ssh_only_here.public_key_fingerprint))" }),
        cert("signed", { ca: "ca_only_here" }),
      ],
    };
    expect(late(document)).toEqual([]);
  });

  it("neither a definition whose options hold a reference, nor a password, nor anything once a CA is named through a variable", () => {
    const properties = { a: "((tls.certificate))", b: "((pw))", c: "((rsa.public_key))" };
    expect(late({ properties, variables: [CA, cert("tls", { ca: "ca", common_name: "((name))" }), { name: "pw", type: "password" }, { name: "rsa", type: "rsa" }] })).toEqual(["rsa"]);
    expect(late({ properties, variables: [CA, cert("tls", { ca: "((which_ca))" }), { name: "rsa", type: "rsa" }] })).toEqual([]);
  });
});
