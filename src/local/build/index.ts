/**
 * Builds the local provider's artefacts (CPI release, stemcell, director release) from the other
 * parts' entry points, which it reaches by path (esbuild bundles main.ts files), never by import.
 */
export { buildArtifacts, CPI_RELEASE_FILE, DIRECTOR_RELEASE_FILE, STEMCELL_FILE } from "./artifacts.js";
export type { BuildInput, BuiltArtifact } from "./artifacts.js";
