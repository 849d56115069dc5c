/**
 * What the state knows about the current VM beyond its CID (agent id, pinned SSH host key,
 * stopped jobs, what it was made from, the packages it holds): facts that hold for that VM only,
 * so they go whenever another VM becomes current or none is.
 */
import type { StateShape } from "./ports.js";

export function forgetVmFacts(s: StateShape): void {
  delete s.current_agent_id;
  delete s.current_vm_ssh_host_key;
  delete s.jobs_stopped_at;
  delete s.current_vm_inputs;
  delete s.current_vm_packages;
}
