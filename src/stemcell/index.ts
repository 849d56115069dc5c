export { inspectStemcell, unpackStemcell } from "./inspect-stemcell.js";
export type { UnpackedStemcell } from "./inspect-stemcell.js";
export { extractStemcellImage } from "./extract-stemcell-image.js";
export { requireSupportedStemcellApi, MIN_STEMCELL_API_VERSION } from "./require-supported-api.js";
export type { StemcellSummary } from "./stemcell-manifest.js";
