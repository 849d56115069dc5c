/** directorAccess (pure): where bosh-deployment's manifest shapes put the director's address, CA and credentials. */
import { describe, expect, it } from "vitest";
import { directorAccess, directorUrlOf } from "../../src/bootstrap/director-access.js";
import type { BootstrapManifest } from "../../src/manifest/index.js";

const CERT = "-----BEGIN CERTIFICATE-----\nDIRECTOR\n-----END CERTIFICATE-----\n";
const CA = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";

function manifest(
  groupProperties: Record<string, unknown>,
  jobs: BootstrapManifest["instanceGroup"]["jobs"] = [{ name: "director", release: "bosh", properties: null }],
  mbus = "https://mbus:secret@10.0.0.6:6868",
): BootstrapManifest {
  return {
    address: "10.0.0.6",
    cloudProvider: { mbus },
    instanceGroup: { name: "bosh", jobs, properties: groupProperties },
    properties: {},
  } as unknown as BootstrapManifest;
}

const certVariables = [
  { name: "default_ca", value: { ca: CA, certificate: CA, private_key: "k" } },
  { name: "director_ssl", value: { ca: CA, certificate: CERT, private_key: "k" } },
];

describe("directorAccess", () => {
  it("reads the director's port, its certificate's CA and the admin of local users", () => {
    const access = directorAccess(
      manifest({ director: { port: 8443, ssl: { cert: CERT }, user_management: { local: { users: [{ name: "hm", password: "p1" }, { name: "admin", password: "p2" }] } } } }),
      certVariables,
    );
    expect(access).toEqual({ environment: "https://10.0.0.6:8443", caCert: CA, client: "admin", clientSecret: "p2", notes: [] });
  });

  it("takes the first user with a password when none is named admin", () => {
    const access = directorAccess(manifest({ director: { user_management: { provider: "local", local: { users: [{ name: "nopass" }, { name: "ops", password: "s" }] } } } }), []);
    expect(access).toMatchObject({ client: "ops", clientSecret: "s" });
  });

  it("takes a client_credentials client with bosh.admin from the uaa job, preferring admin", () => {
    const jobs = [
      { name: "director", release: "bosh", properties: null },
      {
        name: "uaa",
        release: "uaa",
        properties: {
          uaa: {
            clients: {
              bosh_cli: { "authorized-grant-types": "password,refresh_token", authorities: "uaa.none", secret: "" },
              reader: { "authorized-grant-types": "client_credentials", authorities: "bosh.read", secret: "r" },
              ci: { "authorized-grant-types": "client_credentials", authorities: "bosh.admin", secret: "c" },
            },
          },
        },
      },
    ];
    const access = directorAccess(manifest({ director: { user_management: { provider: "uaa", uaa: { url: "https://10.0.0.6:8443" } } } }, jobs), []);
    expect(access).toMatchObject({ client: "ci", clientSecret: "c" });
  });

  it("says why the CA or the client is missing instead of guessing", () => {
    const access = directorAccess(manifest({ director: { ssl: { cert: CERT } } }), [{ name: "other", value: { ca: CA, certificate: "x", private_key: "k" } }]);
    expect(access.caCert).toBeUndefined();
    expect(access.client).toBeUndefined();
    expect(access.notes).toEqual([expect.stringContaining("BOSH_CA_CERT is not set"), expect.stringContaining("no user_management")]);
    const unknown = directorAccess(manifest({ director: { user_management: { provider: "ldap" } } }), []);
    expect(unknown.notes).toContainEqual(expect.stringContaining("'ldap' is neither local nor uaa"));
  });

  it("takes the host the deploy reached the agent at (an external IP), the instance's address when that is a wildcard", () => {
    expect(directorUrlOf(manifest({}, undefined, "https://mbus:secret@203.0.113.7:6868"))).toBe("https://203.0.113.7:25555");
    expect(directorUrlOf(manifest({}, undefined, "https://mbus:secret@0.0.0.0:6868"))).toBe("https://10.0.0.6:25555");
  });

  it("prefers the director job's own properties", () => {
    const jobs = [{ name: "director", release: "bosh", properties: { director: { port: 9000 } } }];
    expect(directorUrlOf(manifest({ director: { port: 8443 } }, jobs))).toBe("https://10.0.0.6:9000");
  });

  it("refuses a manifest without a director job", () => {
    expect(() => directorAccess(manifest({}, [{ name: "nats", release: "bosh", properties: null }]), [])).toThrow(expect.objectContaining({ code: "DIRECTOR_NOT_FOUND" }));
    expect(directorUrlOf(manifest({}, []))).toBeUndefined();
  });
});
