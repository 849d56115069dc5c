/**
 * A VM's resource limits from the resource pool's (or vm_type's) cloud_properties, by
 * vSphere's names: `ram` in MiB and `cpu` in cores (fractions allowed). Both optional; other
 * properties are ignored, as every CPI ignores what it does not know. Pure decoding.
 */
import { cloudError } from "../shared/index.js";
import type { VmLimits } from "../vm/index.js";

export function vmLimits(cloudProperties: Record<string, unknown>): VmLimits {
  const limits: VmLimits = {};
  const { ram, cpu } = cloudProperties;
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
  return limits;
}
