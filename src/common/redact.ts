/**
 * Secrets never leave the process: every text that goes to a terminal, a log file or an error
 * passes through redact(). Two nets catch them: shapes that are secret whatever their value
 * (PEM private keys, passwords in URLs, password-like JSON/YAML keys), and the exact values
 * registered at run time (every variable value of the manifest, mbus credentials, ...).
 */
import { isRecord } from "./is-record.js";

const REDACTED = "<redacted>";
const registered = new Set<string>();

/** Values shorter than this are too likely to collide with ordinary words to be replaced. */
const MIN_SECRET_LENGTH = 6;

export function registerSecret(value: unknown): void {
  if (typeof value === "string") {
    if (value.length >= MIN_SECRET_LENGTH) registered.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) registerSecret(item);
    return;
  }
  if (isRecord(value)) {
    for (const item of Object.values(value)) registerSecret(item);
  }
}

export function clearRegisteredSecrets(): void {
  registered.clear();
}

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:)([^\s@"'/]+)@/gi;
const SECRET_KEY_VALUE =
  /((?:"|')?(?:[a-z_]*password|[a-z_]*secret|private_key|passphrase|token)(?:"|')?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}]+)/gi;

export function redact(text: string): string {
  let out = text.replace(PEM_PRIVATE_KEY, `-----BEGIN $1PRIVATE KEY-----${REDACTED}-----END $1PRIVATE KEY-----`);
  out = out.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  out = out.replace(SECRET_KEY_VALUE, (_m, key: string, value: string) => {
    const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : "";
    return `${key}${quote}${REDACTED}${quote}`;
  });
  // Longest first, so a secret that contains another is replaced whole.
  const values = [...registered].sort((a, b) => b.length - a.length);
  for (const value of values) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value && out.includes(escaped)) out = out.split(escaped).join(REDACTED);
  }
  return out;
}
