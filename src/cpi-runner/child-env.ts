/**
 * The environment of every process the core starts: CPI calls and the CPI release's packaging
 * scripts (pure). A child gets an allow-list of our variables plus what the protocol sets
 * (BOSH_PACKAGES_DIR, BOSH_JOBS_DIR; BOSH_COMPILE_TARGET, …), never our whole environment: an
 * operator's shell holds cloud credentials, BOSH_CLIENT_SECRET and `--vars-env` values that a CPI
 * or a `bash -x` packaging script has no use for and could log or pass on.
 *
 * The allow-list is what a CPI or a compiler needs to run on this machine and reach its cloud:
 * PATH and LD_LIBRARY_PATH (bosh-cli passed both to packaging scripts while it isolated them),
 * HOME (where CPIs and SDKs keep their config, e.g. the local CPI's ~/.bootstrap/local) and
 * TMPDIR, the proxy variables in both cases, and SSL_CERT_FILE/SSL_CERT_DIR (the CA bundle a
 * TLS-intercepting proxy needs). No inherited BOSH_* variable is passed: the protocol needs only
 * the ones we set. An operator whose CPI takes credentials from the environment (e.g. the AWS
 * CPI's `credentials_source: env_or_profile`) names them in BOOTSTRAP_CHILD_ENV.
 *
 * This is least authority against leaks, not a sandbox: a child runs as our user and can read
 * what we can read.
 */

export const INHERITED_VARIABLES: readonly string[] = [
  "PATH",
  "HOME",
  "TMPDIR",
  "LD_LIBRARY_PATH",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
];

/** Names more variables to pass on, separated by commas or spaces. */
export const EXTRA_VARIABLES_SETTING = "BOOTSTRAP_CHILD_ENV";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `own` (what the protocol sets) wins over what is inherited. */
export function childEnv(parent: Readonly<Record<string, string | undefined>>, own: Readonly<Record<string, string>>): Record<string, string> {
  const extra = (parent[EXTRA_VARIABLES_SETTING] ?? "").split(/[\s,]+/).filter((name) => NAME.test(name));
  const env: Record<string, string> = {};
  for (const name of [...INHERITED_VARIABLES, ...extra]) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...own };
}
