/**
 * Certificates and keys are read before anything acts on them (CERTIFICATE_INVALID), each
 * problem named by where its value came from. bosh-cli 7.9.13 reads none of them: a vars store
 * whose mbus certificate is not PEM goes through `create-env` to a VM.
 */
import { generateKeyPairSync } from "node:crypto";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dumpYaml, loadBootstrapManifest, parseYaml, type ManifestInput } from "../../src/manifest/index.js";
import { BootstrapError } from "../../src/common/index.js";
import { generateValue } from "../../src/manifest/generators/index.js";

const NOT_PEM = "-----BEGIN CERTIFICATE-----\nMIIBnot-base64!!\n-----END CERTIFICATE-----\n";
const DAY_MS = 24 * 3600 * 1000;

type Creds = Record<string, Record<string, string>>;

let fixtures: string;
let good: Creds;
let otherCa: Creds[string];
let dir: string;

// One vars store generated for the whole file (RSA keys take a while): each test starts from it.
beforeAll(async () => {
  fixtures = await mkdtemp(join(tmpdir(), "credentials-"));
  await cp(join(__dirname, "fixtures"), fixtures, { recursive: true });
  await loadBootstrapManifest(input(fixtures));
  good = parseYaml(await readFile(join(fixtures, "creds.yml"), "utf8"), "creds.yml") as Creds;
  // Another CA of the same name, made the way the store's was.
  otherCa = (await generateValue("certificate", { is_ca: true, common_name: "ca", key_length: 2048 }, () => Promise.reject(new Error("a root CA names none")))) as Creds[string];
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "credentials-case-"));
  await cp(fixtures, dir, { recursive: true });
});

function input(cwd: string, over: Partial<ManifestInput> = {}): ManifestInput {
  return {
    manifestPath: "director.yml",
    opsFiles: ["cpi.yml", "jumpbox.yml"],
    varFlags: { varsFiles: ["vars.yml"], varsStore: "creds.yml" },
    env: {},
    cwd,
    generation: "write",
    ...over,
  };
}

async function writeCreds(change: (creds: Creds) => void): Promise<void> {
  const creds = structuredClone(good);
  change(creds);
  await writeFile(join(dir, "creds.yml"), dumpYaml(creds));
}

async function refusal(over: Partial<ManifestInput> = {}): Promise<BootstrapError> {
  const error = await loadBootstrapManifest(input(dir, over)).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof BootstrapError)) throw new Error(`expected a BootstrapError, got ${String(error)}`);
  return error;
}

describe("certificates and keys from the vars store", () => {
  it("refuses a certificate that is not valid PEM, naming the store and the variable's field", async () => {
    await writeCreds((c) => (c["mbus_tls"]!["certificate"] = NOT_PEM));
    const error = await refusal();
    expect(error.code).toBe("CERTIFICATE_INVALID");
    expect(error.message).toMatch(/^Invalid certificate or key at creds\.yml: mbus_tls\.certificate: CERTIFICATE does not parse: /);
    expect(error.hint).toContain("Replace the value in creds.yml");
    expect(error.message).not.toContain("MIIB"); // never the value
  });

  it("refuses a private key that does not parse, and a key that is not the certificate's", async () => {
    await writeCreds((c) => (c["mbus_tls"]!["private_key"] = c["mbus_tls"]!["private_key"]!.replace(/\n[A-Za-z0-9+/]{20}/, "\n!!!!!!!!!!!!!!!!!!!!")));
    expect((await refusal()).message).toContain("creds.yml: mbus_tls.private_key: RSA PRIVATE KEY does not parse");

    await writeCreds((c) => (c["mbus_tls"]!["private_key"] = c["default_ca"]!["private_key"]!));
    const error = await refusal();
    expect(error.message).toContain("creds.yml: mbus_tls: certificate and private_key are not a pair");
  });

  it("refuses a certificate where a key belongs, an unterminated block and a broken ssh public key, all at once", async () => {
    await writeCreds((c) => {
      c["mbus_tls"]!["private_key"] = c["mbus_tls"]!["certificate"]!;
      c["default_ca"]!["certificate"] = c["default_ca"]!["certificate"]!.replace(/-----END CERTIFICATE-----\n?$/, "");
      c["jumpbox_ssh"]!["public_key"] = "ssh-rsa AAAAB3NzaC1yc2E-garbage";
    });
    const error = await refusal();
    expect(error.code).toBe("CERTIFICATE_INVALID");
    expect(error.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^creds\.yml: mbus_tls\.private_key: holds a CERTIFICATE where a PRIVATE KEY belongs$/),
        expect.stringMatching(/^creds\.yml: default_ca\.certificate: a PEM block without its END line$/),
        expect.stringMatching(/^creds\.yml: jumpbox_ssh\.public_key: not an OpenSSH public key/),
      ]),
    );
  });

  it("refuses an agent certificate the mbus CA did not issue: the agent would be unreachable after create_vm", async () => {
    await writeCreds((c) => (c["mbus_tls"]!["ca"] = otherCa["certificate"]!));
    const error = await refusal();
    expect(error.message).toMatch(/creds\.yml: mbus_tls\.certificate: the agent's certificate '127\.0\.10\.6' is not issued by the CA in creds\.yml: mbus_tls\.ca/);
  });

  it("refuses an agent certificate that does not name the mbus host (the address changed after it was generated)", async () => {
    await writeFile(join(dir, "vars.yml"), (await readFile(join(dir, "vars.yml"), "utf8")).replace("internal_ip: 127.0.10.6", "internal_ip: 127.0.10.7"));
    const error = await refusal();
    expect(error.message).toContain("creds.yml: mbus_tls.certificate: the agent's certificate does not name the mbus host 127.0.10.7");
  });

  it("refuses an expired mbus chain (our TLS client would refuse it) but only warns about another expired certificate", async () => {
    await writeFile(
      join(dir, "ssl.yml"),
      dumpYaml([
        { type: "replace", path: "/variables/-", value: { name: "director_ssl", type: "certificate", options: { ca: "default_ca", common_name: "d", duration: 1, key_length: 2048 } } },
        { type: "replace", path: "/instance_groups/name=bosh/properties/director?/ssl", value: { cert: "((director_ssl.certificate))", key: "((director_ssl.private_key))" } },
      ]),
    );
    const opsFiles = ["cpi.yml", "jumpbox.yml", "ssl.yml"];
    const loaded = await loadBootstrapManifest(input(dir, { opsFiles, now: new Date(Date.now() + 2 * DAY_MS) }));
    expect(loaded.warnings).toEqual([expect.stringMatching(/^creds\.yml: director_ssl\.certificate: the certificate for 'd' expired on /)]);

    const error = await refusal({ opsFiles, now: new Date(Date.now() + 400 * DAY_MS) });
    expect(error.details).toEqual(expect.arrayContaining([expect.stringMatching(/^creds\.yml: mbus_tls\.certificate: the certificate '127\.0\.10\.6' is valid only from /)]));
  });
});

