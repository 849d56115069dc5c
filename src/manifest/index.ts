/** Public surface of src/manifest: everything other folders may import. */
export { loadBootstrapManifest } from "./load-manifest.js";
export type { ManifestInput, LoadedManifest } from "./load-manifest.js";
export type { BootstrapManifest, NetworkInterface } from "./validate/types.js";
export { validateManifest } from "./validate/index.js";
export { evaluateManifest, VariablesMissingError } from "./evaluate.js";
export type { EvaluateInput, EvaluateOptions, Evaluated } from "./evaluate.js";
export type { VarFlags } from "./variables/static-vars.js";
export type { GenerationMode } from "./variables/vars-store.js";
export { parseYaml, dumpYaml } from "./yaml.js";
export { parsePointer, formatPointer, findValue, applyOps, parseOps, PatchError, PointerSyntaxError } from "./go-patch/index.js";
export type { Pointer, Op, OpsFile } from "./go-patch/index.js";
