import { describe, expect, it } from "vitest";
import { childEnv } from "../../src/cpi-runner/child-env.js";

const OPERATOR_ENV: Record<string, string | undefined> = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/home/op",
  TMPDIR: "/var/tmp/op",
  LD_LIBRARY_PATH: "/opt/gcc/lib",
  http_proxy: "http://proxy:3128",
  HTTPS_PROXY: "http://proxy:3129",
  no_proxy: "localhost",
  NO_PROXY: "localhost",
  SSL_CERT_FILE: "/etc/corp-ca.pem",
  // canaries: none of these may reach a child
  AWS_SECRET_ACCESS_KEY: "aws-secret",
  AWS_ACCESS_KEY_ID: "aws-key",
  BOSH_CLIENT_SECRET: "bosh-secret",
  BOSH_CLIENT: "admin",
  BOSH_ENVIRONMENT: "10.0.0.6",
  BOSH_ALL_PROXY: "ssh+socks5://jumpbox:22?private-key=/k",
  VAR_admin_password: "vars-env-value",
  GITHUB_TOKEN: "ghp_canary",
  LANG: "en_US.UTF-8",
  NODE_OPTIONS: "--require /tmp/evil.js",
  UNSET_ONE: undefined,
};

describe("childEnv", () => {
  it("passes PATH, HOME, TMPDIR, LD_LIBRARY_PATH, proxy and CA settings, and nothing else of ours", () => {
    expect(childEnv(OPERATOR_ENV, {})).toEqual({
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: "/home/op",
      TMPDIR: "/var/tmp/op",
      LD_LIBRARY_PATH: "/opt/gcc/lib",
      http_proxy: "http://proxy:3128",
      HTTPS_PROXY: "http://proxy:3129",
      no_proxy: "localhost",
      NO_PROXY: "localhost",
      SSL_CERT_FILE: "/etc/corp-ca.pem",
    });
  });

  it("adds what the protocol sets, over what it inherits", () => {
    const env = childEnv(OPERATOR_ENV, { BOSH_PACKAGES_DIR: "/i/packages", BOSH_JOBS_DIR: "/i/jobs", PATH: "/i/bin" });
    expect(env).toMatchObject({ BOSH_PACKAGES_DIR: "/i/packages", BOSH_JOBS_DIR: "/i/jobs", PATH: "/i/bin" });
    for (const secret of ["aws-secret", "bosh-secret", "vars-env-value", "ghp_canary"]) expect(Object.values(env)).not.toContain(secret);
  });

  it("passes the variables BOOTSTRAP_CHILD_ENV names, and only those", () => {
    const env = childEnv({ ...OPERATOR_ENV, BOOTSTRAP_CHILD_ENV: "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY  NOT_SET bad=name" }, {});
    expect(env).toMatchObject({ AWS_ACCESS_KEY_ID: "aws-key", AWS_SECRET_ACCESS_KEY: "aws-secret" });
    expect(Object.keys(env)).not.toContain("NOT_SET");
    expect(Object.keys(env)).not.toContain("BOOTSTRAP_CHILD_ENV");
    expect(Object.values(env)).not.toContain("bosh-secret");
  });

  it("leaves out what is unset", () => {
    expect(childEnv({ PATH: "/bin" }, {})).toEqual({ PATH: "/bin" });
  });
});
