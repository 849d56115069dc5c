/**
 * Routes one decoded request to its method. Unknown methods get the answer real CPIs give
 * (Bosh::Clouds::NotImplemented), so callers can probe optional methods.
 */
import { attachDisk, createDisk, deleteDisk, detachDisk, hasDisk, setDiskMetadata } from "./disks.js";
import { Args, CPI_API_VERSION, STEMCELL_FORMATS, type CpiRequest } from "./protocol.js";
import { CpiFailure } from "../shared/index.js";
import { createStemcell, deleteStemcell } from "./stemcells.js";
import { vmSshHostKey } from "./vm-host-key.js";
import { createVm, deleteVm, getDisks, hasVm, rebootVm, setVmMetadata, type CpiContext } from "./vms.js";

type Handler = (ctx: CpiContext, a: Args) => Promise<unknown>;

const HANDLERS: Record<string, Handler> = {
  // vm_ssh_host_key: our extension (see vm-host-key.ts); bosh-cli ignores fields it does not know.
  info: async () => ({ api_version: CPI_API_VERSION, stemcell_formats: [...STEMCELL_FORMATS], vm_ssh_host_key: true }),
  create_stemcell: (ctx, a) => createStemcell(ctx.paths, a.string(0, "image_path"), a.record(1, "cloud_properties")),
  delete_stemcell: async (ctx, a) => nil(await deleteStemcell(ctx.paths, a.string(0, "stemcell_cid"))),
  create_vm: async (ctx, a) => {
    const networks = a.record(3, "networks");
    const cid = await createVm(ctx, {
      agentId: a.string(0, "agent_id"),
      stemcellCid: a.string(1, "stemcell_cid"),
      cloudProperties: a.record(2, "cloud_properties"),
      networks,
      env: a.record(5, "env"),
    });
    return [cid, networks];
  },
  delete_vm: async (ctx, a) => nil(await deleteVm(ctx, a.string(0, "vm_cid"))),
  has_vm: (ctx, a) => hasVm(ctx, a.string(0, "vm_cid")),
  reboot_vm: async (ctx, a) => nil(await rebootVm(ctx, a.string(0, "vm_cid"))),
  get_vm_ssh_host_key: (ctx, a) => vmSshHostKey(ctx, a.string(0, "vm_cid")),
  set_vm_metadata: async (ctx, a) => nil(await setVmMetadata(ctx, a.string(0, "vm_cid"), a.record(1, "metadata"))),
  get_disks: (ctx, a) => getDisks(ctx, a.string(0, "vm_cid")),
  create_disk: (ctx, a) => createDisk(ctx, a.positiveInteger(0, "size"), a.record(1, "cloud_properties")),
  delete_disk: async (ctx, a) => nil(await deleteDisk(ctx, a.string(0, "disk_cid"))),
  has_disk: (ctx, a) => hasDisk(ctx, a.string(0, "disk_cid")),
  attach_disk: (ctx, a) => attachDisk(ctx, a.string(0, "vm_cid"), a.string(1, "disk_cid")),
  detach_disk: async (ctx, a) => nil(await detachDisk(ctx, a.string(0, "vm_cid"), a.string(1, "disk_cid"))),
  set_disk_metadata: async (ctx, a) => nil(await setDiskMetadata(ctx, a.string(0, "disk_cid"), a.record(1, "metadata"))),
};

export async function dispatch(ctx: CpiContext, request: CpiRequest): Promise<unknown> {
  const handler = Object.hasOwn(HANDLERS, request.method) ? HANDLERS[request.method] : undefined;
  if (handler === undefined) {
    throw new CpiFailure("Bosh::Clouds::NotImplemented", `Must call implemented method: '${request.method}' is not implemented`);
  }
  return handler(ctx, new Args(request.method, request.arguments));
}

/** Methods without a result answer null. */
function nil(_: void): null {
  return null;
}