describe("certificates and keys from elsewhere", () => {
  it("names a -l file and the variable for a value it gave", async () => {
    await writeFile(join(dir, "more-vars.yml"), dumpYaml({ extra: { cert: NOT_PEM } }));
    await writeFile(join(dir, "extra.yml"), dumpYaml([{ type: "replace", path: "/properties?/extra", value: "((extra.cert))" }]));
    const error = await refusal({ opsFiles: ["cpi.yml", "jumpbox.yml", "extra.yml"], varFlags: { varsFiles: ["vars.yml", "more-vars.yml"], varsStore: "creds.yml" } });
    expect(error.message).toMatch(/^Invalid certificate or key at more-vars\.yml: extra\.cert: /);
    expect(error.hint).toBe("Fix the value given with more-vars.yml.");
  });

  it("names the manifest path of a PEM string no variable gave", async () => {
    await writeFile(join(dir, "extra.yml"), dumpYaml([{ type: "replace", path: "/instance_groups/name=bosh/properties/tls?", value: { ca: NOT_PEM } }]));
    const error = await refusal({ opsFiles: ["cpi.yml", "jumpbox.yml", "extra.yml"] });
    expect(error.message).toMatch(/^Invalid certificate or key at director\.yml: instance_groups\[0\]\.properties\.tls\.ca: /);
  });

  it("reads the SSH tunnel's key file as the tunnel will, and refuses one it cannot use", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const encrypted = privateKey.export({ type: "pkcs1", format: "pem", cipher: "aes-128-cbc", passphrase: "secret" }).toString();
    await writeFile(join(dir, "tunnel.key"), encrypted);
    await writeFile(join(dir, "tunnel.yml"), dumpYaml([{ type: "replace", path: "/cloud_provider/ssh_tunnel?", value: { host: "h", port: 22, user: "vcap", private_key: "tunnel.key" } }]));
    const error = await refusal({ opsFiles: ["cpi.yml", "tunnel.yml"] });
    expect(error.message).toMatch(/^Invalid certificate or key at director\.yml: cloud_provider\.ssh_tunnel\.private_key: the SSH tunnel cannot use this private key: .*passphrase/);
  });

  it("in warn mode (delete) says the same and goes on", async () => {
    await writeCreds((c) => (c["mbus_tls"]!["certificate"] = NOT_PEM));
    const loaded = await loadBootstrapManifest(input(dir, { credentials: "warn" }));
    expect(loaded.warnings).toEqual([expect.stringMatching(/^creds\.yml: mbus_tls\.certificate: CERTIFICATE does not parse/)]);
  });

  it("accepts what bootstrap generated, with nothing to say", async () => {
    expect((await loadBootstrapManifest(input(dir))).warnings).toEqual([]);
  });
});
