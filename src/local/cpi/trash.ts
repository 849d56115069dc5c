/**
 * Removal that a crash cannot leave half done: an inventory entry is first renamed into
 * <base>/trash (atomic, so it vanishes from the inventory at once), then deleted.
 */
import { randomUUID } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { InventoryPaths } from "./inventory-paths.js";

export async function moveToTrashAndRemove(paths: InventoryPaths, dir: string): Promise<void> {
  await mkdir(paths.trash(), { recursive: true });
  const trashed = join(paths.trash(), randomUUID());
  await rename(dir, trashed);
  await rm(trashed, { recursive: true, force: true });
}
