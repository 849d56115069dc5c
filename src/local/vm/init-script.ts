/**
 * The scripts a VM runs. SUPERVISOR starts the SSH server and the stemcell's agent and restarts
 * either if it exits (as a VM's service manager would). INIT_SCRIPT is PID 1 of a VM that an
 * unprivileged CPI starts in a user namespace: it bind-mounts the VM's root dir on /var/vcap
 * (only inside the VM's mount namespace), runs the supervisor, marks the VM started, and stays
 * alive reaping orphans. Killing it ends the whole namespace: the kernel kills every other
 * process in it. A root CPI's VMs start from sandbox-script.ts instead.
 */

/** Environment the scripts read; the CPI sets these when it launches the VM. */
export interface InitScriptEnv {
  VM_ROOT: string;
  VM_DIR: string;
  VM_MOUNT_POINT: string;
  /** The node executable, the SSH server script, and its config file. */
  VM_NODE: string;
  VM_SSHD_SCRIPT: string;
  VM_SSHD_CONFIG: string;
  /** Optional loader for node (tsx when the provider runs from TypeScript sources). */
  VM_NODE_IMPORT: string;
}

export const AGENT_PATH_IN_VM = "bosh/bin/bosh-agent";
const AGENT_CONFIG_IN_VM = "bosh/agent.json";
export const STARTED_MARKER = "started";

export const SUPERVISOR = `mkdir -p "$VM_MOUNT_POINT/bosh/log"
supervise() {
  local log="$1"; shift
  while true; do
    "$@" >>"$log" 2>&1 </dev/null || true
    sleep 1
  done
}
supervise "$VM_MOUNT_POINT/bosh/log/sshd.log" "$VM_NODE" \${VM_NODE_IMPORT:+--import "$VM_NODE_IMPORT"} "$VM_SSHD_SCRIPT" "$VM_SSHD_CONFIG" &
supervise "$VM_MOUNT_POINT/bosh/log/agent.log" "$VM_MOUNT_POINT/${AGENT_PATH_IN_VM}" -C "$VM_MOUNT_POINT/${AGENT_CONFIG_IN_VM}" &
`;

/** PID 1 waiting in the foreground lets bash reap orphaned processes. */
export const REAP_FOREVER = "while true; do sleep 3600; done\n";

export const INIT_SCRIPT = `set -eu
mount --bind "$VM_ROOT" "$VM_MOUNT_POINT"
${SUPERVISOR}touch "$VM_DIR/${STARTED_MARKER}"
${REAP_FOREVER}`;
