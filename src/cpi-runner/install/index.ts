export { installCpi } from "./install-cpi.js";
export { HOST_OS_SETTING, readHostOs } from "./host-os.js";
export type { HostOs } from "./host-os.js";
export type { CpiInstallation, InstallCpiOptions, InstallEvent, PackageOrigin } from "./types.js";
