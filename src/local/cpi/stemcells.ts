/**
 * create_stemcell / delete_stemcell: a stemcell is its image (a gzip tarball of a VM's initial
 * /var/vcap) extracted once under stemcells/<cid>/image; create_vm copies it into each VM.
 * Extraction happens in a temp dir renamed into place, so a crash never leaves half a stemcell.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { AGENT_PATH_IN_VM } from "../vm/index.js";
import { isLocalCid, type InventoryPaths } from "./inventory-paths.js";
import { cloudError, stemcellNotFound } from "../shared/index.js";
import { writeJson } from "./records.js";
import { moveToTrashAndRemove } from "./trash.js";

const run = promisify(execFile);

export async function createStemcell(paths: InventoryPaths, imagePath: string, cloudProperties: object): Promise<string> {
  if (!existsSync(imagePath)) throw cloudError(`Stemcell image '${imagePath}' does not exist`);
  const cid = `stemcell-${randomUUID()}`;
  const temp = join(paths.base, "stemcells", `.tmp-${cid}`);
  await mkdir(join(temp, "image"), { recursive: true });
  try {
    await run("tar", ["-xzf", imagePath, "-C", join(temp, "image"), "--no-same-owner"]);
    if (!existsSync(join(temp, "image", AGENT_PATH_IN_VM))) {
      throw cloudError(`Stemcell image '${imagePath}' has no ${AGENT_PATH_IN_VM}: it is not a local stemcell image`);
    }
    await writeJson(join(temp, "stemcell.json"), { cid, cloud_properties: cloudProperties });
    await rename(temp, paths.stemcellDir(cid));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (error instanceof Error && "stderr" in error) {
      throw cloudError(`Extracting stemcell image '${imagePath}' failed: ${String(error.stderr).trim()}`);
    }
    throw error;
  }
  return cid;
}

export async function deleteStemcell(paths: InventoryPaths, cid: string): Promise<void> {
  if (!isLocalCid(cid) || !existsSync(paths.stemcellDir(cid))) throw stemcellNotFound(cid);
  const dir = paths.stemcellDir(cid);
  await moveToTrashAndRemove(paths, dir);
}
