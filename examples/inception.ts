// Stand up a director from an inception VM or a CI job; TEARDOWN=1 deletes it again.
// Usage: tsx inception.ts MANIFEST [DIRECTOR_NAME]  (creds.yml and state.json in the current directory)
import { deploy, env, isBootstrapError, remove, type BootstrapEvent } from "bosh-bootstrap";

const [manifest = "bosh.yml", name = "inception"] = process.argv.slice(2);
const inputs = { manifest, vars: { director_name: name }, varsStore: "creds.yml", state: "state.json" };
const controller = new AbortController();
process.once("SIGINT", () => controller.abort());
const onEvent = (e: BootstrapEvent): void => {
  if (e.type === "plan-step") console.error(`[${e.index + 1}/${e.total}] ${e.description}`);
  if (e.type === "warning") console.error(`warning: ${e.message}`);
};

try {
  const deployed = await deploy({ ...inputs, onEvent, signal: controller.signal });
  console.error(deployed.changed ? `deployed: ${deployed.changes.join("; ")}` : "no changes");
  const director = await env(inputs);
  console.log(JSON.stringify({ url: director.environment, ca: director.caCert }));
  if (process.env["TEARDOWN"] === "1") await remove({ ...inputs, onEvent, signal: controller.signal });
} catch (error) {
  if (!isBootstrapError(error)) throw error;
  console.error(`${error.code}: ${error.message}${error.hint === undefined ? "" : `\n${error.hint}`}`);
  process.exitCode = error.code === "INTERRUPTED" ? 130 : 1;
}
