/**
 * A local VM's start-up as a deploy sees it: create_vm until the stemcell's agent answers on
 * the VM's IP (the stand-in agent of the CPI tests answers plain HTTP on port 6868), then
 * delete_vm; on 127.0.0.0/8 (the host's network) and on an address of the VM's own (its network
 * namespace on the provider's bridge). Needs root. IPs 127.0.121.10 and 10.253.123.10.
 */
import { request } from "node:http";
import { beforeAll, bench, describe } from "vitest";
import { cpiBundle } from "../test/local/cpi/support/cpi-bundle.js";
import { fakeStemcellImage, manualNetwork } from "../test/local/cpi/support/fake-stemcell.js";
import { cpiRunner, type CpiRunner } from "../test/local/cpi/support/run-cpi.js";
import { until } from "../test/e2e/support/until.js";

const runs = { iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 };
let cpi: CpiRunner;
let stemcell: unknown;

beforeAll(async () => {
  cpi = cpiRunner({ script: await cpiBundle() });
  stemcell = await cpi.ok("create_stemcell", [fakeStemcellImage(), {}]);
});

function agentAnswers(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const call = request({ host: ip, port: 6868, timeout: 1_000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode === 200));
    });
    call.on("error", () => resolve(false));
    call.on("timeout", () => call.destroy());
    call.end();
  });
}

async function roundTrip(ip: string): Promise<void> {
  const [vm] = (await cpi.ok("create_vm", ["bench", stemcell, {}, manualNetwork(ip), [], {}])) as [string];
  await until("the agent answers", async () => ((await agentAnswers(ip)) ? true : undefined), 30_000);
  await cpi.ok("delete_vm", [vm]);
}

describe("local VM start-up", () => {
  bench("create_vm → agent answers → delete_vm, host network (127.0.121.10)", () => roundTrip("127.0.121.10"), runs);
  bench("create_vm → agent answers → delete_vm, own network (10.253.123.10)", () => roundTrip("10.253.123.10"), runs);
});
