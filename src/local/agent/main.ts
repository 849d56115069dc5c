/**
 * Entry point of the local stemcell's agent (bundled into `bosh/lib/agent.js` by the local build
 * and started by `/var/vcap/bosh/bin/bosh-agent -C /var/vcap/bosh/agent.json`). Exits non-zero
 * with a one-line reason when it cannot start (bad flags, settings, certificate, port in use).
 * No top-level await, so the bundle works as CommonJS or ESM.
 */
import { isBootstrapError, messageOf, redact } from "../../common/index.js";
import { startAgent } from "./agent.js";
import { parseAgentArgs } from "./cli-args.js";

async function main(): Promise<void> {
  const agent = await startAgent(parseAgentArgs(process.argv.slice(2)));
  process.stdout.write(`bosh-agent: listening on https://${agent.address.host}:${agent.address.port}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    agent.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(redact(`bosh-agent: shutdown failed: ${messageOf(error)}\n`));
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  const hint = isBootstrapError(error) && error.hint !== undefined ? `\n  ${error.hint}` : "";
  process.stderr.write(redact(`bosh-agent: ${messageOf(error)}${hint}\n`));
  process.exit(1);
});
