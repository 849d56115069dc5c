/**
 * What is said about a state file whose current_stemcell_id or current_disk_id names no
 * record. Deploy and plan refuse it: read as "none" (bosh-cli's reading), a deploy would upload
 * another stemcell or create an empty disk, then delete the recorded ones as unused — the data
 * on the disk the VM really uses would go. Delete goes on and says what it cannot know.
 */
import { BootstrapError } from "../common/index.js";
import type { DanglingReference } from "./decode-state.js";

const describe = (d: DanglingReference): string =>
  `${d.field} ${JSON.stringify(d.id)} names no record in ${d.list} (${d.known.length === 0 ? `${d.list} is empty` : `ids: ${d.known.map((id) => JSON.stringify(id)).join(", ")}`})`;

export function danglingReferencesError(path: string, dangling: readonly DanglingReference[], backupPath: string | undefined): BootstrapError {
  const [first] = dangling;
  const message =
    dangling.length === 1 && first !== undefined
      ? `State file ${path}: ${describe(first)}`
      : `State file ${path} names ${dangling.length} records it does not hold`;
  const fields = dangling.map((d) => d.field).join(" and ");
  return new BootstrapError("STATE_INVALID", message, {
    details: dangling.length === 1 ? [] : dangling.map(describe),
    hint:
      `Nothing was changed. Deploying from this file would replace what it cannot find (a new stemcell, an empty disk) and delete the recorded ones as unused. ` +
      `Set ${fields} in ${path} to the id of the record the VM uses (or to "" when it uses none)` +
      (backupPath === undefined ? "" : `, or restore the copy taken before the last run changed it: cp ${backupPath} ${path}`) +
      `. 'bootstrap delete' accepts the file as it is: it deletes every VM, disk and stemcell it records.`,
  });
}

export function danglingReferenceWarnings(dangling: readonly DanglingReference[]): string[] {
  return dangling.map(
    (d) =>
      `${describe(d)}: whatever it named is not known by its CID, so it is not deleted; look for it in the IaaS ` +
      `(the recorded ${d.list} are deleted as usual)`,
  );
}
