/**
 * get_vm_ssh_host_key(vm_cid), an extension of ours that `info` announces with
 * `vm_ssh_host_key: true`: the public key (an authorized_keys line) create_vm generated for the
 * VM's SSH server, so the deployer checks the very first connection instead of trusting it.
 * The answer is what create_vm wrote, never what a server at the VM's address says now.
 */
import { join } from "node:path";
import { readTextIfExists } from "../../common/index.js";
import { HOST_KEY_FILE } from "../sshd/index.js";
import { readVm, type CpiContext } from "./vms.js";

/** null for a VM made before its public key was kept beside it. */
export async function vmSshHostKey(ctx: CpiContext, cid: string): Promise<string | null> {
  await readVm(ctx.paths, cid); // VMNotFound for a VM we do not have
  const line = await readTextIfExists(join(ctx.paths.vmDir(cid), `${HOST_KEY_FILE}.pub`));
  return line === undefined || line.trim() === "" ? null : line.trim();
}
