/**
 * IP reservations are host-wide: two base dirs (two HOMEs, two local.base_dir) cannot both hold
 * one address, and the refusal names the VM and the base dir that hold it. IPs 127.0.120.10-19.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT_REGISTRY_DIR } from "../../../src/local/cpi/ip-reservations.js";
import { cpiBundle } from "./support/cpi-bundle.js";
import { fakeStemcellImage, manualNetwork } from "./support/fake-stemcell.js";
import { cpiRunner, type CpiRunner } from "./support/run-cpi.js";

let first: CpiRunner;
let second: CpiRunner;
const stemcells = new Map<CpiRunner, string>();
const created: [CpiRunner, string][] = [];

async function createVm(cpi: CpiRunner, ip: string) {
  const response = await cpi.call("create_vm", [`agent-${ip}`, stemcells.get(cpi), {}, manualNetwork(ip), [], {}]);
  if (response.error === null) created.push([cpi, (response.result as [string])[0]]);
  return response;
}

beforeAll(async () => {
  const script = await cpiBundle();
  first = cpiRunner({ script });
  second = cpiRunner({ script });
  for (const cpi of [first, second]) stemcells.set(cpi, (await cpi.ok("create_stemcell", [fakeStemcellImage(), {}])) as string);
});

afterAll(async () => {
  for (const [cpi, cid] of created) await cpi.call("delete_vm", [cid]);
});

describe("host-wide IP reservations", () => {
  it("refuses an address another base dir holds, naming its VM and base dir, and frees it on delete", async () => {
    // given
    const held = await createVm(first, "127.0.120.10");
    const [holder] = held.result as [string];

    // when
    const refused = await createVm(second, "127.0.120.10");

    // then
    expect(refused.error).toMatchObject({ type: "Bosh::Clouds::CloudError", ok_to_retry: false });
    expect(refused.error?.message).toContain(`LOCAL_IP_IN_USE: IP 127.0.120.10 is already used by VM '${holder}' of the local provider at ${first.baseDir}`);

    // when the holder is deleted, the address is free for the other base dir
    expect((await first.call("delete_vm", [holder])).error).toBeNull();
    expect((await createVm(second, "127.0.120.10")).error).toBeNull();
  });

  it("takes over a reservation whose base dir is gone", async () => {
    // given: a reservation left behind by a VM whose base dir was then removed
    const gone = cpiRunner({ script: await cpiBundle() });
    const stemcell = (await gone.ok("create_stemcell", [fakeStemcellImage(), {}])) as string;
    const [vm] = (await gone.ok("create_vm", ["agent-gone", stemcell, {}, manualNetwork("127.0.120.11"), [], {}])) as [string];
    expect((await gone.call("delete_vm", [vm])).error).toBeNull();
    mkdirSync(ROOT_REGISTRY_DIR, { recursive: true });
    writeFileSync(join(ROOT_REGISTRY_DIR, "127.0.120.11"), JSON.stringify({ vm_cid: vm, base_dir: gone.baseDir }));
    rmSync(gone.baseDir, { recursive: true, force: true });

    // when / then
    expect((await createVm(second, "127.0.120.11")).error).toBeNull();
  });
});
