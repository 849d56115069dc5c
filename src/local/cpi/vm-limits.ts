/**
 * A VM's resource limits from the resource pool's (or vm_type's) cloud_properties, by
 * vSphere's names: `ram` in MiB and `cpu` in cores (fractions allowed); and `pids`, the most
 * processes and threads the VM may hold at once (cgroups.ts applies a default without it). All
 * optional; other properties are ignored, as every CPI ignores what it does not know. Pure
 * decoding.
 */
import { cloudError } from "../shared/index.js";
import type { VmLimits } from "../vm/index.js";

const MIN_PIDS = 64;

export function vmLimits(cloudProperties: Record<string, unknown>): VmLimits {
  const limits: VmLimits = {};
  const { ram, cpu, pids } = cloudProperties;
  if (ram !== undefined && ram !== null) {
    if (typeof ram !== "number" || !Number.isFinite(ram) || ram < 16) {
      throw cloudError(`cloud_properties.ram must be a number of MiB (16 or more), not ${JSON.stringify(ram)}`);
    }
    limits.ramMb = ram;
  }
  if (cpu !== undefined && cpu !== null) {
    if (typeof cpu !== "number" || !Number.isFinite(cpu) || cpu < 0.01) {
      throw cloudError(`cloud_properties.cpu must be a number of cores (0.01 or more), not ${JSON.stringify(cpu)}`);
    }
    limits.cpu = cpu;
  }
  if (pids !== undefined && pids !== null) {
    // Below a few dozen the VM's own init, sshd and agent could not start.
    if (typeof pids !== "number" || !Number.isInteger(pids) || pids < MIN_PIDS) {
      throw cloudError(`cloud_properties.pids must be a whole number of processes (${MIN_PIDS} or more), not ${JSON.stringify(pids)}`);
    }
    limits.pids = pids;
  }
  return limits;
}
