export { inspectStemcell } from "./inspect-stemcell.js";
export { extractStemcellImage } from "./extract-stemcell-image.js";
export { parseStemcellManifest } from "./stemcell-manifest.js";
export type { StemcellSummary } from "./stemcell-manifest.js";
