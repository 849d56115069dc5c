/**
 * How much an untrusted tarball may expand to. Two limits, both overridable from the
 * environment because a real artefact can legitimately be huge:
 *
 * - `maxBytes` caps the uncompressed tar stream (and any one entry's declared size, refused
 *   from its header before a byte of it is written). It stops a disk-filling archive outright.
 * - `maxRatio` caps uncompressed ÷ compressed bytes, but only once more than `ratioFreeBytes`
 *   came out. A stemcell's `image` can be a sparse disk image that gzip shrinks a hundredfold;
 *   below the threshold the ratio says nothing useful, above it a bomb of zeros (gzip reaches
 *   ~1000:1) is stopped after writing `ratioFreeBytes`, not `maxBytes`.
 *
 * Pure: `extractLimitsFrom(env)` parses, `volumeProblem(...)` judges.
 */
import { BootstrapError, formatBytes } from "../common/index.js";

export interface ExtractLimits {
  maxBytes: number;
  /** 0 turns the ratio check off. */
  maxRatio: number;
  ratioFreeBytes: number;
}

const GiB = 1024 ** 3;

export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = {
  // The biggest public stemcells (raw images for OpenStack, Azure VHDs) unpack to ~5-20 GiB.
  maxBytes: 64 * GiB,
  // A 1.5 GiB mostly empty disk image squeezed into 10 MiB is ~150:1 and still passes.
  maxRatio: 200,
  ratioFreeBytes: 1 * GiB,
};

export const MAX_BYTES_ENV = "BOOTSTRAP_EXTRACT_MAX_BYTES";
export const MAX_RATIO_ENV = "BOOTSTRAP_EXTRACT_MAX_RATIO";

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: GiB, t: 1024 ** 4 };

/** `12345`, `512M`, `80G`, `1T` (binary units); undefined when it is none of those. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (match === null) return undefined;
  const bytes = Number(match[1]) * (UNITS[(match[2] ?? "").toLowerCase()] ?? 1);
  return Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes) : undefined;
}

export function extractLimitsFrom(env: NodeJS.ProcessEnv): ExtractLimits {
  const limits = { ...DEFAULT_EXTRACT_LIMITS };
  const bytesText = env[MAX_BYTES_ENV];
  if (bytesText !== undefined && bytesText !== "") {
    const bytes = parseByteSize(bytesText);
    if (bytes === undefined) throw badSetting(MAX_BYTES_ENV, bytesText, "a size such as 80G or 107374182400");
    limits.maxBytes = bytes;
  }
  const ratioText = env[MAX_RATIO_ENV];
  if (ratioText !== undefined && ratioText !== "") {
    const ratio = Number(ratioText);
    if (!Number.isFinite(ratio) || ratio < 0) throw badSetting(MAX_RATIO_ENV, ratioText, "a number such as 500, or 0 for no limit");
    limits.maxRatio = ratio;
  }
  return limits;
}

function badSetting(name: string, value: string, expected: string): BootstrapError {
  return new BootstrapError("USAGE", `${name}='${value}' is not ${expected}`, { hint: `Set ${name} to ${expected}, or unset it for the default.` });
}

export interface Volume {
  /** bytes of the file read so far */
  compressed: number;
  /** bytes of tar stream they expanded to */
  uncompressed: number;
}

/** What is wrong with this much output, or undefined. Checked as the stream flows. */
export function volumeProblem(volume: Volume, limits: ExtractLimits): string | undefined {
  if (volume.uncompressed > limits.maxBytes) return `expands to more than ${formatBytes(limits.maxBytes)}, the limit (${MAX_BYTES_ENV})`;
  if (limits.maxRatio > 0 && volume.uncompressed > limits.ratioFreeBytes) {
    const ratio = volume.uncompressed / Math.max(volume.compressed, 1);
    if (ratio > limits.maxRatio) {
      return `expands ${Math.round(ratio)} times (${formatBytes(volume.uncompressed)} from ${formatBytes(volume.compressed)}), more than the limit of ${limits.maxRatio} (${MAX_RATIO_ENV}) beyond the first ${formatBytes(limits.ratioFreeBytes)}`;
    }
  }
  return undefined;
}

/** An entry's size from its header, judged before any of it is written. */
export function declaredSizeProblem(entrySize: number, declaredTotal: number, limits: ExtractLimits): string | undefined {
  if (entrySize > limits.maxBytes) return `declares ${formatBytes(entrySize)}, more than the limit of ${formatBytes(limits.maxBytes)} (${MAX_BYTES_ENV})`;
  if (declaredTotal > limits.maxBytes) return `brings the declared total to ${formatBytes(declaredTotal)}, more than the limit of ${formatBytes(limits.maxBytes)} (${MAX_BYTES_ENV})`;
  return undefined;
}

