/** The plan: what a deploy or delete will do, each step with the reason it is needed. */
export type DeployStep =
  | { kind: "upload-stemcell"; name: string; version: string; reason: string }
  | { kind: "delete-vm"; cid: string; reason: string }
  | { kind: "create-vm"; reason: string }
  | { kind: "create-disk"; sizeMb: number; reason: string }
  | { kind: "attach-disk"; diskCid: string; reason: string }
  | { kind: "migrate-disk"; fromCid: string; fromSizeMb: number; toSizeMb: number; reason: string }
  | { kind: "update-instance"; reason: string }
  | { kind: "delete-unused-disk"; cid: string; reason: string }
  | { kind: "delete-unused-stemcell"; cid: string; name: string; version: string; reason: string };

export interface DeployPlan {
  /** Why a deploy is needed; empty when nothing changed. */
  changes: string[];
  steps: DeployStep[];
  /** Things the user should know that change nothing (e.g. a disk kept on purpose). */
  notes: string[];
}

export type DeleteStep =
  | { kind: "delete-vm"; cid: string; reason: string }
  | { kind: "delete-disk"; cid: string; reason: string }
  | { kind: "delete-stemcell"; cid: string; name: string; version: string; reason: string };

export interface DeletePlan {
  steps: DeleteStep[];
}

export function describeStep(step: DeployStep | DeleteStep): string {
  switch (step.kind) {
    case "upload-stemcell":
      return `Upload stemcell '${step.name}/${step.version}'`;
    case "delete-vm":
      return `Delete VM '${step.cid}'`;
    case "create-vm":
      return "Create VM";
    case "create-disk":
      return `Create persistent disk (${step.sizeMb} MB)`;
    case "attach-disk":
      return `Attach persistent disk '${step.diskCid}'`;
    case "migrate-disk":
      return `Migrate persistent disk '${step.fromCid}' (${step.fromSizeMb} MB) to a new disk (${step.toSizeMb} MB)`;
    case "update-instance":
      return "Compile packages, render job templates, apply and start jobs";
    case "delete-unused-disk":
      return `Delete unused disk '${step.cid}'`;
    case "delete-unused-stemcell":
      return `Delete unused stemcell '${step.name}/${step.version}' ('${step.cid}')`;
    case "delete-disk":
      return `Delete disk '${step.cid}'`;
    case "delete-stemcell":
      return `Delete stemcell '${step.name}/${step.version}' ('${step.cid}')`;
  }
}
