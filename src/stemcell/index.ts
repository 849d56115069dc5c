export { inspectStemcell } from "./inspect-stemcell.js";
export { extractStemcellImage } from "./extract-stemcell-image.js";
export type { StemcellSummary } from "./stemcell-manifest.js";
