export { installCpi } from "./install-cpi.js";
export type { CpiInstallation, InstallCpiOptions, InstallEvent } from "./types.js";
