/**
 * PID 1 of a root CPI's VM (the sandbox). `unshare` has given it new mount, PID, UTS and IPC
 * namespaces (and a network namespace when the VM has an address of its own). As the host's
 * root, still able to, it:
 *   1. sets the hostname (the agent id) and mounts the VM's root: the skeleton <vm dir>/rootfs
 *      and the mounts of <vm dir>/fstab, both prepared by the launcher (sandbox-rootfs.ts);
 *   2. waits for the CPI to have put it into its cgroups and given it its veth (VM_GO), and
 *      configures its network;
 *   3. pivots into that root (the host's tree is unmounted from the VM's view) and starts the
 *      supervisor as host uid VM_UID_BASE in a new user namespace, whose uid and gid maps it
 *      writes itself (0-65535 inside are VM_UID_BASE upwards outside): the VM's root owns
 *      the VM's files and is nobody to every host file. Without user namespaces
 *      (VM_UID_BASE empty) the supervisor stays the host's root.
 * It then stays alive reaping orphans; killing it ends every process of the VM.
 */
import { REAP_FOREVER, STARTED_MARKER, SUPERVISOR } from "./init-script.js";
import { OLD_ROOT } from "./sandbox-rootfs.js";

export const VM_ID_COUNT = 65536;

/** Environment of the sandbox's init beyond InitScriptEnv. */
export interface SandboxScriptEnv {
  VM_HOSTNAME: string;
  /** Host uid (and gid) of the VM's root; empty: no user namespace. */
  VM_UID_BASE: string;
  /** File whose existence means the VM's cgroups and network are ready. */
  VM_GO: string;
  /** `ip -batch` commands configuring the VM's own network; empty: the host's network. */
  VM_NETWORK: string;
  /** The scripts of the user namespace's first process and of the supervisor. */
  VM_USER_STAGE: string;
  VM_SUPERVISOR: string;
}

export const SUPERVISOR_SCRIPT = `set -eu
${SUPERVISOR}wait
`;

/**
 * First process of the user namespace, started as the VM's root's host uid: once its uid map
 * is written it is root there, and the exec gives the supervisor root's capabilities in it.
 */
export const USER_STAGE_SCRIPT = `until read -r _ < /proc/self/uid_map; do sleep 0.005; done
exec bash -c "$VM_SUPERVISOR"
`;

export const SANDBOX_SCRIPT = `set -eu
printf %s "$VM_HOSTNAME" > /proc/sys/kernel/hostname
R="$VM_DIR/rootfs"
mount --bind "$R" "$R"
mount --all --fstab "$VM_DIR/fstab"
# A CPI that died before letting the VM go leaves no VM waiting for ever.
waited=0
until [ -e "$VM_GO" ]; do
  waited=$((waited + 1))
  if [ "$waited" -gt 12000 ]; then echo "the CPI did not let the VM start within a minute" >&2; exit 1; fi
  sleep 0.005
done
if [ -n "$VM_NETWORK" ]; then
  printf '%s\\n' "$VM_NETWORK" | ip -batch -
  # Per network namespace: the VM's root (root only in its user namespace) may bind any port.
  echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start
fi
touch "$VM_DIR/${STARTED_MARKER}"
cd "$R"
pivot_root . ${OLD_ROOT}
cd /
umount -l /${OLD_ROOT}
if [ -n "$VM_UID_BASE" ]; then
  setpriv --reuid="$VM_UID_BASE" --regid="$VM_UID_BASE" --clear-groups -- unshare --user --mount --propagation private -- bash -c "$VM_USER_STAGE" &
  stage=$!
  while [ /proc/$stage/ns/user -ef /proc/self/ns/user ]; do
    kill -0 "$stage"
    sleep 0.005
  done
  printf '0 %s ${VM_ID_COUNT}\\n' "$VM_UID_BASE" > "/proc/$stage/uid_map"
  printf '0 %s ${VM_ID_COUNT}\\n' "$VM_UID_BASE" > "/proc/$stage/gid_map"
else
  bash -c "$VM_SUPERVISOR" &
fi
${REAP_FOREVER}`;
