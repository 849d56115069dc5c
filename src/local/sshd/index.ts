/**
 * The SSH server every VM runs (a program of its own: main.ts, bundled as sshd.js). What the
 * CPI needs to set one up for a VM: its host key and the shape of its config file.
 */
export { generateHostKey, HOST_KEY_FILE } from "./host-key.js";
export type { SshdConfig } from "./sshd-config.js";
