/**
 * The CA certificates a download trusts when the operator set NODE_EXTRA_CA_CERTS (a corporate
 * proxy's CA, a private mirror's). Node parses that file eagerly, before any of our code runs:
 * ~40 ms of a 64 ms start-up on a machine whose bundle holds 140 CAs, paid by every command,
 * including the no-op deploy that opens no TLS connection to the internet. The CLI's launcher
 * (the first lines of the bundled bin) hands the path over in EXTRA_CA_CERTS_HANDOVER instead,
 * and a download over https reads it here, the first time one needs it.
 *
 * Node's own semantics are kept: the file's certificates are trusted on top of the bundled
 * roots, and a file that cannot be read is warned about and ignored.
 */
import { readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import { messageOf, type Logger } from "../common/index.js";

/** Where the launcher puts NODE_EXTRA_CA_CERTS's value (it unsets NODE_EXTRA_CA_CERTS itself). */
export const EXTRA_CA_CERTS_HANDOVER = "BOOTSTRAP_NODE_EXTRA_CA_CERTS";

/** The handed-over file, if the launcher handed one over. */
export function extraCaFileFrom(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const file = env[EXTRA_CA_CERTS_HANDOVER];
  return file === undefined || file === "" ? undefined : file;
}

/** Read once per process and file: a deploy may download several artefacts side by side. */
const trustByFile = new Map<string, Promise<string[] | undefined>>();

/**
 * The bundled roots plus the file's certificates, for a TLS `ca` option (which replaces the
 * default store, hence the roots); undefined when the file cannot be read (the default store).
 */
export function trustWithExtraCas(file: string, logger: Logger): Promise<string[] | undefined> {
  let trust = trustByFile.get(file);
  if (trust === undefined) {
    trust = readFile(file, "utf8").then(
      (pem) => [...rootCertificates, pem],
      (error: unknown) => {
        logger.warn(`Ignoring the extra CA certificates of NODE_EXTRA_CA_CERTS (${file}): ${messageOf(error)}`);
        return undefined;
      },
    );
    trustByFile.set(file, trust);
  }
  return trust;
}
