/**
 * The `--json` event stream's published schema (schemas/events-v1.json), compiled once with ajv
 * in strict mode, and a check of JSON lines against it that names each line that fails and why.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";

export const eventsSchema = JSON.parse(readFileSync(new URL("../../schemas/events-v1.json", import.meta.url), "utf8")) as {
  properties: { type: { enum: string[] } };
  $defs: Record<string, { enum?: string[] }>;
};

const ID = "urn:bosh-bootstrap:events:v1";
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(eventsSchema);

/** Why an invalid event is invalid, from its own type's definition when the type is known (oneOf's errors name every branch). */
function whyInvalid(event: unknown): string {
  const type = typeof event === "object" && event !== null ? (event as { type?: unknown }).type : undefined;
  const own = typeof type === "string" && eventsSchema.properties.type.enum.includes(type) ? ajv.getSchema(`${ID}#/$defs/${type}`) : undefined;
  const check = own ?? validate;
  check(event);
  return (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""} (${e.schemaPath})`).join("\n  ");
}

export interface CheckedEvents {
  events: { type: string }[];
  /** One entry per line that is not JSON or not valid against the schema. */
  problems: string[];
}

/** Every non-empty line of a `--json` run's stdout, parsed and validated. */
export function checkEventLines(stdout: string): CheckedEvents {
  const events: { type: string }[] = [];
  const problems: string[] = [];
  for (const line of stdout.split("\n").filter((l) => l.trim() !== "")) {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      problems.push(`not JSON: ${line}`);
      continue;
    }
    if (validate(event)) events.push(event as { type: string });
    else problems.push(`${line}\n  ${whyInvalid(event)}`);
  }
  return { events, problems };
}
