/**
 * The context a job's templates are rendered with, as bosh-cli's create-env builds it
 * (create-env ref §4.5, its RootContext), as JSON text for the evaluator. Templates see it as
 * `spec`: index, id, az, bootstrap, job.name, deployment, address (only when known), a
 * placeholder `default` network with empty ip/netmask/gateway (bosh-cli never fills it in),
 * and the four property sources the evaluator resolves `p()` from. Nothing else: under
 * bosh-cli `spec.name`, `spec.ip`, `spec.release`… are nil, so they are here too. Pure.
 */
import { randomUUID } from "node:crypto";
import { goJson } from "./go-json.js";
import type { JobSpec, RenderContext } from "./types.js";

export function templateContextJson(
  jobName: string,
  spec: Pick<JobSpec, "properties">,
  ctx: RenderContext,
  jobProperties: Record<string, unknown> | null,
): string {
  const defaults: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(spec.properties)) defaults[name] = definition.default ?? null;
  // Go writes a struct's fields in declaration order (only maps are sorted), address omitted when empty.
  const fields: [string, unknown][] = [
    ["index", ctx.index],
    // bosh-cli draws a new UUID each time it writes the context, i.e. per template; the
    // evaluator gives each ERB template its own, this one is what ejs templates see.
    ["id", randomUUID()],
    ["az", ctx.az],
    ["bootstrap", ctx.bootstrap],
    ["job", { name: jobName }],
    ["deployment", ctx.deployment],
    ...(ctx.address !== undefined && ctx.address !== "" ? [["address", ctx.address] as [string, unknown]] : []),
    ["networks", { default: { ip: "", netmask: "", gateway: "" } }],
    ["global_properties", ctx.globalProperties],
    ["cluster_properties", ctx.instanceGroupProperties],
    ["job_properties", jobProperties],
    ["default_properties", defaults],
  ];
  return `{${fields.map(([key, value]) => `${JSON.stringify(key)}:${key === "networks" ? JSON.stringify(value) : goJson(value)}`).join(",")}}`;
}
